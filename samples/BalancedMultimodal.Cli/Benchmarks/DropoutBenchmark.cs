using System.Diagnostics;
using System.Globalization;
using BalancedMultimodal.Core.Encoding;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary>
/// <c>bmm bench dropout</c>: time of one training-mode dropout on an (n, d) float32 matrix, libtorch's
/// <c>torch.nn.functional.dropout</c> against <see cref="InvertedDropout"/>, next to the product with a (d, 32) weight
/// that follows it in an MLP encoder; and the kept fraction of each (both must be near 1 - p).
/// </summary>
public sealed class DropoutBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "dropout";

    /// <inheritdoc />
    public string Summary => "dropout mask: libtorch vs InvertedDropout on an (n, d) matrix";

    /// <inheritdoc />
    public IReadOnlyList<string> Options { get; } =
    [
        "--rows N           matrix rows (default 875)",
        "--cols N           matrix columns (default 1000)",
        "--p P              drop probability (default 0.2)",
        "--steps N          timed masks (default 300)",
        "--seed N           seed (default 0)",
        "--threads N        torch threads, 0 keeps TorchSharp's (default 0)",
    ];

    /// <inheritdoc />
    public void Run(CliArguments args, TextWriter output)
    {
        int rows = args.GetInt("rows", 875, minimum: 1);
        int cols = args.GetInt("cols", 1000, minimum: 1);
        double p = args.GetDouble("p", 0.2);
        int steps = args.GetInt("steps", 300, minimum: 1);
        int seed = args.GetInt("seed", 0);
        int threads = BenchmarkThreads.Read(args);
        args.EnsureAllConsumed(allowPositionals: true);
        if (rows < 1 || cols < 1 || steps < 1 || !(p > 0 && p < 1))
            throw new CliUsageException("need --rows >= 1, --cols >= 1, --steps >= 1 and 0 < --p < 1");
        BenchmarkThreads.Apply(threads);

        manual_seed(seed);
        // Int32 Scalars alive for the calls, freed after them (docs/native-runtime.md); add_ with its alpha 1 explicit.
        using var ten = 10.ToScalar();
        using var one = 1.ToScalar();
        using var zero = 0.ToScalar();
        using var x = randn(rows, cols).add_(ten, one);   // no zeros: a zero output means a dropped element
        using var weight = randn(cols, 32);
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine($"rows={rows} cols={cols} p={p.ToString(culture)} steps={steps} threads={get_num_threads()}");
        output.WriteLine();
        output.WriteLine("| operation | ms (median) | ms (mean) | kept fraction (first step) |");
        output.WriteLine("|---|---|---|---|");
        Measure("libtorch nn.functional.dropout", () => nn.functional.dropout(x, p, true));
        Measure("InvertedDropout.Apply", () => InvertedDropout.Apply(x, p, true));
        Measure($"matrix product with a ({cols}, 32) weight, for scale", () => x.matmul(weight));

        void Measure(string name, Func<Tensor> step)
        {
            for (int i = 0; i < 30; i++)   // past the JIT's first tiers
            {
                using var warm = NewDisposeScope();
                step();
            }
            var times = new double[steps];
            double kept = double.NaN;
            var watch = new Stopwatch();
            for (int i = 0; i < steps; i++)
            {
                using var scope = NewDisposeScope();
                watch.Restart();
                var result = step();
                times[i] = watch.Elapsed.TotalMilliseconds;
                if (i == 0 && result.shape.SequenceEqual(x.shape))
                    kept = result.ne(zero).to_type(ScalarType.Float64).mean().item<double>();
            }
            Array.Sort(times);
            output.WriteLine(string.Format(culture, "| {0} | {1:F3} | {2:F3} | {3} |", name, times[steps / 2], times.Average(),
                double.IsNaN(kept) ? "-" : kept.ToString("F4", culture)));
        }
    }
}
