namespace BalancedMultimodal.Cli;

/// <summary>One <c>bmm</c> sub-command.</summary>
public interface ICliCommand
{
    /// <summary>The word that selects the command (e.g. <c>info</c>).</summary>
    string Name { get; }

    /// <summary>One line for <c>bmm --help</c>.</summary>
    string Summary { get; }

    /// <summary>The usage text shown by <c>bmm NAME --help</c>.</summary>
    string Usage { get; }

    /// <summary>Runs the command; throws <see cref="CliUsageException"/> for bad arguments or input.</summary>
    /// <returns>The process exit code (0 on success).</returns>
    int Run(CliArguments args, TextWriter output);
}
