using BalancedMultimodal.Core.Information;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.TestDoubles;

/// <summary>Estimator that gives every pair the same mutual information, so the distillation gate's decision depends
/// only on the scores (with permutations off and a threshold below the value, every weak modality is distilled); the
/// row counts of the array pairs it is asked about are recorded.</summary>
internal sealed class ConstantMutualInformationEstimator(double value) : IMutualInformationEstimator
{
    public List<(int XRows, int YRows)> Rows { get; } = [];

    public string Name => "constant";

    public double Estimate(Tensor x, Tensor y) => value;

    public double Estimate(double[,] x, double[,] y)
    {
        Rows.Add((x.GetLength(0), y.GetLength(0)));
        return value;
    }
}
