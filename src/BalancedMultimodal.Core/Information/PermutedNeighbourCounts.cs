namespace BalancedMultimodal.Core.Information;

/// <summary>
/// The neighbour counts of the KSG estimator (algorithm 1) for the pairs (x_i, y_pi(i)) of many permutations pi,
/// computed on the host from the Chebyshev distance matrices D_X and D_Y of the unpermuted samples, without forming
/// any permuted n x n matrix. For row i: eps_i = the (k+1)-th smallest of max(D_X[i, j], D_Y[pi(i), pi(j)]) over all j
/// (the row itself is the smallest, at 0), r_i = nextafter(eps_i, 0), n_x(i) + 1 = #{j : D_X[i, j] &lt;= r_i} and
/// n_y(i) + 1 = #{j : D_Y[pi(i), j] &lt;= r_i} (pi is a bijection, so the count runs over a whole row of the unpermuted
/// D_Y). The same selections and comparisons as the tensor path of <see cref="KsgEstimator"/>, so the counts are
/// identical integers.
/// </summary>
/// <remarks>
/// Every row of D_X and D_Y is sorted once (O(n^2 log n), shared by all permutations). Per permutation, row i then
/// visits its X neighbours in ascending order and stops at the first whose X distance alone reaches the current
/// (k+1)-th smallest joint value (max(a, b) &gt;= a, so no later pair can enter): about n_x(i) reads instead of n; the
/// two counts are binary searches in the sorted rows. Memory: three n x n float64 matrices and one int32 matrix.
/// </remarks>
internal sealed class PermutedNeighbourCounts
{
    private readonly int _n;
    private readonly int _k;
    private readonly double[] _sortedX;
    private readonly int[] _orderX;
    private readonly double[] _sortedY;
    private readonly double[] _distancesY;

    /// <summary>Sorts the rows of both distance matrices.</summary>
    /// <param name="distancesX">D_X, row-major n x n.</param>
    /// <param name="distancesY">D_Y, row-major n x n (kept: the pairs' Y distances are read from it).</param>
    /// <param name="n">The number of samples.</param>
    /// <param name="k">The KSG k &gt;= 1 (k + 1 &lt;= n).</param>
    public PermutedNeighbourCounts(ReadOnlySpan<double> distancesX, double[] distancesY, int n, int k)
    {
        _n = n;
        _k = k;
        _distancesY = distancesY;
        _sortedX = distancesX.ToArray();
        _orderX = new int[n * n];
        _sortedY = (double[])distancesY.Clone();
        for (int i = 0; i < n; i++)
        {
            var order = _orderX.AsSpan(i * n, n);
            for (int j = 0; j < n; j++) order[j] = j;
            _sortedX.AsSpan(i * n, n).Sort(order);
            _sortedY.AsSpan(i * n, n).Sort();
        }
    }

    /// <summary>Fills <paramref name="countX"/> and <paramref name="countY"/> (length n; the counts include the row itself) for one permutation.</summary>
    /// <param name="permutation">pi, a permutation of 0..n-1 (checked by the caller).</param>
    /// <param name="countX">Receives #{j : D_X[i, j] &lt;= r_i} per row.</param>
    /// <param name="countY">Receives #{j : D_Y[pi(i), j] &lt;= r_i} per row.</param>
    public void Compute(ReadOnlySpan<long> permutation, Span<double> countX, Span<double> countY)
    {
        int n = _n;
        Span<double> smallest = stackalloc double[_k + 1];
        for (int i = 0; i < n; i++)
        {
            int rowY = (int)permutation[i] * n;
            var sortedX = _sortedX.AsSpan(i * n, n);
            double eps = KthSmallestJoint(sortedX, _orderX.AsSpan(i * n, n), _distancesY.AsSpan(rowY, n), permutation, smallest);
            double radius = eps > 0 ? Math.BitDecrement(eps) : eps;      // torch.nextafter(eps, 0)
            countX[i] = CountAtMost(sortedX, radius);
            countY[i] = CountAtMost(_sortedY.AsSpan(rowY, n), radius);
        }
    }

    /// <summary>The (k+1)-th smallest of max(D_X[i, j], D_Y[pi(i), pi(j)]), k + 1 = buffer length, duplicates counted
    /// (topk semantics), visiting j in ascending D_X[i, j] until that alone reaches the buffer's largest value.</summary>
    private static double KthSmallestJoint(ReadOnlySpan<double> sortedX, ReadOnlySpan<int> orderX, ReadOnlySpan<double> rowY,
        ReadOnlySpan<long> permutation, Span<double> buffer)
    {
        int size = buffer.Length, filled = 0;
        for (int t = 0; t < sortedX.Length; t++)
        {
            double x = sortedX[t];
            if (filled == size && x >= buffer[size - 1]) break;
            double value = Math.Max(x, rowY[(int)permutation[orderX[t]]]);
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

    /// <summary>#{values &lt;= radius} in an ascending row (upper-bound binary search).</summary>
    private static int CountAtMost(ReadOnlySpan<double> sorted, double radius)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (sorted[middle] <= radius) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}
