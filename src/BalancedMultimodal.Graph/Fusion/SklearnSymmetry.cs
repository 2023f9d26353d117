using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// scikit-learn's <c>check_symmetric(W, tol=1e-10)</c>, which snfpy calls on its inputs and after row normalisation:
/// W is replaced by <c>(W + W^T) / 2</c> only when it is not already <c>allclose(W, W^T, rtol=1e-5, atol=1e-10)</c>,
/// i.e. when some <c>|W_ij - W_ji| &gt; 1e-10 + 1e-5 |W_ji|</c>.
/// </summary>
/// <remarks>
/// Works on pairs of square tiles (<c>W[I, J]</c> against <c>W[J, I]^T</c>, J &gt;= I) instead of a full transposed copy:
/// a transposed read of a large matrix misses the cache and the TLB on every element, a tile pair stays in cache.
/// Both positions of a pair are tested, so the rule is <c>|a - b| &lt;= atol + rtol min(|a|, |b|)</c>, the same as
/// allclose over the whole matrix. The symmetrised result <c>(a + b) / 2</c> is exactly symmetric.
/// </remarks>
internal static class SklearnSymmetry
{
    private const long Tile = 512;

    /// <summary>Returns <paramref name="matrix"/> itself when it counts as symmetric, else a new symmetrised tensor.</summary>
    public static Tensor CheckSymmetric(Tensor matrix)
    {
        long n = matrix.shape[0];
        if (IsSymmetric(matrix, n)) return matrix;
        var result = empty_like(matrix);
        for (long i = 0; i < n; i += Tile)
        {
            for (long j = i; j < n; j += Tile)
            {
                using var scope = NewDisposeScope();
                long rows = Math.Min(Tile, n - i), columns = Math.Min(Tile, n - j);
                var upper = matrix.narrow(0, i, rows).narrow(1, j, columns);
                var lower = matrix.narrow(0, j, columns).narrow(1, i, rows).t();
                var mean = (upper + lower).mul_(0.5);
                result.narrow(0, i, rows).narrow(1, j, columns).copy_(mean);
                result.narrow(0, j, columns).narrow(1, i, rows).copy_(mean.t());
            }
        }
        return result;
    }

    private static bool IsSymmetric(Tensor matrix, long n)
    {
        for (long i = 0; i < n; i += Tile)
        {
            for (long j = i; j < n; j += Tile)
            {
                using var scope = NewDisposeScope();
                long rows = Math.Min(Tile, n - i), columns = Math.Min(Tile, n - j);
                var upper = matrix.narrow(0, i, rows).narrow(1, j, columns);
                var lower = matrix.narrow(0, j, columns).narrow(1, i, rows).t().contiguous();
                // |a - b| - rtol min(|a|, |b|) > atol anywhere means not allclose.
                var excess = (upper - lower).abs_().sub_(minimum(upper.abs(), lower.abs_()).mul_(1e-5));
                if (excess.gt(1e-10).any().item<bool>()) return false;
            }
        }
        return true;
    }
}
