using BalancedMultimodal.Core.Information;
using static TorchSharp.torch;

namespace BalancedMultimodal.Tests.Shared;

/// <summary>Delegates to <paramref name="inner"/>, counting the calls of both overloads, and cancels
/// <paramref name="cancellation"/> right after call number <paramref name="cancelAfter"/> (1-based; 0: never). Shared by
/// the Core and Distillation cancellation tests (linked into both test projects).</summary>
internal sealed class CancellingEstimator(IMutualInformationEstimator inner, CancellationTokenSource? cancellation = null, int cancelAfter = 0)
    : IMutualInformationEstimator
{
    public int Calls { get; private set; }

    public string Name => inner.Name;

    public double Estimate(Tensor x, Tensor y) => After(inner.Estimate(x, y));

    public double Estimate(double[,] x, double[,] y) => After(inner.Estimate(x, y));

    private double After(double value)
    {
        if (++Calls == cancelAfter) cancellation!.Cancel();
        return value;
    }
}
