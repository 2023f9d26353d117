namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary>Runs <c>bmm</c> in-process through <see cref="CliApp.Run"/> and captures what it prints.</summary>
internal static class CliRunner
{
    /// <summary>Runs one command; returns the exit code, the output lines (trimmed, non-empty) and the error text.</summary>
    public static (int ExitCode, string[] Output, string Error) Run(ICliCommand command, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, [command], command.Name, output, error);
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), error.ToString());
    }
}
