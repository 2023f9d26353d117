using System.Runtime.InteropServices;

namespace BalancedMultimodal.Cli.Commands;

/// <summary>
/// Keeps glibc from hoarding freed n x n matrices. glibc raises its mmap threshold (up to 32 MB) each time a large
/// block is freed, after which matrices below 32 MB (n &lt;= 2000 in float64) come from the heap and fragment it; a
/// long fusion then grows the resident set by gigabytes. A fixed threshold (which also disables the dynamic raise)
/// makes every large block its own mapping, returned to the system when freed. No effect off glibc.
/// </summary>
internal static class GlibcHeap
{
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    /// <summary>Sets a fixed 128 KiB mmap threshold on Linux/glibc; silently does nothing elsewhere.</summary>
    public static void ReturnLargeBlocksToSystem()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallOpt(MmapThreshold, 128 * 1024);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): nothing to tune.
        }
    }
}
