namespace BalancedMultimodal.Core.Data;

/// <summary>A sample ID that <see cref="IdTableLoader"/> dropped because some tables lack it (see <see cref="IdTableLoadResult.DroppedSamples"/>).</summary>
/// <param name="Id">The sample ID.</param>
/// <param name="MissingFrom">The names of the tables (modality names, or "labels") that do not list it, or list it on a line of missing-value markers.</param>
public sealed record DroppedSample(string Id, IReadOnlyList<string> MissingFrom)
{
    /// <summary>The sample ID.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public string Id { get; init; } = Id ?? throw new ArgumentNullException(nameof(Id));

    /// <summary>The names of the tables (modality names, or "labels") that do not list it, or list it on a line of missing-value markers.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public IReadOnlyList<string> MissingFrom { get; init; } = MissingFrom ?? throw new ArgumentNullException(nameof(MissingFrom));
}
