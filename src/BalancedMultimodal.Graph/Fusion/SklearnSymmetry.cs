using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// scikit-learn's <c>check_symmetric(W, tol=1e-10)</c>, which snfpy calls after each step: W is replaced by
/// <c>(W + W^T) / 2</c> only when it is not already <c>allclose(W, W^T, rtol=1e-5, atol=1e-10)</c>.
/// </summary>
internal static class SklearnSymmetry
{
    /// <summary>Returns <paramref name="matrix"/> itself when it counts as symmetric, else a new symmetrised tensor.</summary>
    public static Tensor CheckSymmetric(Tensor matrix)
    {
        using var transposed = matrix.t();
        if (matrix.allclose(transposed, rtol: 1e-5, atol: 1e-10)) return matrix;
        return (matrix + transposed).mul_(0.5);
    }
}
