namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Options of <see cref="IdTableLoader.Load(IReadOnlyList{string}, string, IdTableLoadOptions)"/>. The defaults load
/// exactly as <see cref="IdTableLoader.Load(IReadOnlyList{string}, string, char, IReadOnlyList{string}?)"/> does with
/// its defaults: comma-separated tables, modalities named after their files, only complete samples kept.
/// </summary>
public sealed class IdTableLoadOptions
{
    /// <summary>Field delimiter of every table (default ','; use '\t' for TSV). A double quote or a line break is rejected.</summary>
    public char Delimiter { get; set; } = ',';

    /// <summary>Optional modality names, one per table (default null: each file name without its extension); non-empty
    /// and distinct.</summary>
    public IReadOnlyList<string>? ModalityNames { get; set; }

    /// <summary>When true, a labelled sample lacking some modality (absent from its table, or a line of missing-value
    /// markers there) is kept with that modality's row unavailable, as long as it has values in at least one table;
    /// when false (the default) only the samples present in every table are kept and the others are dropped.</summary>
    public bool KeepIncompleteSamples { get; set; }
}
