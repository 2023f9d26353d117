using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// Creates the fusion loop's n x n buffers and, on Linux CPUs, asks the kernel to back them with transparent huge pages
/// (<c>madvise(MADV_HUGEPAGE)</c> before first touch; effective when
/// <c>/sys/kernel/mm/transparent_hugepage/enabled</c> is <c>madvise</c> or <c>always</c>). The row-gather products
/// read K scattered rows per output row: with 4 KiB pages a float64 matrix of n = 5000 spans 49,000 pages, far more than
/// the TLB holds, and every gathered row is a TLB miss; with 2 MiB pages it spans 100. Measured on the project machine
/// (alternating runs, two threads): fusion at n = 875 0.96 s with huge pages vs 1.06-1.19 s without; at n = 5000 no
/// difference in the whole fusion, although a micro-benchmark of one product gave 164 vs 238 ms. Only a hint:
/// elsewhere, or when refused, nothing changes, and the values are the same either way.
/// </summary>
internal static class HugePageAdvice
{
    private const int MadviseHugePage = 14; // MADV_HUGEPAGE (Linux)
    private const long HugePage = 2L << 20;

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);

    /// <summary>A copy of <paramref name="source"/> (contiguous) in a fresh buffer advised for huge pages.</summary>
    public static Tensor Copy(Tensor source) => Empty(source).copy_(source);

    /// <summary>An uninitialised contiguous tensor shaped like <paramref name="like"/>, advised for huge pages.</summary>
    public static Tensor Empty(Tensor like)
    {
        var result = empty(like.shape, dtype: like.dtype, device: like.device);
        long bytes = result.numel() * result.element_size();
        if (!OperatingSystem.IsLinux() || !HostTensor.IsUsable(result) || bytes < 2 * HugePage)
            return result;
        try
        {
            unsafe
            {
                fixed (byte* start = result.bytes)
                {
                    // madvise wants a page-aligned range: advise the whole huge pages inside the buffer.
                    long first = ((long)start + HugePage - 1) / HugePage * HugePage;
                    long last = ((long)start + bytes) / HugePage * HugePage;
                    if (last > first) _ = Madvise((nint)first, (nuint)(last - first), MadviseHugePage);
                }
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc madvise: ordinary pages.
        }
        return result;
    }
}
