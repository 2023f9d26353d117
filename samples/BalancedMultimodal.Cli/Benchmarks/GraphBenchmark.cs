using System.Diagnostics;
using System.Globalization;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary><c>bmm bench graphs [--sizes 1000,2000,4000] [--dim 200] [--k 10] [--repeats 5]</c>: time of the patient-graph
/// steps against n on Gaussian features (seed 1): the affinity matrix of one view (<see cref="AffinityBuilder"/>, K = 20),
/// MOGONET's threshold graph (<see cref="MogonetThresholdGraphBuilder"/>) and the top-k graph of that affinity
/// (<see cref="TopKGraphBuilder"/>); median and best of N runs after a warm-up.</summary>
public sealed class GraphBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "graphs";

    /// <inheritdoc />
    public string Summary => "affinity, MOGONET and top-k graph build times against n";

    /// <inheritdoc />
    public IReadOnlyList<string> Options { get; } =
    [
        "--sizes LIST       sample counts, each above 20 (default 1000,2000,4000)",
        "--dim N            features (default 200)",
        "--k N              neighbours (default 10)",
        "--repeats N        runs per size, median and best shown (default 5)",
    ];

    /// <inheritdoc />
    public void Run(CliArguments args, TextWriter output)
    {
        var sizes = (args.GetString("sizes", "1000,2000,4000") ?? "").Split(',')
            .Select(s => CliArguments.ParseInt(s, "option --sizes", minimum: 21, expected: "integers above 20 (the affinity's K)") is var v && v > 20 ? v
                : throw new CliUsageException($"option --sizes expects integers above 20 (the affinity's K), got '{s}'")).ToArray();
        int dim = args.GetInt("dim", 200, minimum: 1);
        int k = args.GetInt("k", 10, minimum: 1);
        int repeats = args.GetInt("repeats", 5, minimum: 1);
        args.EnsureAllConsumed(allowPositionals: true);
        if (dim < 1 || repeats < 1) throw new CliUsageException("options --dim and --repeats must be positive");
        if (k < 1 || sizes.Any(n => k >= n)) throw new CliUsageException($"option --k must lie in [1, n) for every size, got {k}");

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"torch threads: {get_num_threads()}, d = {dim}, K = {k}, median (best) of {repeats} runs in ms"));
        output.WriteLine();
        output.WriteLine("| n | affinity (one view) | MOGONET threshold graph | top-k graph of the affinity |");
        output.WriteLine("|---:|---:|---:|---:|");
        var affinity = new AffinityBuilder(new AffinityOptions());
        var mogonet = new MogonetThresholdGraphBuilder(k);
        var topK = new TopKGraphBuilder(k);
        foreach (int n in sizes)
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator(1);
            var features = randn(new long[] { n, dim }, dtype: ScalarType.Float64, generator: generator);
            var similarity = affinity.Build(features);
            string affinityTime = Time(repeats, () => affinity.Build(features).Dispose());
            string mogonetTime = Time(repeats, () => mogonet.Build(features).Dispose());
            string topKTime = Time(repeats, () => topK.Build(similarity).Dispose());
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {n} | {affinityTime} | {mogonetTime} | {topKTime} |"));
        }
    }

    private static string Time(int repeats, Action work)
    {
        using (var warmUp = NewDisposeScope()) work();
        var times = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            using var step = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            work();
            times[r] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return string.Create(CultureInfo.InvariantCulture, $"{times[repeats / 2]:F1} ({times[0]:F1})");
    }
}
