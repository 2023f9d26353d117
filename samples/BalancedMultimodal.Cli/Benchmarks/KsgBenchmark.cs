using System.Diagnostics;
using System.Globalization;
using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Information;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary><c>bmm bench ksg [--sizes 1000,10000,50000] [--dim 10] [--k 3] [--repeats 3] [--block 0] [--permutations P]</c>:
/// wall-clock time of <see cref="KsgEstimator"/> on correlated Gaussian X, Y (rho = 0.5 per coordinate); with
/// <c>--permutations P</c> &gt; 0, of a P-permutation <see cref="PermutationTest"/> instead (the MI gate's test; sizes up
/// to <see cref="KsgEstimator.PermutationCacheRows"/>).</summary>
public sealed class KsgBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "ksg";

    /// <inheritdoc />
    public string Summary => "KSG estimator time for n = 1,000 / 10,000 / 50,000, dx = dy = 10";

    /// <inheritdoc />
    public IReadOnlyList<string> Options { get; } =
    [
        "--sizes LIST       sample counts, each above 3 (default 1000,10000,50000)",
        "--dim N            dimension of x and of y (default 10)",
        "--k N              neighbours (default 3)",
        "--repeats N        runs per size, best kept; n = 50,000 runs once (default 3)",
        "--block N          rows per block, 0 = automatic (default 0)",
        "--permutations P   time a P-permutation test instead, 0 = plain estimates (default 0)",
    ];

    /// <inheritdoc />
    public void Run(CliArguments args, TextWriter output)
    {
        var sizes = (args.GetString("sizes", "1000,10000,50000") ?? "").Split(',')
            .Select(s => CliArguments.ParseInt(s, "option --sizes", minimum: 4, expected: "integers above 3") is var v && v > 3 ? v
                : throw new CliUsageException($"option --sizes expects integers above 3, got '{s}'")).ToArray();
        int dim = args.GetInt("dim", 10, minimum: 1);
        int k = args.GetInt("k", 3, minimum: 1);
        int repeats = args.GetInt("repeats", 3, minimum: 1);
        int block = args.GetInt("block", 0, minimum: 0);
        int permutations = args.GetInt("permutations", 0, minimum: 0);
        args.EnsureAllConsumed(allowPositionals: true);
        if (dim < 1 || repeats < 1) throw new CliUsageException("options --dim and --repeats must be positive");
        if (k < 1) throw new CliUsageException($"option --k must be at least 1, got {k}");
        if (block < 0) throw new CliUsageException($"option --block must be 0 (automatic) or positive, got {block}");
        if (permutations < 0) throw new CliUsageException("option --permutations must be 0 (plain estimates) or positive");
        if (permutations > 0 && sizes.Any(n => n > KsgEstimator.PermutationCacheRows))
            throw new CliUsageException($"with --permutations, sizes must be at most {KsgEstimator.PermutationCacheRows} (the permutation cache)");
        var estimator = new KsgEstimator(new KsgEstimatorOptions { K = k, BlockSize = block });

        output.WriteLine($"load average at start: {LoadAverage()}");
        output.WriteLine($"torch threads: {get_num_threads()}, block rows: {(block == 0 ? "automatic" : block.ToString(CultureInfo.InvariantCulture))}, k = {k}, dx = dy = {dim}, best of {repeats} (n = 50,000: 1 run)");
        output.WriteLine();
        if (permutations > 0) output.WriteLine($"timed: a {permutations}-permutation test (PermutationTest, seed 1)");
        output.WriteLine("| n | wall time (s) | process CPU time (s) | estimate (nats) | truth (nats) |");
        output.WriteLine("|---:|---:|---:|---:|---:|");
        double truth = -0.5 * dim * Math.Log(1 - 0.25);
        foreach (int n in sizes)
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator(1);
            var x = randn(new long[] { n, dim }, dtype: ScalarType.Float64, generator: generator);
            var y = x.Times(0.5).Plus(randn(new long[] { n, dim }, dtype: ScalarType.Float64, generator: generator).Times(Math.Sqrt(0.75)));
            double best = double.MaxValue, bestCpu = 0, mi = 0;
            var process = Process.GetCurrentProcess();
            int runs = n >= 50_000 ? 1 : repeats;
            for (int r = 0; r < runs; r++)
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                mi = permutations > 0
                    ? new PermutationTest(estimator, new PermutationTestOptions { Permutations = permutations, Seed = 1 }).Run(x, y).Estimate
                    : estimator.Estimate(x, y);
                double wall = watch.Elapsed.TotalSeconds;
                process.Refresh();
                if (wall < best) { best = wall; bestCpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds; }
            }
            output.WriteLine(FormattableString.Invariant($"| {n:N0} | {best:F3} | {bestCpu:F3} | {mi:F4} | {truth:F4} |"));
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
