using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>One view's sparse kernel S_v, applied as <c>S_v A S_v^T</c>.</summary>
internal interface IPropagationKernel : IDisposable
{
    /// <summary>
    /// Writes <c>S A S^T / divisor</c> (or its transpose, which equals it up to rounding for symmetric A) into
    /// <paramref name="result"/>; <paramref name="scratch"/> holds the intermediate product. All three are contiguous
    /// n x n tensors of one dtype and device, and none aliases another.
    /// </summary>
    void Propagate(Tensor a, Tensor result, Tensor scratch, double divisor);
}
