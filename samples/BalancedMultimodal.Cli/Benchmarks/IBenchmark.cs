namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary>One timed benchmark run by <c>bmm bench NAME</c>; it prints a table of its measurements.</summary>
public interface IBenchmark
{
    /// <summary>The word that selects the benchmark (e.g. <c>snf</c>).</summary>
    string Name { get; }

    /// <summary>One line for <c>bmm bench --help</c>.</summary>
    string Summary { get; }

    /// <summary>Its options for <c>bmm bench --help</c>, one line each: "--name VALUE  what it sets (default D)".</summary>
    IReadOnlyList<string> Options { get; }

    /// <summary>Runs the benchmark with its options and writes the results (markdown table) to <paramref name="output"/>.
    /// Calls <see cref="CliArguments.EnsureAllConsumed"/> (positionals allowed) right after reading its options, so that
    /// an unknown option fails before any work.</summary>
    void Run(CliArguments args, TextWriter output);
}
