using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>One view's sparse kernel S_v, applied as <c>S_v A S_v^T</c>.</summary>
internal interface IPropagationKernel : IDisposable
{
    /// <summary>
    /// Writes <c>S A S^T / divisor</c> into <paramref name="result"/>, or its transpose <c>S A^T S^T / divisor</c> when
    /// <see cref="WritesTranspose"/>; <paramref name="scratch"/> holds the intermediate product. All three are
    /// contiguous n x n tensors of one dtype and device, and none aliases another.
    /// </summary>
    void Propagate(Tensor a, Tensor result, Tensor scratch, double divisor);

    /// <summary>
    /// Whether <see cref="Propagate"/> writes <c>S A^T S^T = (S A S^T)^T</c> rather than <c>S A S^T</c>: the sparse
    /// kernels compute <c>S (S A)^T</c>, which saves them a transposed pass. The two agree up to rounding when A is
    /// symmetric; <see cref="SimilarityNetworkFusion"/> handles the other case.
    /// </summary>
    bool WritesTranspose { get; }
}
