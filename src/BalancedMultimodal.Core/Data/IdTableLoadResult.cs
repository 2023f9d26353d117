namespace BalancedMultimodal.Core.Data;

/// <summary>The outcome of <see cref="IdTableLoader"/>: the aligned dataset and the IDs that were dropped.</summary>
/// <param name="Dataset">The dataset over the kept IDs (all rows are training rows).</param>
/// <param name="DroppedSamples">Every ID found in some table but not kept, in order of first appearance (label table
/// first, then the modality tables in order).</param>
public sealed record IdTableLoadResult(MultimodalDataset Dataset, IReadOnlyList<DroppedSample> DroppedSamples)
{
    /// <summary>The dataset over the kept IDs, in label-table order (all rows are training rows): by default the IDs with a
    /// label and values in every modality table; with <see cref="IdTableLoadOptions.KeepIncompleteSamples"/> the IDs with
    /// a label and values in at least one (a modality lacking the ID has that row unavailable).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public MultimodalDataset Dataset { get; init; } = Dataset ?? throw new ArgumentNullException(nameof(Dataset));

    /// <summary>Every ID found in some table but not kept, in order of first appearance (label table first, then the
    /// modality tables in order), with the tables lacking it (a table whose line for the ID is all missing-value markers
    /// counts as lacking it). By default an ID is dropped when any table lacks it; with
    /// <see cref="IdTableLoadOptions.KeepIncompleteSamples"/> only when it has no label or no values in any modality table.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public IReadOnlyList<DroppedSample> DroppedSamples { get; init; } = DroppedSamples ?? throw new ArgumentNullException(nameof(DroppedSamples));

    /// <summary>The IDs of <see cref="DroppedSamples"/>.</summary>
    public IReadOnlyList<string> DroppedIds => DroppedSamples.Select(d => d.Id).ToArray();

    /// <summary>The rows of <see cref="Dataset"/> that lack at least one modality, ascending (empty unless incomplete
    /// samples were kept with <see cref="IdTableLoadOptions.KeepIncompleteSamples"/>). Row i is the sample
    /// <c>Dataset.SampleIds[i]</c>; <see cref="Modality.IsAvailable"/> tells which modalities it lacks.</summary>
    public IReadOnlyList<int> IncompleteRows =>
        Enumerable.Range(0, Dataset.SampleCount).Where(i => Dataset.Modalities.Any(m => !m.IsAvailable(i))).ToArray();
}
