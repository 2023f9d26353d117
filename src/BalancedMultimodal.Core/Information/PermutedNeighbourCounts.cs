using System.Numerics;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// The neighbour counts of the KSG estimator (algorithm 1) for the pairs (x_i, y_pi(i)), computed on the host from the
/// cached Chebyshev distance matrices D_X and D_Y of the unpermuted samples, without forming the permuted n x n matrix.
/// For row i: eps_i = the (k+1)-th smallest of max(D_X[i, j], D_Y[pi(i), pi(j)]) over all j (the row itself is the
/// smallest, at 0), r_i = nextafter(eps_i, 0), n_x(i) + 1 = #{j : D_X[i, j] &lt;= r_i} and
/// n_y(i) + 1 = #{j : D_Y[pi(i), j] &lt;= r_i} (the permutation is a bijection, so the count over row pi(i) of D_Y needs no
/// gather). The same selections and comparisons as the tensor path of <see cref="KsgEstimator"/>, so the counts are
/// identical integers; per row the joint needs n gathered reads, the counts two SIMD passes.
/// </summary>
internal static class PermutedNeighbourCounts
{
    /// <summary>Fills <paramref name="countX"/> and <paramref name="countY"/> (length n; the counts including the row itself) for one permutation.</summary>
    /// <param name="distancesX">D_X, row-major n x n.</param>
    /// <param name="distancesY">D_Y, row-major n x n.</param>
    /// <param name="permutation">pi, a permutation of 0..n-1 (checked by the caller).</param>
    /// <param name="k">The KSG k &gt;= 1 (k + 1 &lt;= n).</param>
    /// <param name="countX">Receives #{j : D_X[i, j] &lt;= r_i} per row.</param>
    /// <param name="countY">Receives #{j : D_Y[pi(i), j] &lt;= r_i} per row.</param>
    public static void Compute(ReadOnlySpan<double> distancesX, ReadOnlySpan<double> distancesY, ReadOnlySpan<long> permutation, int k,
        Span<double> countX, Span<double> countY)
    {
        int n = permutation.Length;
        Span<double> smallest = stackalloc double[k + 1];
        for (int i = 0; i < n; i++)
        {
            var rowX = distancesX.Slice(i * n, n);
            var rowY = distancesY.Slice((int)permutation[i] * n, n);
            double eps = KthSmallestJoint(rowX, rowY, permutation, smallest);
            double radius = eps > 0 ? Math.BitDecrement(eps) : eps;      // torch.nextafter(eps, 0)
            countX[i] = CountAtMost(rowX, radius);
            countY[i] = CountAtMost(rowY, radius);
        }
    }

    /// <summary>The (k+1)-th smallest of max(rowX[j], rowY[pi(j)]), k + 1 = buffer length, duplicates counted (topk semantics).</summary>
    private static double KthSmallestJoint(ReadOnlySpan<double> rowX, ReadOnlySpan<double> rowY, ReadOnlySpan<long> permutation, Span<double> buffer)
    {
        int size = buffer.Length, filled = 0;
        for (int j = 0; j < rowX.Length; j++)
        {
            double value = Math.Max(rowX[j], rowY[(int)permutation[j]]);
            if (filled == size && value >= buffer[size - 1]) continue;
            int position = filled < size ? filled++ : size - 1;
            while (position > 0 && buffer[position - 1] > value)
            {
                buffer[position] = buffer[position - 1];
                position--;
            }
            buffer[position] = value;
        }
        return buffer[size - 1];
    }

    private static int CountAtMost(ReadOnlySpan<double> row, double radius)
    {
        int count = 0, j = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<double>.Count)
        {
            var limit = new Vector<double>(radius);
            var hits = Vector<long>.Zero;
            for (; j <= row.Length - Vector<double>.Count; j += Vector<double>.Count)
                hits -= Vector.LessThanOrEqual(new Vector<double>(row.Slice(j, Vector<double>.Count)), limit);
            count = (int)Vector.Sum(hits);
        }
        for (; j < row.Length; j++)
            if (row[j] <= radius) count++;
        return count;
    }
}
