namespace BalancedMultimodal.Core.Information;

/// <summary>Options of <see cref="KsgEstimator"/> (configuration section <c>Ksg</c>).</summary>
public sealed class KsgEstimatorOptions
{
    /// <summary>Number of nearest neighbours k in the joint space (Kraskov et al. use 2-4). Default 3, as in
    /// scikit-learn's <c>mutual_info_regression</c>. Must be at least 1 and below the sample count.</summary>
    public int K { get; set; } = 3;

    /// <summary>Query rows per block of the brute-force neighbour search. Default 0 = automatic: the largest
    /// b with b * n * max(d, 4) under 64M elements, so memory stays bounded at any n. Must be 0 or positive.</summary>
    public int BlockSize { get; set; }
}
