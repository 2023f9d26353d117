using System.Diagnostics;
using System.Globalization;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary>
/// <c>bmm bench distill</c>: time of one forward + backward pass of <see cref="DistillationLoss"/> and of
/// <see cref="MultitaskLoss"/> on synthetic node outputs, and the process memory before and after the run (a dispose-scope
/// leak would grow it with the step count).
/// </summary>
public sealed class DistillationBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "distill";

    /// <inheritdoc />
    public string Summary => "distillation and multitask loss, forward + backward per step";

    /// <inheritdoc />
    public IReadOnlyList<string> Options { get; } =
    [
        "--rows N           rows per step (default 1000)",
        "--classes N        classes (default 5)",
        "--dim N            embedding width (default 200)",
        "--modalities N     modalities (default 3)",
        "--steps N          timed steps (default 100)",
        "--seed N           seed (default 0)",
        "--threads N        torch threads, 0 keeps TorchSharp's (default 0)",
    ];

    /// <inheritdoc />
    public void Run(CliArguments args, TextWriter output)
    {
        int rows = args.GetInt("rows", 1000, minimum: 2);
        int classes = args.GetInt("classes", 5, minimum: 2);
        int dim = args.GetInt("dim", 200, minimum: 1);
        int modalities = args.GetInt("modalities", 3, minimum: 2);
        int steps = args.GetInt("steps", 100, minimum: 1);
        int seed = args.GetInt("seed", 0);
        int threads = BenchmarkThreads.Read(args);
        args.EnsureAllConsumed(allowPositionals: true);
        if (rows < 2 || classes < 2 || dim < 1 || modalities < 2 || steps < 1)
            throw new CliUsageException("need --rows >= 2, --classes >= 2, --dim >= 1, --modalities >= 2, --steps >= 1");
        BenchmarkThreads.Apply(threads);

        manual_seed(seed);
        var labels = randint(classes, rows, dtype: ScalarType.Int64);
        using var labelledShare = 0.6.ToScalar();   // a Scalar alive for the call, freed after it (docs/native-runtime.md)
        var labelled = rand(rows).lt(labelledShare);
        var loss = new DistillationLoss(dim, dim, new DistillationLossOptions());
        var multitask = new MultitaskLoss(new PerformanceGatedWeighter(modalities, new PerformanceGatedWeighterOptions()));
        multitask.Weighter.Update(Enumerable.Range(0, modalities).Select(m => 0.9 - 0.1 * m).ToArray());

        var culture = CultureInfo.InvariantCulture;
        output.WriteLine($"rows={rows} classes={classes} dim={dim} modalities={modalities} steps={steps} threads={get_num_threads()}");
        output.WriteLine();
        output.WriteLine("| loss | ms per forward+backward (median) | ms (mean) | working set before, at 1/4, 1/2, 3/4, end (MB) |");
        output.WriteLine("|---|---|---|---|");

        Measure("DistillationLoss (CE + KL + projected MSE)", () =>
        {
            var zs = randn(rows, classes, requires_grad: true);
            var hs = randn(rows, dim, requires_grad: true);
            var terms = loss.Compute(zs, hs, randn(rows, classes), randn(rows, dim), labels, labelled);
            terms.Total.backward();
        });
        Measure($"MultitaskLoss (fused + {modalities} heads)", () =>
        {
            var fused = randn(rows, classes, requires_grad: true);
            var heads = Enumerable.Range(0, modalities).Select(_ => randn(rows, classes, requires_grad: true)).ToArray();
            multitask.Compute(fused, heads, labels, labelled).Total.backward();
        });

        void Measure(string name, Action step)
        {
            for (int i = 0; i < 5; i++)
            {
                using var warm = NewDisposeScope();
                step();
            }
            GC.Collect();
            long before = Process.GetCurrentProcess().WorkingSet64;
            var times = new double[steps];
            var memory = new List<double> { before / 1048576.0 };
            var watch = new Stopwatch();
            for (int i = 0; i < steps; i++)
            {
                using (var scope = NewDisposeScope())
                {
                    watch.Restart();
                    step();
                    times[i] = watch.Elapsed.TotalMilliseconds;
                }
                if ((i + 1) * 4 % steps == 0 || i == steps - 1)
                {
                    GC.Collect();
                    memory.Add(Process.GetCurrentProcess().WorkingSet64 / 1048576.0);
                }
            }
            Array.Sort(times);
            output.WriteLine(string.Format(culture, "| {0} | {1:F3} | {2:F3} | {3} |",
                name, times[steps / 2], times.Average(), string.Join(", ", memory.Select(m => m.ToString("F0", culture)))));
        }
    }
}
