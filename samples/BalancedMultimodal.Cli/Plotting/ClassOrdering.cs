namespace BalancedMultimodal.Cli.Plotting;

/// <summary>
/// A permutation of samples that groups them by class: all rows of class 0 (in their original order), then class 1,
/// and so on; with the block boundaries, so a similarity matrix reordered by it shows one diagonal block per class.
/// </summary>
public sealed class ClassOrdering
{
    private readonly int[] _order;
    private readonly int[] _starts;
    private readonly int[] _labels;

    private ClassOrdering(int[] order, int[] starts, int[] labels)
    {
        _order = order;
        _starts = starts;
        _labels = labels;
    }

    /// <summary>Position p of the ordering holds original row <c>Order[p]</c>.</summary>
    public IReadOnlyList<int> Order => _order;

    /// <summary>C + 1 block boundaries: class c occupies positions [Starts[c], Starts[c + 1]).</summary>
    public IReadOnlyList<int> Starts => _starts;

    /// <summary>Number of classes C.</summary>
    public int ClassCount => _starts.Length - 1;

    /// <summary>Groups the rows by class, keeping the original order within a class (a stable sort by label).</summary>
    /// <param name="labels">Class of each row, each in [0, C).</param>
    /// <param name="classCount">C (at least 1).</param>
    /// <exception cref="ArgumentException">When a label lies outside [0, C), naming the row.</exception>
    public static ClassOrdering ByClass(IReadOnlyList<int> labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var counts = new int[classCount];
        for (int i = 0; i < labels.Count; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"Row {i} has label {labels[i]}, outside [0, {classCount}).", nameof(labels));
            counts[labels[i]]++;
        }
        var starts = new int[classCount + 1];
        for (int c = 0; c < classCount; c++) starts[c + 1] = starts[c] + counts[c];
        var next = starts[..classCount];
        var order = new int[labels.Count];
        for (int i = 0; i < labels.Count; i++) order[next[labels[i]]++] = i;
        return new ClassOrdering(order, starts, labels.ToArray());
    }

    /// <summary>The square matrix with rows and columns permuted: result[p, q] = matrix[Order[p], Order[q]].</summary>
    /// <exception cref="ArgumentException">When the matrix is not N x N for the N rows of this ordering.</exception>
    public double[,] Reorder(double[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = _order.Length;
        if (matrix.GetLength(0) != n || matrix.GetLength(1) != n)
            throw new ArgumentException($"The matrix is {matrix.GetLength(0)} x {matrix.GetLength(1)} but the ordering has {n} rows.", nameof(matrix));
        var result = new double[n, n];
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++)
                result[p, q] = matrix[_order[p], _order[q]];
        return result;
    }

    /// <summary>
    /// The mean similarity between the rows of class a and class b, leaving out the diagonal (self-similarity):
    /// B[a, b] = mean over i in a, j in b, i != j of S[i, j]; NaN for a block with no such pair.
    /// </summary>
    /// <param name="matrix">The N x N similarity matrix in the ORIGINAL row order.</param>
    /// <exception cref="ArgumentException">When the matrix is not N x N.</exception>
    public double[,] BlockMeans(double[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var labels = _labels;
        int n = _order.Length;
        if (matrix.GetLength(0) != n || matrix.GetLength(1) != n)
            throw new ArgumentException($"The matrix is {matrix.GetLength(0)} x {matrix.GetLength(1)} but the ordering has {n} rows.", nameof(matrix));
        int c = ClassCount;
        var sums = new double[c, c];
        var counts = new long[c, c];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j) continue;
                sums[labels[i], labels[j]] += matrix[i, j];
                counts[labels[i], labels[j]]++;
            }
        var means = new double[c, c];
        for (int a = 0; a < c; a++)
            for (int b = 0; b < c; b++)
                means[a, b] = counts[a, b] > 0 ? sums[a, b] / counts[a, b] : double.NaN;
        return means;
    }
}
