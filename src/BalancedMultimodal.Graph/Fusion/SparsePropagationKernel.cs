using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// S as a sparse COO tensor with about K non-zeros per row: <c>S (S A)^T</c> = <c>(S A S^T)^T</c> through two
/// sparse-dense products and one transposed copy; O(n^2 K) time, one n x n temporary besides the result.
/// </summary>
internal sealed class SparsePropagationKernel : IPropagationKernel
{
    private readonly Tensor _s;

    /// <summary>Takes ownership of the sparse COO kernel <paramref name="s"/>.</summary>
    public SparsePropagationKernel(Tensor s) => _s = s;

    public Tensor Propagate(Tensor a)
    {
        Tensor transposed;
        using (var left = _s.mm(a)) transposed = left.t().contiguous();
        using (transposed) return _s.mm(transposed);
    }

    public void Dispose() => _s.Dispose();
}
