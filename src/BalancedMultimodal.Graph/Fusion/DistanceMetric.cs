namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// Pairwise distance used by <see cref="AffinityKernel"/> before the scaled exponential kernel (the <c>metric</c>
/// argument of snfpy's <c>make_affinity</c>, computed like <c>scipy.spatial.distance.cdist</c>).
/// </summary>
public enum DistanceMetric
{
    /// <summary>Squared Euclidean distance, <c>d(x, y) = sum_k (x_k - y_k)^2</c> (snfpy's default <c>sqeuclidean</c>).</summary>
    SquaredEuclidean = 0,

    /// <summary>Euclidean distance, <c>d(x, y) = sqrt(sum_k (x_k - y_k)^2)</c> (<c>euclidean</c>).</summary>
    Euclidean = 1,

    /// <summary>Cosine distance, <c>d(x, y) = 1 - x.y / (|x| |y|)</c> (<c>cosine</c>); rows must not be all zero.</summary>
    Cosine = 2,
}
