using BalancedMultimodal.Cli.Benchmarks;

namespace BalancedMultimodal.Cli.Commands;

/// <summary><c>bmm bench NAME [options]</c>: runs one of the timing benchmarks behind docs/benchmarks.md.</summary>
public sealed class BenchCommand : ICliCommand
{
    // One line per benchmark; each lives in its own file under Benchmarks/.
    private static readonly IBenchmark[] Benchmarks =
    [
        new DataBenchmark(),
        new DistillationBenchmark(),
        new RgcnBenchmark(),
        new SnfBenchmark(),
        new KsgBenchmark(),
        new MiBiasBenchmark(),
        new DropoutBenchmark(),
        new GraphBenchmark(),
    ];

    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public string Summary => "run a timing benchmark (bmm bench --help lists them)";

    /// <inheritdoc />
    public string Usage =>
        "usage: bmm bench <name> [options]\n\nbenchmarks and their options:\n" +
        string.Join("\n", Benchmarks.Select(b => $"  {b.Name,-8} {b.Summary}\n" + string.Join("\n", b.Options.Select(o => $"             {o}"))));

    /// <inheritdoc />
    public int Run(CliArguments args, TextWriter output)
    {
        if (args.Positionals.Count != 1)
            throw new CliUsageException("name one benchmark: bmm bench <name> (bmm bench --help lists them)");
        var name = args.Positionals[0];
        var benchmark = Benchmarks.FirstOrDefault(b => b.Name == name)
            ?? throw new CliUsageException($"unknown benchmark '{name}' (bmm bench --help lists them)");
        // Each benchmark checks for unknown options itself, right after reading its own, before any work; this is a
        // safety net for one that forgets (too late to save the work, but the typo is still reported).
        benchmark.Run(args, output);
        args.EnsureAllConsumed(allowPositionals: true);
        return 0;
    }
}
