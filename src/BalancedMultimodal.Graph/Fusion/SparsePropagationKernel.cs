using BalancedMultimodal.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// S as sparse COO row blocks with about K non-zeros per row: <c>S (S A)^T</c> = <c>(S A S^T)^T</c> through two
/// sparse-dense products (<see cref="WritesTranspose"/>), O(n^2 K) time. libtorch's COO x dense product runs on one
/// thread, so the rows of S are split into one block per torch thread and the blocks run in parallel, each writing its
/// own slice of the result (the first product writes straight into the transposed layout the second one needs, the
/// caller's scratch buffer).
/// </summary>
internal sealed class SparsePropagationKernel : IPropagationKernel
{
    private readonly (long Start, long Length, Tensor Block)[] _blocks;

    /// <summary>Builds the row blocks from the kept entries (row-major <paramref name="indices"/>, shape (2, nnz)).</summary>
    public SparsePropagationKernel(Tensor indices, Tensor values, long n)
    {
        int blockCount = (int)Math.Max(1, Math.Min(get_num_threads(), n / 128));
        _blocks = new (long, long, Tensor)[blockCount];
        using var scope = NewDisposeScope();
        var rows = indices[0];
        for (int b = 0; b < blockCount; b++)
        {
            long start = n * b / blockCount, end = n * (b + 1) / blockCount;
            var inBlock = rows.GreaterThanOrEqual(start).logical_and(rows.LessThan(end)).nonzero().squeeze(1);
            var blockIndices = indices.index_select(1, inBlock);
            using var startScalar = start.ToScalar();
            var local = stack(new[] { blockIndices[0].sub(startScalar), blockIndices[1] });
            var block = sparse_coo_tensor(local, values.index_select(0, inBlock), new[] { end - start, n });
            _blocks[b] = (start, end - start, block.DetachFromDisposeScope());
        }
    }

    /// <inheritdoc />
    public bool WritesTranspose => true;

    public void Propagate(Tensor a, Tensor result, Tensor scratch, double divisor)
    {
        var transposed = scratch;
        // transposed[:, rows] = (S[rows] A)^T, so transposed = (S A)^T.
        Run(block =>
        {
            // Worker threads have no dispose scope: every tensor, views included, is disposed here.
            using var product = block.Block.mm(a);
            using var productTransposed = product.t();
            using var target = transposed.narrow(1, block.Start, block.Length);
            target.copy_(productTransposed);
        });
        Run(block =>
        {
            using var product = block.Block.mm(transposed);
            using var target = result.narrow(0, block.Start, block.Length);
            target.copy_(product);
        });
        UpdateDivision.Apply(result, divisor);
    }

    private void Run(Action<(long Start, long Length, Tensor Block)> work)
    {
        if (_blocks.Length == 1) work(_blocks[0]);
        else Parallel.ForEach(_blocks, new ParallelOptions { MaxDegreeOfParallelism = _blocks.Length }, work);
    }

    public void Dispose()
    {
        foreach (var block in _blocks) block.Block.Dispose();
    }
}
