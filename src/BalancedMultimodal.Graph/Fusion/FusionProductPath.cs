namespace BalancedMultimodal.Graph.Fusion;

/// <summary>How <see cref="SimilarityNetworkFusion"/> evaluates the update <c>S_v * A * S_v^T</c>.</summary>
public enum FusionProductPath
{
    /// <summary>
    /// Default. <c>S_v</c> is kept as a sparse COO tensor with about K non-zeros per row, and the update is two
    /// sparse-dense products, <c>(S_v (S_v A)^T)</c>, costing O(n^2 K) instead of O(n^3).
    /// </summary>
    Sparse = 0,

    /// <summary>
    /// Reference formulation: <c>S_v</c> is a dense n x n matrix and the update is two dense matrix products,
    /// exactly as snfpy writes it (<c>nzW @ (Wsum - aw) @ nzW.T</c>); O(n^3) per view and iteration.
    /// </summary>
    Dense = 1,
}
