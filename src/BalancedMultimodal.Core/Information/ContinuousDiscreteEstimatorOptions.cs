namespace BalancedMultimodal.Core.Information;

/// <summary>Options of <see cref="ContinuousDiscreteEstimator"/> (configuration section <c>ContinuousDiscrete</c>).</summary>
public sealed class ContinuousDiscreteEstimatorOptions
{
    /// <summary>Number of same-label neighbours k (capped at N_l - 1 per label). Default 3, as in scikit-learn's
    /// <c>mutual_info_classif</c>. Must be at least 1.</summary>
    public int K { get; set; } = 3;

    /// <summary>Query rows per block of the brute-force neighbour search; 0 (default) = automatic.</summary>
    public int BlockSize { get; set; }
}
