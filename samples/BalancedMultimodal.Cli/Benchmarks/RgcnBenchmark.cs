using System.Diagnostics;
using System.Globalization;
using BalancedMultimodal.Core.Optimization;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary>
/// <c>bmm bench rgcn</c>: full-batch training epochs (forward + cross-entropy + backward + Adam step) of a two-layer
/// relational GCN (features -&gt; hidden -&gt; classes, the second layer being the graph-convolution head) on random
/// graphs with a fixed number of incoming edges per node and relation, for several node counts and thread counts.
/// </summary>
public sealed class RgcnBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "rgcn";

    /// <inheritdoc />
    public string Summary => "relational GCN training epoch time vs nodes/edges";

    /// <inheritdoc />
    public IReadOnlyList<string> Options { get; } =
    [
        "--sizes LIST       node counts (default 1000,2000,5000,10000,20000)",
        "--threads LIST     torch thread counts, each run (default 1,2)",
        "--relations N      relations (default 3)",
        "--degree N         incoming edges per node per relation (default 10)",
        "--features N       input features (default 100)",
        "--hidden N         hidden width (default 64)",
        "--classes N        classes (default 5)",
        "--epochs N         timed epochs (default 20)",
        "--warmup N         untimed warm-up epochs (default 3)",
        "--dropout P        dropout in [0, 1) (default 0.5)",
        "--seed N           seed (default 1)",
    ];

    /// <inheritdoc />
    public void Run(CliArguments args, TextWriter output)
    {
        var sizes = ParseList(args.GetString("sizes", "1000,2000,5000,10000,20000")!, "sizes");
        var threads = ParseList(args.GetString("threads", "1,2")!, "threads");
        int relations = args.GetInt("relations", 3, minimum: 1);
        int degree = args.GetInt("degree", 10, minimum: 1);
        int features = args.GetInt("features", 100, minimum: 1);
        int hidden = args.GetInt("hidden", 64, minimum: 1);
        int classes = args.GetInt("classes", 5, minimum: 2);
        int epochs = args.GetInt("epochs", 20, minimum: 1);
        int warmup = args.GetInt("warmup", 3, minimum: 0);
        double dropout = args.GetDouble("dropout", 0.5);
        int seed = args.GetInt("seed", 1);
        args.EnsureAllConsumed(allowPositionals: true);
        if (sizes.Any(s => s < 2)) throw new CliUsageException("--sizes must all be at least 2");
        if (threads.Any(t => t < 1 || t > Pipeline.TrainingPipeline.MaxThreads))
            throw new CliUsageException($"--threads must all be between 1 and {Pipeline.TrainingPipeline.MaxThreads}");
        if (relations < 1 || degree < 1 || features < 1 || hidden < 1 || classes < 2)
            throw new CliUsageException("--relations, --degree, --features, --hidden must be at least 1 and --classes at least 2");
        if (epochs < 1 || warmup < 0) throw new CliUsageException("--epochs must be at least 1 and --warmup at least 0");
        if (!(dropout >= 0 && dropout < 1)) throw new CliUsageException("--dropout must be in [0, 1)");

        output.WriteLine($"Two-layer RGCN {features} -> {hidden} -> {classes} (graph-convolution head), {relations} relations, " +
                         $"{degree} incoming edges per node per relation, dropout {dropout.ToString(CultureInfo.InvariantCulture)}, " +
                         $"Adam lr 0.01; median of {epochs} epochs after {warmup} warm-up epochs.");
        output.WriteLine($"Load average before: {LoadAverage()}");
        output.WriteLine();
        output.WriteLine("| threads | nodes n | edges E | median ms/epoch | mean ms/epoch | CPU ms/epoch | ns per edge | forward ms | working set MB | WS growth MB (2nd half) | state KB |");
        output.WriteLine("|--------:|--------:|--------:|----------------:|--------------:|-------------:|------------:|-----------:|---------------:|------------------------:|---------:|");
        foreach (int t in threads)
        {
            torch.set_num_threads(t);
            foreach (int n in sizes)
            {
                var row = Measure(n, relations, degree, features, hidden, classes, epochs, warmup, dropout, seed);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {t} | {n} | {row.Edges} | {row.MedianMs:F1} | {row.MeanMs:F1} | {row.CpuMs:F1} | {row.MedianMs * 1e6 / row.Edges:F0} | {row.ForwardMs:F1} | {row.WorkingSetMb:F0} | {row.GrowthMb:F1} | {row.StateKb:F0} |"));
            }
        }
        output.WriteLine();
        output.WriteLine($"Load average after: {LoadAverage()}");
    }

    // The machine may be shared: the 1-minute load average tells how much the wall-clock times are inflated.
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private readonly record struct Row(long Edges, double MedianMs, double MeanMs, double CpuMs, double ForwardMs, double WorkingSetMb, double GrowthMb, double StateKb);

    private static Row Measure(int n, int relations, int degree, int features, int hidden, int classes, int epochs, int warmup,
        double dropout, int seed)
    {
        using var scope = NewDisposeScope();
        manual_seed(seed);
        using var graph = RandomGraph(n, relations, degree, seed);
        var x = randn(n, features);
        var labels = randint(classes, [n]);
        using var model = new RelationalGcn(new RelationalGcnOptions
        {
            InputSize = features,
            HiddenSizes = [hidden],
            RelationCount = relations,
            ClassCount = classes,
            Head = RelationalGcnHead.GraphConvolution,
            Dropout = dropout,
        });
        using var optimizer = new ExplicitScalarAdam(model.parameters(), 0.01);
        model.train();

        void Epoch()
        {
            using var step = NewDisposeScope();
            optimizer.ZeroGrad();
            var loss = nn.functional.cross_entropy(model.forward(x, graph), labels);
            loss.backward();
            optimizer.Step();
        }

        for (int e = 0; e < warmup; e++) Epoch();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        long before = process.WorkingSet64;
        var times = new double[epochs];
        var cpuStart = process.TotalProcessorTime;
        for (int e = 0; e < epochs; e++)
        {
            // Growth is measured over the second half only: the allocator's first epochs are a one-off warm-up.
            if (e == epochs / 2)
            {
                process.Refresh();
                before = process.WorkingSet64;
            }
            long start = Stopwatch.GetTimestamp();
            Epoch();
            times[e] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpuStart).TotalMilliseconds / epochs;
        long after = process.WorkingSet64;

        var forwardTimes = new double[Math.Min(epochs, 5)];
        using (no_grad())
        {
            model.eval();
            for (int e = 0; e < forwardTimes.Length; e++)
            {
                using var step = NewDisposeScope();
                long start = Stopwatch.GetTimestamp();
                model.forward(x, graph);
                forwardTimes[e] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        // Parameters, their gradients and Adam's two moments, plus the cached per-edge normalisation.
        long parameterBytes = model.parameters().Sum(p => p.numel() * p.ElementSize);
        var normalization = RelationalGraphNormalization.For(graph, x.dtype);
        long cacheBytes = normalization.ByteCount;
        Array.Sort(times);
        Array.Sort(forwardTimes);
        return new Row(graph.EdgeCount, times[times.Length / 2], times.Average(), cpuMs, forwardTimes[forwardTimes.Length / 2],
            after / 1048576.0, (after - before) / 1048576.0, (4 * parameterBytes + cacheBytes) / 1024.0);
    }

    private static RelationalGraph RandomGraph(int n, int relations, int degree, int seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var list = new GraphRelation[relations];
        using var end = n.ToScalar();   // an Int32 Scalar alive for the calls, freed after them (docs/native-runtime.md)
        using var first = 0.ToScalar();
        using var step = 1.ToScalar();
        for (int r = 0; r < relations; r++)
        {
            var sources = randint(n, [(long)n * degree], generator: generator);
            var targets = arange(first, end, step, dtype: ScalarType.Int64).repeat_interleave(degree);
            list[r] = new GraphRelation($"r{r}", stack([sources, targets]).MoveToOuterDisposeScope(), null);
        }
        return new RelationalGraph(n, list);
    }

    private static int[] ParseList(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new CliUsageException($"--{option} needs a comma-separated list of integers");
        return parts.Select(p => CliArguments.ParseInt(p, $"--{option}", minimum: option == "sizes" ? 2 : 1, expected: "integers")).ToArray();
    }
}
