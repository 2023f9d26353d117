namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// Options of <see cref="SimilarityNetworkFusion"/>; the defaults reproduce snfpy's <c>snf(*aff, K=20, t=20, alpha=1.0)</c>.
/// Checked by <see cref="SimilarityNetworkFusionOptionsValidator"/>.
/// </summary>
public sealed class SimilarityNetworkFusionOptions
{
    /// <summary>Number of neighbours K kept per row in the sparse kernel <c>S_v</c> (at least 1, below the number of
    /// samples of every modality). Default 20.</summary>
    public int K { get; set; } = 20;

    /// <summary>Number of fusion iterations t (at least 1). Default 20.</summary>
    public int Iterations { get; set; } = 20;

    /// <summary>Self-similarity alpha added to the diagonal after every update (finite, at least 0). Default 1.</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>How the update <c>S_v * A * S_v^T</c> is computed. Default <see cref="FusionProductPath.Sparse"/>.</summary>
    public FusionProductPath ProductPath { get; set; } = FusionProductPath.Sparse;
}
