using BalancedMultimodal.Core.Data;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>Which samples have every modality: the pipeline fuses its patient graph over them, attaches the others,
/// and lets new samples attach to them only (docs/pipeline.md, "Incomplete samples").</summary>
internal static class CompleteSamples
{
    /// <summary>The rows of <paramref name="dataset"/> that have every modality, increasing.</summary>
    public static int[] Rows(MultimodalDataset dataset) =>
        Enumerable.Range(0, dataset.SampleCount).Where(i => dataset.Modalities.All(m => m.IsAvailable(i))).ToArray();

    /// <summary>The rows 0..<paramref name="rowCount"/>-1 that every mask marks available (a null mask: every row),
    /// increasing.</summary>
    public static int[] Rows(IReadOnlyList<IReadOnlyList<bool>?> availability, int rowCount) =>
        Enumerable.Range(0, rowCount).Where(i => availability.All(a => a is null || a[i])).ToArray();
}
