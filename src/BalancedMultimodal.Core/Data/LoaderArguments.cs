namespace BalancedMultimodal.Core.Data;

/// <summary>Checks shared by <see cref="MogonetFolderLoader"/> and <see cref="IdTableLoader"/>.</summary>
internal static class LoaderArguments
{
    /// <summary>Requires every name non-null, not blank and distinct, naming the offending index.</summary>
    /// <param name="names">The names.</param>
    /// <param name="parameterName">The argument holding them.</param>
    /// <param name="what">What a name names, capitalised, e.g. "Modality name".</param>
    /// <param name="hint">Appended to the message (e.g. where default names come from), or empty.</param>
    public static void CheckNames(IReadOnlyList<string?> names, string parameterName, string what, string hint = "")
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException($"{what} {i} is {(name is null ? "null" : "empty")}.{hint}", parameterName);
            if (!seen.TryAdd(name, i))
                throw new ArgumentException($"{what} {i} ('{name}') repeats {what.ToLowerInvariant()} {seen[name]}; names must be distinct.{hint}", parameterName);
        }
    }

    /// <summary>Numeric labels are class indices 0..C-1 with C = max(label) + 1: requires that no class is left without a
    /// sample (a gap usually means 1-based labels; an empty class would fail later, far from the file).</summary>
    /// <param name="labels">The class indices (&gt;= 0, at least one).</param>
    /// <param name="holders">Subject of the message, e.g. "labels.csv holds" or "labels_tr.csv and labels_te.csv hold".</param>
    /// <param name="rule">The format's rule, e.g. "the MOGONET format numbers the classes 0..C-1 and every class needs a sample".</param>
    public static void RequireEveryIndexUsed(IEnumerable<int> labels, string holders, string rule)
    {
        var present = new SortedSet<int>(labels);
        long classCount = (long)present.Max + 1;
        if (present.Count == classCount) return;
        // Lazily, so that one huge label (a typo, an ID in the label column) costs nothing: only the first six gaps are listed.
        var unused = LongRange(classCount).Where(c => c > int.MaxValue || !present.Contains((int)c)).Take(6).ToArray();
        string hint = present.Min > 0
            ? $" The labels start at {present.Min}; subtract {present.Min} from every label to number the classes 0..{present.Max - present.Min}."
            : " Renumber the labels consecutively from 0.";
        throw new InvalidDataException(
            $"{holders} no sample of class {string.Join(", ", unused.Take(5))}{(unused.Length > 5 ? ", ..." : "")} " +
            $"(labels present: {string.Join(", ", present.Take(10))}{(present.Count > 10 ? ", ..." : "")}); {rule}.{hint}");
    }

    private static IEnumerable<long> LongRange(long count)
    {
        for (long c = 0; c < count; c++) yield return c;
    }
}
