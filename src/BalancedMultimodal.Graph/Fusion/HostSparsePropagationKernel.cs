using System.Numerics;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// <c>S A S^T</c> on the CPU with S in compressed sparse row form and <see cref="RowGatherProduct"/> working on the
/// tensors' memory in place: first <c>(S A)^T</c> written straight into the transposed layout, then
/// <c>S (S A)^T</c> = <c>(S A S^T)^T</c> (<see cref="WritesTranspose"/>; equal to <c>S A S^T</c> up to rounding for
/// symmetric A, and <see cref="SimilarityNetworkFusion"/> feeds A^T otherwise). 2 n^2 K multiply-adds, rows split into
/// one contiguous block per torch thread with about equal non-zeros. Memory: the caller's result and scratch buffers,
/// plus the CSR arrays (about 12 n K bytes). Used by <see cref="FusionProductPath.Sparse"/> for tensors that
/// <see cref="HostTensor.IsUsable"/> accepts; others use <see cref="SparsePropagationKernel"/>.
/// </summary>
internal sealed class HostSparsePropagationKernel<T> : IPropagationKernel where T : unmanaged, INumber<T>
{
    private readonly CsrMatrix<T> _s;
    private readonly int[] _blockStarts;


    /// <summary>Builds S from row-major <paramref name="indices"/> (shape (2, nnz), rows ascending) and values.</summary>
    public HostSparsePropagationKernel(Tensor indices, Tensor values, int n)
    {
        long[] rows, columns;
        using (var cpuIndices = indices.cpu())
        {
            rows = cpuIndices[0].data<long>().ToArray();
            columns = cpuIndices[1].data<long>().ToArray();
        }
        T[] entries;
        using (var cpuValues = values.cpu()) entries = cpuValues.data<T>().ToArray();
        var starts = new int[n + 1];
        foreach (long r in rows) starts[r + 1]++;
        for (int i = 0; i < n; i++) starts[i + 1] += starts[i];
        _s = new CsrMatrix<T>(n, starts, Array.ConvertAll(columns, c => (int)c), entries);

        int blockCount = (int)Math.Max(1, Math.Min(get_num_threads(), n / 64));
        _blockStarts = new int[blockCount + 1];
        int row = 0;
        for (int b = 1; b < blockCount; b++)
        {
            long target = (long)entries.Length * b / blockCount;
            while (row < n && starts[row] < target) row++;
            _blockStarts[b] = row;
        }
        _blockStarts[blockCount] = n;
    }

    /// <inheritdoc />
    public bool WritesTranspose => true;

    public void Propagate(Tensor a, Tensor result, Tensor scratch, double divisor)
    {
        using var input = a.is_contiguous() ? a.alias() : a.contiguous();
        // The division is folded into the second product's stores as a multiplication by 1 / divisor: exact for
        // snfpy's default m = 3 views (1 / 2), within one rounding otherwise.
        Multiply(input, scratch, T.One, transposedOutput: true);
        Multiply(scratch, result, T.CreateChecked(1.0 / divisor), transposedOutput: false);
    }

    private unsafe void Multiply(Tensor input, Tensor output, T scale, bool transposedOutput)
    {
        fixed (byte* source = input.bytes, target = output.bytes)
        {
            T* x = (T*)source, y = (T*)target;
            int blocks = _blockStarts.Length - 1;
            if (blocks == 1)
            {
                RowGatherProduct.Multiply(_s, x, y, 0, _s.Size, scale, transposedOutput);
                return;
            }
            nint xAddress = (nint)x, yAddress = (nint)y;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = blocks }, b =>
                RowGatherProduct.Multiply(_s, (T*)xAddress, (T*)yAddress, _blockStarts[b], _blockStarts[b + 1], scale, transposedOutput));
        }
    }

    public void Dispose()
    {
        // Managed arrays only.
    }
}
