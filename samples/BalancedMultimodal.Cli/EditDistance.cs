namespace BalancedMultimodal.Cli;

/// <summary>The edit distance of mistyped command names, for "did you mean ...?" suggestions.</summary>
public static class EditDistance
{
    /// <summary>The optimal-string-alignment distance between <paramref name="a"/> and <paramref name="b"/>, ignoring
    /// case: the number of single-character insertions, deletions, substitutions and swaps of two neighbours that turn
    /// one into the other, no substring edited twice ("trian" is 1 from "train", "MI" 0 from "mi").</summary>
    public static int Between(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var distance = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) distance[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) distance[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int best = Math.Min(Math.Min(distance[i - 1, j] + 1, distance[i, j - 1] + 1), distance[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    best = Math.Min(best, distance[i - 2, j - 2] + 1);
                distance[i, j] = best;
            }
        return distance[a.Length, b.Length];
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
