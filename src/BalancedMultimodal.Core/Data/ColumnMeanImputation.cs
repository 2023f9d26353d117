using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Fills the rows of samples lacking a modality with that modality's column means over the samples that have it (mean
/// imputation of a whole missing row).
/// </summary>
/// <remarks>
/// <para>For features X (n, d) and availability a (n): mu_j = sum_{i: a_i} X_ij / #{i: a_i}, and the result is
/// X'_ij = X_ij where a_i, mu_j otherwise. The values at unavailable rows are never read (they may be NaN). For a linear
/// map h = X W + b the imputed rows get exactly the mean embedding of the available rows, which is why the balanced
/// trainer imputes inputs rather than embeddings (docs/pipeline.md, "Incomplete samples"; Little and Rubin,
/// <i>Statistical Analysis with Missing Data</i>, 3rd ed., 2019, section 3.4 on unconditional mean imputation).</para>
/// </remarks>
public static class ColumnMeanImputation
{
    /// <summary>Returns X with every unavailable row replaced by the column means of the available rows.</summary>
    /// <param name="features">X, a floating-point (n, d) matrix on any device.</param>
    /// <param name="available">n flags, true where the row has the modality; at least one true.</param>
    /// <param name="modalityName">Names the modality in error messages (optional).</param>
    /// <returns>A new (n, d) tensor on the features' device and dtype (the caller disposes it).</returns>
    /// <exception cref="ArgumentException">Features that are not a floating-point matrix, a mask of another length, a
    /// mask without an available row, or a NaN or an infinity on an available row (naming the modality, row and
    /// column).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Tensor Apply(Tensor features, IReadOnlyList<bool> available, string? modalityName = null)
    {
        TensorArgument.ThrowIfNullOrDisposed(features);
        ArgumentNullException.ThrowIfNull(available);
        string which = modalityName is null ? "" : $"Modality '{modalityName}': ";
        if (features.dim() != 2 || !features.is_floating_point())
            throw new ArgumentException($"{which}features must be a floating-point (n, d) matrix, got {features.dtype} of shape ({string.Join(", ", features.shape)}).", nameof(features));
        if (available.Count != features.shape[0])
            throw new ArgumentException($"{which}the availability mask has {available.Count} entries for {features.shape[0]} rows.", nameof(available));
        if (!available.Any(a => a))
            throw new ArgumentException($"{which}no row is available, so there is no mean to impute.", nameof(available));
        using var scope = NewDisposeScope();
        var present = tensor(available.ToArray(), device: features.device);
        var rows = present.nonzero().squeeze(1);
        var kept = features.index_select(0, rows);
        // A NaN or an infinity on an available row would become every imputed row's value: refused, naming it.
        var bad = kept.detach().isfinite().logical_not().nonzero();
        if (bad.shape[0] > 0)
            throw new ArgumentException(
                $"{which}row {rows[bad[0, 0]].item<long>()}, column {bad[0, 1].item<long>()} is available but not finite (NaN or infinity); mark the row unavailable or fix the value.", nameof(features));
        // The mean of each column scaled by an exact power of two (PowerOfTwoScaling), then scaled back: the same bits
        // where the plain sum is in range, and no overflow of the sum of values near the dtype's limit.
        // Half precision in float32: its scaled small values would turn subnormal.
        var exact = kept.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? kept.to(ScalarType.Float32) : kept;
        var scales = PowerOfTwoScaling.ColumnScales(exact);
        var mean = ((exact * scales).mean([0], keepdim: true) / scales).to(features.dtype);
        return where(present.unsqueeze(1), features, mean).MoveToOuterDisposeScope();
    }
}
