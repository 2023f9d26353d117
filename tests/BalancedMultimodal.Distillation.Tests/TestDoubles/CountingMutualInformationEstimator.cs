using BalancedMultimodal.Core.Information;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.TestDoubles;

/// <summary>Decorator that counts the estimates asked of a real estimator and returns the real estimator's values.</summary>
internal sealed class CountingMutualInformationEstimator(IMutualInformationEstimator inner) : IMutualInformationEstimator
{
    private int _calls;
    private readonly System.Collections.Concurrent.ConcurrentBag<long> _rows = new();

    /// <summary>The row count of every estimate asked so far (any order).</summary>
    public IReadOnlyCollection<long> RowCounts => _rows.ToArray();

    /// <summary>Number of <c>Estimate</c> calls so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public string Name => inner.Name;

    public double Estimate(Tensor x, Tensor y)
    {
        Interlocked.Increment(ref _calls);
        _rows.Add(x.shape[0]);
        return inner.Estimate(x, y);
    }

    public double Estimate(double[,] x, double[,] y)
    {
        Interlocked.Increment(ref _calls);
        _rows.Add(x.GetLength(0));
        return inner.Estimate(x, y);
    }
}
