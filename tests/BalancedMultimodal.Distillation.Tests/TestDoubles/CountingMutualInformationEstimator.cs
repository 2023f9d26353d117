using BalancedMultimodal.Core.Information;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.TestDoubles;

/// <summary>Decorator that counts the estimates asked of a real estimator and returns the real estimator's values.</summary>
internal sealed class CountingMutualInformationEstimator(IMutualInformationEstimator inner) : IMutualInformationEstimator
{
    private int _calls;

    /// <summary>Number of <c>Estimate</c> calls so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public string Name => inner.Name;

    public double Estimate(Tensor x, Tensor y)
    {
        Interlocked.Increment(ref _calls);
        return inner.Estimate(x, y);
    }

    public double Estimate(double[,] x, double[,] y)
    {
        Interlocked.Increment(ref _calls);
        return inner.Estimate(x, y);
    }
}
