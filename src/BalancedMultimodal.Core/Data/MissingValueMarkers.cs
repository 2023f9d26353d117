namespace BalancedMultimodal.Core.Data;

/// <summary>
/// The one definition of a missing-value marker in the text files the loaders read (<see cref="MogonetFolderLoader"/>,
/// <see cref="IdTableLoader"/>, and the new-sample folders of the CLI sample): an empty field, <c>NA</c> or <c>NaN</c>
/// (case-insensitive, so <c>nan</c> and <c>na</c> too), after trimming white space and one pair of enclosing double quotes.
/// </summary>
/// <remarks>
/// A row whose fields are all markers means "this sample lacks this modality" (the row becomes unavailable, see
/// <see cref="Modality.IsAvailable"/>); a row mixing markers and numbers is an error, since a sample either has the
/// whole modality or none of it. Other spellings (<c>N/A</c>, <c>null</c>, <c>-</c>, <c>?</c>) are not markers.
/// </remarks>
public static class MissingValueMarkers
{
    /// <summary>True when <paramref name="field"/> is a missing-value marker: empty or white space, <c>NA</c> or
    /// <c>NaN</c> in any case, optionally padded with white space and enclosed in one pair of double quotes.</summary>
    /// <param name="field">One field of a delimited line (the delimiter excluded).</param>
    /// <returns>True for a marker; false for anything else, numbers included.</returns>
    public static bool IsMissing(ReadOnlySpan<char> field)
    {
        var f = field.Trim();
        if (f.Length >= 2 && f[0] == '"' && f[^1] == '"') f = f[1..^1].Trim();
        return f.Length == 0
            || f.Equals("NA", StringComparison.OrdinalIgnoreCase)
            || f.Equals("NaN", StringComparison.OrdinalIgnoreCase);
    }
}
