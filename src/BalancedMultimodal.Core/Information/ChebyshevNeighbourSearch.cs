using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Brute-force, block-wise max-norm (Chebyshev) neighbour search on tensors: d_inf(a, b) = max_c |a_c - b_c|.
/// Query rows are processed in blocks of b rows against all n rows, so memory stays O(b n) while the work is
/// O(n^2 d); every block is computed with <c>torch.cdist(p = inf)</c>, which evaluates |a_c - b_c| exactly.
/// </summary>
internal static class ChebyshevNeighbourSearch
{
    /// <summary>Upper bound on the elements of one (b, n) distance block times the dimension.</summary>
    public const long ElementBudget = 64L * 1024 * 1024;

    /// <summary>Rows per block: the configured size when positive, else the largest b with b * n * max(d, 4)
    /// under <see cref="ElementBudget"/> (at least 1, at most n).</summary>
    public static long BlockRows(long n, long d, int configured)
    {
        if (configured > 0) return Math.Min(configured, n);
        long perRow = n * Math.Max(d, 4);
        return Math.Clamp(ElementBudget / Math.Max(perRow, 1), 1, n);
    }

    /// <summary>Max-norm distances from <paramref name="points"/>[start..start+length) to every row, shape (length, n).</summary>
    public static Tensor Distances(Tensor points, long start, long length) =>
        cdist(points.narrow(0, start, length), points, p: double.PositiveInfinity);

    /// <summary>
    /// The largest float64 strictly below r (r itself when r = 0): counting d &lt;= that radius reproduces
    /// scikit-learn's <c>query_radius(r = np.nextafter(eps, 0))</c>, i.e. d &lt; eps for eps &gt; 0 and d = 0 for eps = 0.
    /// </summary>
    public static Tensor RadiusBelow(Tensor eps) => eps.nextafter(zeros_like(eps));

    /// <summary>
    /// Distance from each row to its k-th nearest other row (self excluded; duplicates count as neighbours at
    /// distance 0), shape (n).
    /// </summary>
    public static Tensor KthNeighbourDistance(Tensor points, int k, int configuredBlock) =>
        // The row itself sits at distance 0, the smallest value, so the (k+1)-th smallest distance of the row is the
        // k-th smallest over the other rows even when duplicates tie with it at 0.
        MapRowBlocks(points, configuredBlock, (d, _, _) => d.topk(k + 1, dim: 1, largest: false, sorted: true).values.select(1, k));

    /// <summary>
    /// For each row i, the number of rows j (i included) with d_inf(p_i, p_j) &lt;= radius_i, shape (n), int64.
    /// </summary>
    public static Tensor CountWithin(Tensor points, Tensor radius, int configuredBlock) =>
        MapRowBlocks(points, configuredBlock, (d, start, length) =>
            d.le(radius.narrow(0, start, length).unsqueeze(1)).sum(1, type: ScalarType.Int64));

    /// <summary>Applies <paramref name="reduce"/> to the (b, n) distance block of every block of b query rows and
    /// concatenates the per-row results; only one block of distances exists at a time.</summary>
    private static Tensor MapRowBlocks(Tensor points, int configuredBlock, Func<Tensor, long, long, Tensor> reduce)
    {
        long n = points.shape[0];
        long block = BlockRows(n, points.shape[1], configuredBlock);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < n; start += block)
            {
                // One scope per block: the block's distances and the reduction's temporaries are freed before the
                // next block is computed, so at most one (b, n) distance block exists at a time.
                using var scope = NewDisposeScope();
                long length = Math.Min(block, n - start);
                parts.Add(reduce(Distances(points, start, length), start, length).MoveToOuterDisposeScope());
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }
}
