using System.Numerics;
using System.Runtime.CompilerServices;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// The CPU kernel behind <see cref="HostSparsePropagationKernel{T}"/>: <c>out = S X</c> for a CSR matrix S with about K
/// non-zeros per row and a dense, row-major n x n X, i.e. <c>out[i, :] = sum_p S[i, c_p] X[c_p, :]</c>
/// (n^2 K multiply-adds). Columns are walked in tiles of eight SIMD vectors (32 float64 on AVX2) held in registers,
/// rows inside a tile, so the tile's slice of X (n x 256 bytes) stays in the core's L2 cache while every row gathers
/// its K neighbour rows from it; each loaded element is used once, so the kernel is bound by load bandwidth, not by
/// arithmetic. The result can be written transposed (<c>out^T</c>), which saves the separate transpose the second
/// product of <c>S A S^T</c> needs.
/// </summary>
internal static unsafe class RowGatherProduct
{
    /// <summary>
    /// Computes rows <paramref name="rowStart"/> to <paramref name="rowEnd"/> (exclusive) of <c>scale S X</c> into
    /// <paramref name="output"/> (row-major n x n), or into its transpose when <paramref name="transposed"/> is set.
    /// </summary>
    public static void Multiply<T>(CsrMatrix<T> s, T* input, T* output, int rowStart, int rowEnd, T scale, bool transposed)
        where T : unmanaged, INumber<T>
    {
        int n = s.Size;
        int width = Vector<T>.Count;
        int tile = 8 * width;
        int wide = n / tile * tile;
        int narrow = n / width * width;
        // Transposed output: a band of RowBand rows is computed into this buffer, then written as RowBand contiguous
        // elements of each of the tile's columns (whole cache lines, one page touch per column and band instead of
        // one per column and row).
        T* buffer = stackalloc T[tile * RowBand];
        fixed (int* starts = s.RowStarts, columns = s.Columns)
        fixed (T* values = s.Values)
        {
            for (int j0 = 0; j0 < wide; j0 += tile)
            {
                for (int i = rowStart; i < rowEnd; i++)
                {
                    Vector<T> a0 = Vector<T>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                    for (int p = starts[i], end = starts[i + 1]; p < end; p++)
                    {
                        var v = new Vector<T>(values[p]);
                        T* r = input + (long)columns[p] * n + j0;
                        a0 += v * Load(r);
                        a1 += v * Load(r + width);
                        a2 += v * Load(r + 2 * width);
                        a3 += v * Load(r + 3 * width);
                        a4 += v * Load(r + 4 * width);
                        a5 += v * Load(r + 5 * width);
                        a6 += v * Load(r + 6 * width);
                        a7 += v * Load(r + 7 * width);
                    }
                    if (scale != T.One)
                    {
                        var factor = new Vector<T>(scale);
                        a0 *= factor; a1 *= factor; a2 *= factor; a3 *= factor;
                        a4 *= factor; a5 *= factor; a6 *= factor; a7 *= factor;
                    }
                    if (!transposed)
                    {
                        T* o = output + (long)i * n + j0;
                        Store(o, a0); Store(o + width, a1);
                        Store(o + 2 * width, a2); Store(o + 3 * width, a3);
                        Store(o + 4 * width, a4); Store(o + 5 * width, a5);
                        Store(o + 6 * width, a6); Store(o + 7 * width, a7);
                        continue;
                    }
                    int band = (i - rowStart) % RowBand;
                    T* b = buffer + band * tile;
                    Store(b, a0); Store(b + width, a1);
                    Store(b + 2 * width, a2); Store(b + 3 * width, a3);
                    Store(b + 4 * width, a4); Store(b + 5 * width, a5);
                    Store(b + 6 * width, a6); Store(b + 7 * width, a7);
                    if (band == RowBand - 1 || i == rowEnd - 1)
                    {
                        int first = i - band;
                        for (int q = 0; q < tile; q++)
                        {
                            T* column = output + (long)(j0 + q) * n + first;
                            for (int r = 0; r <= band; r++) column[r] = buffer[r * tile + q];
                        }
                    }
                }
            }
            for (int j0 = wide; j0 < narrow; j0 += width)
            {
                for (int i = rowStart; i < rowEnd; i++)
                {
                    var a = Vector<T>.Zero;
                    for (int p = starts[i], end = starts[i + 1]; p < end; p++)
                        a += new Vector<T>(values[p]) * Load(input + (long)columns[p] * n + j0);
                    a *= new Vector<T>(scale);
                    if (!transposed) { Store(output + (long)i * n + j0, a); continue; }
                    Store(buffer, a);
                    for (int q = 0; q < width; q++) output[(long)(j0 + q) * n + i] = buffer[q];
                }
            }
            for (int i = rowStart; i < rowEnd; i++)
            {
                for (int j = narrow; j < n; j++)
                {
                    T sum = T.Zero;
                    for (int p = starts[i], end = starts[i + 1]; p < end; p++) sum += values[p] * input[(long)columns[p] * n + j];
                    output[transposed ? (long)j * n + i : (long)i * n + j] = sum * scale;
                }
            }
        }
    }

    /// <summary>Rows per band of the transposed write: 8 float64 = one 64-byte cache line per column.</summary>
    private const int RowBand = 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Load<T>(T* source) where T : unmanaged => Unsafe.ReadUnaligned<Vector<T>>(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* target, Vector<T> value) where T : unmanaged => Unsafe.WriteUnaligned(target, value);
}
