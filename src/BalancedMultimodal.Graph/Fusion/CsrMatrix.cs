namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// A square sparse matrix in compressed sparse row form on the managed heap: the non-zeros of row i are
/// <c>Values[RowStarts[i] .. RowStarts[i + 1])</c> in columns <c>Columns[...]</c>.
/// </summary>
internal sealed class CsrMatrix<T> where T : unmanaged
{
    public CsrMatrix(int size, int[] rowStarts, int[] columns, T[] values)
    {
        Size = size;
        RowStarts = rowStarts;
        Columns = columns;
        Values = values;
    }

    /// <summary>n, the number of rows and columns.</summary>
    public int Size { get; }

    /// <summary>n + 1 offsets into <see cref="Columns"/> and <see cref="Values"/>.</summary>
    public int[] RowStarts { get; }

    /// <summary>Column of every non-zero, row by row.</summary>
    public int[] Columns { get; }

    /// <summary>Value of every non-zero, row by row.</summary>
    public T[] Values { get; }
}
