using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.TestDoubles;

/// <summary>
/// Estimator whose value for a pair is chosen by the test: each input is identified by its first entry x[0, 0] (a marker
/// the test puts in the outputs), and the value of (x marker, y marker) is looked up; the column widths seen are recorded.
/// </summary>
internal sealed class ScriptedMutualInformationEstimator(IReadOnlyDictionary<(double X, double Y), double> values, string name = "scripted")
    : IMutualInformationEstimator
{
    public List<(int XColumns, int YColumns)> Widths { get; } = [];

    public List<double[,]> YInputs { get; } = [];

    public string Name => name;

    public double Estimate(Tensor x, Tensor y) => throw new NotSupportedException("The assessor estimates on arrays.");

    public double Estimate(double[,] x, double[,] y)
    {
        Widths.Add((x.GetLength(1), y.GetLength(1)));
        YInputs.Add(y);
        return values.TryGetValue((x[0, 0], y[0, 0]), out var value)
            ? value
            : throw new InvalidOperationException($"No scripted value for ({x[0, 0]}, {y[0, 0]}).");
    }
}

/// <summary>Significance test returning a fixed p-value and null mean, recording the permutations and seeds it is asked for.</summary>
internal sealed class ScriptedSignificanceTest(double pValue, double nullMean) : IMutualInformationSignificanceTest
{
    public List<(int Permutations, int Seed)> Calls { get; } = [];

    public SignificanceResult Test(IMutualInformationEstimator estimator, double[,] x, double[,] y, int permutations, int seed, CancellationToken cancellationToken = default)
    {
        Calls.Add((permutations, seed));
        return new SignificanceResult(Observed: estimator.Estimate(x, y), NullMean: nullMean, PValue: pValue, Permutations: permutations);
    }
}

