using BalancedMultimodal.Core;
using TorchSharp;
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

    /// <summary>
    /// Returns <paramref name="matrix"/> itself when it counts as symmetric; otherwise the symmetrised matrix, written
    /// over <paramref name="matrix"/> when <paramref name="inPlace"/> is set (the caller owns it; the values are the
    /// same either way) and into a new tensor when not.
    /// </summary>
    /// <param name="matrix">A square matrix.</param>
    /// <param name="inPlace">Whether the symmetrised values may overwrite <paramref name="matrix"/>.</param>
    /// <param name="exactlySymmetric">Whether the returned matrix equals its transpose exactly: always after the
    /// symmetrisation, and for a matrix returned as it is only when no entry differs from its mirror at all (one that
    /// passed the test within its tolerance is not).</param>
    public static Tensor CheckSymmetric(Tensor matrix, bool inPlace, out bool exactlySymmetric)
    {
        exactlySymmetric = true;
        bool close = true;
        foreach (var pair in TilePairs(matrix.shape[0]))
        {
            var (pairClose, pairExact) = Compare(matrix, pair);
            exactlySymmetric &= pairExact;
            if (!pairClose)
            {
                close = false;
                break;
            }
        }
        if (close) return matrix;
        exactlySymmetric = true;
        // Each tile pair reads and writes only its own two tiles, and its mean is formed before either is written, so
        // overwriting the input pair by pair gives the same values as a separate result.
        var result = inPlace ? matrix : empty_like(matrix);
        using var half = 0.5.ToScalar();
        foreach (var (i, j, rows, columns) in TilePairs(matrix.shape[0]))
        {
            using var scope = NewDisposeScope();
            var mean = Upper(matrix, i, j, rows, columns).Plus(Lower(matrix, i, j, rows, columns)).mul_(half);
            result.narrow(0, i, rows).narrow(1, j, columns).copy_(mean);
            result.narrow(0, j, columns).narrow(1, i, rows).copy_(mean.t());
        }
        return result;
    }

    /// <summary>Tile pairs (I, J) with J &gt;= I covering the upper triangle: start row, start column and sizes.</summary>
    private static IEnumerable<(long I, long J, long Rows, long Columns)> TilePairs(long n)
    {
        for (long i = 0; i < n; i += Tile)
            for (long j = i; j < n; j += Tile)
                yield return (i, j, Math.Min(Tile, n - i), Math.Min(Tile, n - j));
    }

    private static Tensor Upper(Tensor matrix, long i, long j, long rows, long columns) =>
        matrix.narrow(0, i, rows).narrow(1, j, columns);

    private static Tensor Lower(Tensor matrix, long i, long j, long rows, long columns) =>
        matrix.narrow(0, j, columns).narrow(1, i, rows).t();

    /// <summary>On one tile pair: whether <c>|a - b| &lt;= atol + rtol min(|a|, |b|)</c> everywhere (close), and
    /// whether <c>a == b</c> everywhere (exact, which implies close).</summary>
    private static (bool Close, bool Exact) Compare(Tensor matrix, (long I, long J, long Rows, long Columns) pair)
    {
        using var scope = NewDisposeScope();
        var upper = Upper(matrix, pair.I, pair.J, pair.Rows, pair.Columns);
        var lower = Lower(matrix, pair.I, pair.J, pair.Rows, pair.Columns).contiguous();
        var difference = (upper - lower).abs_();
        if (!difference.any().item<bool>()) return (true, true);
        using var relativeTolerance = 1e-5.ToScalar();
        using var absoluteTolerance = 1e-10.ToScalar();
        var excess = difference.sub_(minimum(upper.abs(), lower.abs()).mul_(relativeTolerance));
        return (!excess.gt(absoluteTolerance).any().item<bool>(), false);
    }
}
