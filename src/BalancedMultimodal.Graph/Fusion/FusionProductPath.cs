namespace BalancedMultimodal.Graph.Fusion;

/// <summary>How <see cref="SimilarityNetworkFusion"/> evaluates the update <c>S_v * A * S_v^T</c>.</summary>
public enum FusionProductPath
{
    /// <summary>
    /// Default. <c>S_v</c> is sparse with about K non-zeros per row and the update is two sparse-dense products,
    /// <c>S_v (S_v A)^T</c> = <c>(S_v A S_v^T)^T</c>, costing O(n^2 K) instead of O(n^3) (when A is not symmetric the
    /// fusion feeds A^T, so the result is snfpy's either way). On the CPU a SIMD row-gather kernel works on the
    /// tensors' memory (compressed sparse rows, column tiles held in registers, rows split over the torch threads);
    /// on other devices, or above 16,383 float64 rows (23,170 for float32: an n x n tensor's host span is limited to
    /// 2^31 - 1 bytes), libtorch's sparse COO product (as <see cref="SparseCoo"/>).
    /// </summary>
    Sparse = 0,

    /// <summary>
    /// Reference formulation: <c>S_v</c> is a dense n x n matrix and the update is two dense matrix products,
    /// exactly as snfpy writes it (<c>nzW @ (Wsum - aw) @ nzW.T</c>); O(n^3) per view and iteration.
    /// </summary>
    Dense = 1,

    /// <summary>
    /// <c>S_v</c> as a libtorch sparse COO tensor on any device, row blocks multiplied in parallel; O(n^2 K). The
    /// device-agnostic form of <see cref="Sparse"/>, selectable for comparison.
    /// </summary>
    SparseCoo = 2,
}
