namespace BalancedMultimodal.Cli;

/// <summary>The Levenshtein distance, for "did you mean ...?" suggestions of mistyped command names.</summary>
public static class EditDistance
{
    /// <summary>The number of single-character insertions, deletions and substitutions that turn <paramref name="a"/>
    /// into <paramref name="b"/> (ordinal comparison; a swap of two neighbours counts 2).</summary>
    public static int Between(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>The candidate closest to <paramref name="word"/> within <paramref name="maxDistance"/> edits (the first
    /// of equally close ones), or null when none is that close. A candidate of at most 3 characters is suggested within
    /// 1 edit only: within 2, every word of one or two characters would be "close" to a two-letter command.</summary>
    public static string? Closest(string word, IEnumerable<string> candidates, int maxDistance)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return candidates.Select(c => (Name: c, Distance: Between(word, c)))
            .Where(c => c.Distance <= (c.Name.Length <= 3 ? Math.Min(1, maxDistance) : maxDistance))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
    }
}
