namespace BalancedMultimodal.Core.Data;

/// <summary>The outcome of <see cref="IdTableLoader.Load"/>: the aligned dataset and the IDs that were dropped.</summary>
/// <param name="Dataset">The dataset over the IDs present in every table (all rows are training rows).</param>
/// <param name="DroppedSamples">Every ID found in at least one table but not in all, in order of first appearance
/// (label table first, then the modality tables in order).</param>
public sealed record IdTableLoadResult(MultimodalDataset Dataset, IReadOnlyList<DroppedSample> DroppedSamples)
{
    /// <summary>The dataset over the IDs present in every table (all rows are training rows).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public MultimodalDataset Dataset { get; init; } = Dataset ?? throw new ArgumentNullException(nameof(Dataset));

    /// <summary>Every ID found in at least one table but not in all, in order of first appearance (label table first, then the modality tables in order).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public IReadOnlyList<DroppedSample> DroppedSamples { get; init; } = DroppedSamples ?? throw new ArgumentNullException(nameof(DroppedSamples));

    /// <summary>The IDs of <see cref="DroppedSamples"/>.</summary>
    public IReadOnlyList<string> DroppedIds => DroppedSamples.Select(d => d.Id).ToArray();
}
