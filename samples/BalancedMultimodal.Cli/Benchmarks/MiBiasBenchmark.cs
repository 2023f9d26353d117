using System.Diagnostics;
using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Information;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary><c>bmm bench mi-bias [--n 2000] [--repeats 5] [--neural-repeats R] [--neural true|false] [--neural-steps 500]</c>: bias (mean estimate - truth) of every continuous
/// estimator on correlated Gaussian vectors (dims 1, 2, 5, 10; rho 0, 0.5, 0.9), truth -d/2 ln(1 - rho^2).</summary>
public sealed class MiBiasBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "mi-bias";

    /// <inheritdoc />
    public string Summary => "bias of the MI estimators on correlated Gaussian vectors (the table in docs/mutual-information.md)";

    /// <inheritdoc />
    public IReadOnlyList<string> Options { get; } =
    [
        "--n N              samples per estimate, > 20 (default 2000)",
        "--repeats N        seeded samples per cell for KSG and Gaussian (default 5)",
        "--neural-repeats N  seeded samples per cell for the neural estimators (default: --repeats)",
        "--neural true|false  include InfoNCE and DV/MINE (default true)",
        "--neural-steps N   training steps of the neural estimators (default 500)",
    ];

    /// <inheritdoc />
    public void Run(CliArguments args, TextWriter output)
    {
        int n = args.GetInt("n", 2000, minimum: 21);
        int repeats = args.GetInt("repeats", 5, minimum: 1);
        int neuralRepeats = args.GetInt("neural-repeats", repeats, minimum: 1);
        bool neural = args.GetBool("neural", true);
        int neuralSteps = args.GetInt("neural-steps", 500, minimum: 1);
        args.EnsureAllConsumed(allowPositionals: true);
        if (neuralSteps < 1) throw new CliUsageException("option --neural-steps must be at least 1");
        // d goes up to 10, so the bias-corrected Gaussian estimator needs n > d_x + d_y = 20.
        if (n <= 20 || repeats < 1 || neuralRepeats < 1)
            throw new CliUsageException("options --n (> 20: the bias-corrected Gaussian estimator needs n > d_x + d_y = 20 at d = 10), --repeats and --neural-repeats (>= 1) are out of range");
        var estimators = new (string Label, IMutualInformationEstimator Estimator, int Repeats)[]
        {
            ("KSG k=3", new KsgEstimator(), repeats),
            ("Gaussian (bias-corrected, default)", new GaussianMutualInformationEstimator(), repeats),
            ("Gaussian (plain)", new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false }), repeats),
            ("InfoNCE", new InfoNceEstimator(new InfoNceEstimatorOptions { Steps = neuralSteps }), neuralRepeats),
            ("DV/MINE", new InfoNceEstimator(new InfoNceEstimatorOptions { Steps = neuralSteps, Bound = NeuralMutualInformationBound.DonskerVaradhan }), neuralRepeats),
        }.Where(e => neural || e.Estimator is not InfoNceEstimator).ToArray();
        output.WriteLine($"n = {n}; seeded samples per cell: {repeats} (KSG, Gaussian), {neuralRepeats} (neural, {neuralSteps} steps); bias = mean(estimate) - truth, (sd over samples), nats");
        output.WriteLine();
        output.WriteLine("| d | rho | truth | " + string.Join(" | ", estimators.Select(e => e.Label)) + " |");
        output.WriteLine("|---:|---:|---:|" + string.Concat(estimators.Select(_ => "---:|")));
        var watch = Stopwatch.StartNew();
        foreach (int d in new[] { 1, 2, 5, 10 })
        {
            foreach (double rho in new[] { 0.0, 0.5, 0.9 })
            {
                double truth = rho == 0 ? 0.0 : -0.5 * d * Math.Log(1 - rho * rho);
                var cells = new List<string>();
                foreach (var (_, estimator, cellRepeats) in estimators)
                {
                    var values = new double[cellRepeats];
                    for (int r = 0; r < cellRepeats; r++)
                    {
                        using var scope = NewDisposeScope();
                        using var generator = new Generator((ulong)(1000 + r));
                        var x = randn(new long[] { n, d }, dtype: ScalarType.Float64, generator: generator);
                        var y = x.Times(rho).Plus(randn(new long[] { n, d }, dtype: ScalarType.Float64, generator: generator).Times(Math.Sqrt(1 - rho * rho)));
                        values[r] = estimator.Estimate(x, y);
                    }
                    double mean = values.Average();
                    double sd = cellRepeats > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (cellRepeats - 1)) : double.NaN;
                    cells.Add(FormattableString.Invariant($"{mean - truth:+0.000;-0.000;0.000}") + (cellRepeats > 1 ? FormattableString.Invariant($" ({sd:0.000})") : ""));
                }
                output.WriteLine(FormattableString.Invariant($"| {d} | {rho:0.0} | {truth:0.000} | ") + string.Join(" | ", cells) + " |");
            }
        }
        output.WriteLine();
        output.WriteLine(FormattableString.Invariant($"total time: {watch.Elapsed.TotalSeconds:F0} s"));
    }
}
