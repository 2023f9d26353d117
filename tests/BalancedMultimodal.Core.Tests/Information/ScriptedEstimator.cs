using BalancedMultimodal.Core.Information;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

/// <summary>An estimator that returns a fixed sequence of values, one per call, and records the (flattened) X and Y
/// of every call, so the permutation test and the bootstrap can be checked against exact, hand-computed values.</summary>
internal sealed class ScriptedEstimator(params double[] values) : IMutualInformationEstimator
{
    private int _calls;

    public List<double[]> SeenX { get; } = new();

    public List<double[]> SeenY { get; } = new();

    public string Name => "scripted";

    public double Estimate(Tensor x, Tensor y)
    {
        SeenX.Add(x.to_type(ScalarType.Float64).flatten().data<double>().ToArray());
        SeenY.Add(y.to_type(ScalarType.Float64).flatten().data<double>().ToArray());
        return values.Length == 0 ? 0.0 : values[_calls++];
    }

    public double Estimate(double[,] x, double[,] y) => throw new NotSupportedException("The tests call the tensor overload.");
}
