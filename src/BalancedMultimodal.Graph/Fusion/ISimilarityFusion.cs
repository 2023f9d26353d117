using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// Fuses m &gt;= 2 per-modality affinity matrices over the same n samples into one fused similarity matrix.
/// </summary>
public interface ISimilarityFusion
{
    /// <summary>Fuses the affinities.</summary>
    /// <param name="affinities">m &gt;= 2 affinity matrices, each of shape (n, n), non-negative, all on one device and of
    /// one dtype (float32 or float64).</param>
    /// <param name="availability">Optional per-modality masks of length n (true = the sample has that modality); entries
    /// of an affinity that involve an unavailable sample are ignored. Null means every sample has every modality.</param>
    /// <param name="cancellationToken">Checked before any work and between iterations (never inside a tensor
    /// operation).</param>
    /// <returns>The fused similarity of shape (n, n), on the device and dtype of the inputs; the caller disposes it.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception); no partial result is returned and the fusion's own tensors are freed.</exception>
    Tensor Fuse(IReadOnlyList<Tensor> affinities, IReadOnlyList<bool[]>? availability = null, CancellationToken cancellationToken = default);
}
