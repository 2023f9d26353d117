using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>snfpy's formulation: S dense (n x n), <c>(S @ A) @ S.T</c>; O(n^3).</summary>
internal sealed class DensePropagationKernel : IPropagationKernel
{
    private readonly Tensor _s;

    /// <summary>Takes ownership of the dense kernel <paramref name="s"/>.</summary>
    public DensePropagationKernel(Tensor s) => _s = s;

    /// <inheritdoc />
    public bool WritesTranspose => false;

    public void Propagate(Tensor a, Tensor result, Tensor scratch, double divisor)
    {
        using var left = _s.mm(a);
        using var transposed = _s.t();
        using var product = left.mm(transposed);
        result.copy_(product);
        UpdateDivision.Apply(result, divisor);
    }

    public void Dispose() => _s.Dispose();
}
