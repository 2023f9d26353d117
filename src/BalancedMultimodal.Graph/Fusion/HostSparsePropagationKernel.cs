using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// <c>S A S^T</c> on the CPU with S in compressed sparse row form and <see cref="RowGatherProduct"/> working on the
/// tensors' memory in place: first <c>(S A)^T</c> written straight into the transposed layout, then
/// <c>S (S A)^T</c> = <c>S A S^T</c> for symmetric A. 2 n^2 K multiply-adds, rows split into one contiguous block per
/// torch thread with about equal non-zeros. Memory: one n x n buffer (kept between calls) besides the result. Used by
/// <see cref="FusionProductPath.Sparse"/> for contiguous CPU tensors of at most <see cref="MaxSize"/> rows (the raw
/// span of a tensor is limited to 2^31 bytes); other devices use <see cref="SparsePropagationKernel"/>.
/// </summary>
internal sealed class HostSparsePropagationKernel<T> : IPropagationKernel where T : unmanaged, INumber<T>
{
    private readonly CsrMatrix<T> _s;
    private readonly int[] _blockStarts;
    private Tensor? _transposed;

    /// <summary>Largest n whose n x n matrix of T fits one span (2^31 - 1 bytes).</summary>
    public static int MaxSize { get; } = (int)Math.Floor(Math.Sqrt(int.MaxValue / (double)System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));

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

    public void Propagate(Tensor a, Tensor result)
    {
        int n = _s.Size;
        using var input = a.is_contiguous() ? a.alias() : a.contiguous();
        // The intermediate (S A)^T is kept between calls: a fresh n x n buffer per call costs n^2 / 512 page faults
        // on first touch, which on a virtual machine took as long as the product itself.
        if (_transposed is null || _transposed.dtype != a.dtype || _transposed.device != a.device)
        {
            _transposed?.Dispose();
            _transposed = empty(n, n, dtype: a.dtype, device: a.device).DetachFromDisposeScope();
        }
        if (!result.is_contiguous())
            throw new ArgumentException("The result of the host kernel must be a contiguous tensor.", nameof(result));
        Multiply(input, _transposed, transposedOutput: true);
        Multiply(_transposed, result, transposedOutput: false);
    }

    private unsafe void Multiply(Tensor input, Tensor output, bool transposedOutput)
    {
        fixed (byte* source = input.bytes, target = output.bytes)
        {
            T* x = (T*)source, y = (T*)target;
            int blocks = _blockStarts.Length - 1;
            if (blocks == 1)
            {
                RowGatherProduct.Multiply(_s, x, y, 0, _s.Size, transposedOutput);
                return;
            }
            nint xAddress = (nint)x, yAddress = (nint)y;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = blocks }, b =>
                RowGatherProduct.Multiply(_s, (T*)xAddress, (T*)yAddress, _blockStarts[b], _blockStarts[b + 1], transposedOutput));
        }
    }

    public void Dispose()
    {
        _transposed?.Dispose();
        _transposed = null;
    }
}
