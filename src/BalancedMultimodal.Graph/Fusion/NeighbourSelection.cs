using BalancedMultimodal.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// snfpy's <c>_find_dominate_set</c>: keeps, in every row, the entries at or above the row's
/// <c>100 (1 - K / n)</c>-th percentile (numpy's default linear interpolation) and row-normalises them.
/// </summary>
/// <remarks>
/// Without ties this keeps exactly the K largest entries of each row (self included); with ties at the cut every tied
/// entry is kept, as in snfpy. The percentile is reproduced step by step (numpy &gt;= 1.22 <c>_lerp</c>), so the kept
/// set is snfpy's even when the K-th and (K+1)-th values are within rounding of each other.
/// </remarks>
internal static class NeighbourSelection
{
    /// <summary>
    /// Returns the keep mask (n, n) of the sparse kernel. Only columns in <paramref name="availableColumns"/> compete
    /// (null = all), and the percentile is taken over those <paramref name="availableCount"/> entries.
    /// </summary>
    public static Tensor KeepMask(Tensor w, int k, long availableCount, Tensor? availableColumns)
    {
        using var scope = NewDisposeScope();
        double cutoff = 100 - (100 * ((double)k / availableCount));
        double quantile = cutoff / 100;
        double virtualIndex = (availableCount - 1) * quantile;
        long below = (long)Math.Floor(virtualIndex);
        double gamma = virtualIndex - below;
        // Ascending index j is descending rank (count - 1 - j); fetch ranks up to the one of `below`.
        int needed = (int)(availableCount - below);
        // Affinities are non-negative, so -1 never competes with an available entry.
        using var unavailable = (-1.0).ToScalar();
        var candidates = availableColumns is null ? w : w.masked_fill(availableColumns.logical_not().unsqueeze(0), unavailable);
        var top = candidates.topk(needed, dim: 1, largest: true, sorted: true).values;
        var lower = top[TensorIndex.Colon, needed - 1];
        var upper = needed >= 2 ? top[TensorIndex.Colon, needed - 2] : lower;
        var difference = upper - lower;
        var threshold = gamma >= 0.5 ? upper - difference.Times(1 - gamma) : lower.Plus(difference.Times(gamma));
        return (candidates >= threshold.unsqueeze(1)).MoveToOuterDisposeScope();
    }
}
