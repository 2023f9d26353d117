using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// scikit-learn's <c>check_symmetric(W, tol=1e-10)</c>, which snfpy calls on its inputs and after row normalisation:
/// W is replaced by <c>(W + W^T) / 2</c> only when it is not already <c>allclose(W, W^T, rtol=1e-5, atol=1e-10)</c>,
/// i.e. when some <c>|W_ij - W_ji| &gt; 1e-10 + 1e-5 |W_ji|</c>.
/// </summary>
internal static class SklearnSymmetry
{
    /// <summary>Returns <paramref name="matrix"/> itself when it counts as symmetric, else a new symmetrised tensor.</summary>
    public static Tensor CheckSymmetric(Tensor matrix)
    {
        using var scope = NewDisposeScope();
        // A contiguous copy: element-wise ops against a strided transpose are several times slower for large n.
        var transposed = matrix.t().contiguous();
        // |a - b| > atol + rtol |b| with b >= 0 (affinities are validated non-negative): |a - b| - rtol b > atol.
        var excess = (matrix - transposed).abs_().add_(transposed, -1e-5);
        bool symmetric = !excess.gt(1e-10).any().item<bool>();
        if (symmetric) return matrix;
        return excess.copy_(matrix).add_(transposed).mul_(0.5).MoveToOuterDisposeScope();
    }
}
