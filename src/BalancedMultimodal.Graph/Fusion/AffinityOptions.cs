namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// Options of <see cref="AffinityBuilder"/>; the defaults reproduce snfpy's
/// <c>make_affinity(X, metric='sqeuclidean', K=20, mu=0.5, normalize=True)</c>. Checked by <see cref="AffinityOptionsValidator"/>.
/// </summary>
public sealed class AffinityOptions
{
    /// <summary>Number of nearest neighbours K whose mean distance scales the kernel (at least 1, below the number of
    /// available samples). Default 20.</summary>
    public int K { get; set; } = 20;

    /// <summary>Kernel width factor mu (finite, &gt; 0). Default 0.5.</summary>
    public double Mu { get; set; } = 0.5;

    /// <summary>Pairwise distance. Default <see cref="DistanceMetric.SquaredEuclidean"/>.</summary>
    public DistanceMetric Metric { get; set; } = DistanceMetric.SquaredEuclidean;

    /// <summary>Whether columns are z-scored (ddof = 1) over the available samples first. Default true.</summary>
    public bool ZScore { get; set; } = true;
}
