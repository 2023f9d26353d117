using System.Numerics;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// Element-wise steps of the fusion loop done in one pass over host memory when the tensors allow it
/// (<see cref="HostTensor.IsUsable"/>), instead of libtorch's two (<c>copy_</c> then <c>sub_</c> into a reused buffer).
/// </summary>
internal static unsafe class HostElementwise
{
    /// <summary>
    /// <c>result = a - b</c> element by element (same rounding as libtorch's subtraction); false, with nothing
    /// written, when the tensors are not usable in place (<see cref="HostTensor.IsUsable"/>) or differ in dtype or size.
    /// </summary>
    public static bool TrySubtract(Tensor a, Tensor b, Tensor result)
    {
        if (!HostTensor.IsUsable(a) || !HostTensor.IsUsable(b) || !HostTensor.IsUsable(result))
            return false;
        if (a.dtype != b.dtype || a.dtype != result.dtype || a.numel() != b.numel() || a.numel() != result.numel())
            return false;
        if (a.dtype == ScalarType.Float64) Subtract<double>(a, b, result);
        else Subtract<float>(a, b, result);
        return true;
    }

    private static void Subtract<T>(Tensor a, Tensor b, Tensor result) where T : unmanaged, INumber<T>
    {
        long count = a.numel();
        fixed (byte* pa = a.bytes, pb = b.bytes, pr = result.bytes)
        {
            nint x = (nint)pa, y = (nint)pb, z = (nint)pr;
            int blocks = (int)Math.Max(1, Math.Min(get_num_threads(), count / (1 << 18)));
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = blocks }, block =>
            {
                long start = count * block / blocks, end = count * (block + 1) / blocks;
                T* left = (T*)x, right = (T*)y, target = (T*)z;
                int width = Vector<T>.Count;
                long i = start;
                for (; i + width <= end; i += width)
                    Unsafe.WriteUnaligned(target + i,
                        Unsafe.ReadUnaligned<Vector<T>>(left + i) - Unsafe.ReadUnaligned<Vector<T>>(right + i));
                for (; i < end; i++) target[i] = left[i] - right[i];
            });
        }
    }
}
