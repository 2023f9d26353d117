using System.Globalization;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Seeded, deterministic stratified splitting: every class is divided in the requested proportions, so each part keeps
/// the class frequencies of the whole (up to rounding), in the spirit of scikit-learn's <c>StratifiedShuffleSplit</c> and
/// <c>StratifiedKFold(shuffle=True)</c> (same guarantees, not the same random draws).
/// </summary>
/// <remarks>
/// <para>Train/validation/test: the members of class c (n_c of them, taken in ascending row order) are shuffled with one
/// <see cref="Random"/>(seed) shared over the classes in ascending class order (Fisher-Yates); the first
/// t_c = max(1, round(n_c * testFraction)) go to test, the next v_c = max(1, round(n_c * validationFraction)) to
/// validation (a part whose fraction is 0 gets none), the rest to train, which must keep at least one. Rounding is
/// half away from zero. A class with too few members for this is rejected, naming the class.</para>
/// <para>k-fold: the shuffled members of each class are dealt round-robin to the k folds, continuing where the previous
/// class stopped, so fold sizes differ by at most one and each class is spread evenly. Every class needs at least k members.
/// With subgroups (e.g. which modalities a sample has), each class's shuffled members are first ordered by subgroup
/// (a stable sort), ascending in the first, third, ... class and descending in the second, fourth, ..., so that every
/// subgroup of a class is dealt as one run and is spread as evenly as the class (its count per fold differs by at most
/// one), and a subgroup that ends one class and starts the next is dealt as one run across both.</para>
/// </remarks>
public static class StratifiedSplitter
{
    /// <summary>Splits <paramref name="rows"/> (default: all rows) into stratified train, validation and test parts.</summary>
    /// <param name="labels">Class labels (&gt;= 0) of all rows.</param>
    /// <param name="validationFraction">Fraction of each class for validation, in [0, 1).</param>
    /// <param name="testFraction">Fraction of each class for test, in [0, 1); the two fractions sum to less than 1.</param>
    /// <param name="seed">Seed of the <see cref="Random"/> that shuffles each class.</param>
    /// <param name="rows">The rows to split (distinct, in [0, labels.Count)); default all rows.</param>
    /// <returns>The split; each part sorted ascending.</returns>
    public static DatasetSplit Split(IReadOnlyList<int> labels, double validationFraction, double testFraction, int seed, IReadOnlyList<int>? rows = null)
    {
        CheckFraction(validationFraction, nameof(validationFraction));
        CheckFraction(testFraction, nameof(testFraction));
        if (validationFraction + testFraction >= 1)
            throw new ArgumentException(
                $"validationFraction ({validationFraction.ToString(CultureInfo.InvariantCulture)}) + testFraction ({testFraction.ToString(CultureInfo.InvariantCulture)}) must be < 1 so that training rows remain.",
                nameof(testFraction));
        var byClass = GroupByClass(labels, rows);
        int parts = 1 + (validationFraction > 0 ? 1 : 0) + (testFraction > 0 ? 1 : 0);
        var random = new Random(seed);
        var train = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        foreach (var (label, members) in byClass)
        {
            int nTest = PartSize(members.Count, testFraction);
            int nValidation = PartSize(members.Count, validationFraction);
            if (members.Count - nTest - nValidation < 1)
                throw new ArgumentException(
                    $"Class {label} has {members.Count} sample(s) among the rows to split; a stratified split into {parts} parts " +
                    $"(validation fraction {validationFraction.ToString(CultureInfo.InvariantCulture)}, test fraction {testFraction.ToString(CultureInfo.InvariantCulture)}) " +
                    $"needs at least {SmallestSplittableClass(members.Count, validationFraction, testFraction)} of it.", nameof(labels));
            Shuffle(members, random);
            test.AddRange(members.Take(nTest));
            validation.AddRange(members.Skip(nTest).Take(nValidation));
            train.AddRange(members.Skip(nTest + nValidation));
        }
        return new DatasetSplit(Sorted(train), Sorted(validation), Sorted(test));
    }

    /// <summary>Returns <paramref name="dataset"/> with a new stratified train/validation/test split over all its rows.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="validationFraction">Fraction of each class for validation, in [0, 1).</param>
    /// <param name="testFraction">Fraction of each class for test, in [0, 1).</param>
    /// <param name="seed">Shuffling seed.</param>
    public static MultimodalDataset SplitDataset(MultimodalDataset dataset, double validationFraction, double testFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var split = Split(dataset.Labels, validationFraction, testFraction, seed);
        return dataset.WithSplits(split.Train, split.Validation, split.Test);
    }

    /// <summary>
    /// Moves a stratified fraction of the training rows into validation (existing validation rows are replaced by the
    /// carved ones and return to training; the test rows are untouched). This is how model selection avoids the test set.
    /// </summary>
    /// <param name="dataset">The dataset; its <see cref="MultimodalDataset.TrainIndices"/> plus any validation rows are split.</param>
    /// <param name="validationFraction">Fraction of each class of those rows for validation, in (0, 1).</param>
    /// <param name="seed">Shuffling seed.</param>
    public static MultimodalDataset CarveValidation(MultimodalDataset dataset, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(validationFraction > 0))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "validationFraction must be in (0, 1).");
        var pool = dataset.TrainIndices.Concat(dataset.ValidationIndices).ToArray();
        var split = Split(dataset.Labels, validationFraction, 0, seed, pool);
        return dataset.WithSplits(split.Train, split.Validation, dataset.TestIndices);
    }

    /// <summary>Stratified k-fold partition of <paramref name="rows"/> (default: all rows).</summary>
    /// <param name="labels">Class labels (&gt;= 0) of all rows.</param>
    /// <param name="foldCount">k &gt;= 2; every class needs at least k members among the rows.</param>
    /// <param name="seed">Seed of the <see cref="Random"/> that shuffles each class.</param>
    /// <param name="rows">The rows to partition (distinct, in [0, labels.Count)); default all rows.</param>
    /// <returns>k folds; their test parts partition the rows.</returns>
    public static IReadOnlyList<CrossValidationFold> KFold(IReadOnlyList<int> labels, int foldCount, int seed, IReadOnlyList<int>? rows = null) =>
        KFold(labels, foldCount, seed, rows, subgroups: null);

    /// <summary>
    /// Stratified k-fold partition of <paramref name="rows"/> that also spreads every subgroup of each class over the
    /// folds (see the class remarks): e.g. with subgroup = which modalities a sample has, a modality present on few
    /// samples still reaches every fold once it is on k rows dealt in one run. Without subgroups (or with one subgroup)
    /// the folds are those of <see cref="KFold(IReadOnlyList{int}, int, int, IReadOnlyList{int}?)"/> with the same seed.
    /// </summary>
    /// <param name="labels">Class labels (&gt;= 0) of all rows.</param>
    /// <param name="foldCount">k &gt;= 2; every class needs at least k members among the rows.</param>
    /// <param name="seed">Seed of the <see cref="Random"/> that shuffles each class.</param>
    /// <param name="rows">The rows to partition (distinct, in [0, labels.Count)); null for all rows.</param>
    /// <param name="subgroups">A subgroup key for every row of <paramref name="labels"/> (same length), or null for none.</param>
    /// <returns>k folds; their test parts partition the rows.</returns>
    /// <exception cref="ArgumentException"><paramref name="subgroups"/> does not have one key per label.</exception>
    public static IReadOnlyList<CrossValidationFold> KFold(IReadOnlyList<int> labels, int foldCount, int seed, IReadOnlyList<int>? rows, IReadOnlyList<int>? subgroups)
    {
        if (foldCount < 2) throw new ArgumentOutOfRangeException(nameof(foldCount), foldCount, "k-fold cross-validation needs at least 2 folds.");
        if (labels is not null && subgroups is not null && subgroups.Count != labels.Count)
            throw new ArgumentException($"subgroups has {subgroups.Count} key(s) for {labels.Count} label(s); it needs one key per row of labels.", nameof(subgroups));
        var byClass = GroupByClass(labels!, rows);
        foreach (var (label, members) in byClass)
            if (members.Count < foldCount)
                throw new ArgumentException($"Class {label} has {members.Count} sample(s) among the rows to split, fewer than the {foldCount} folds; each fold needs one of every class.", nameof(foldCount));
        var random = new Random(seed);
        var folds = Enumerable.Range(0, foldCount).Select(_ => new List<int>()).ToArray();
        int next = 0;
        for (int c = 0; c < byClass.Count; c++)
        {
            var members = byClass[c].Members;
            Shuffle(members, random);
            var dealt = subgroups is null ? members
                : c % 2 == 0 ? members.OrderBy(r => subgroups[r]).ToList()    // OrderBy is stable: a subgroup keeps its shuffled order
                : members.OrderByDescending(r => subgroups[r]).ToList();
            foreach (var row in dealt)
            {
                folds[next].Add(row);
                next = (next + 1) % foldCount;
            }
        }
        var all = byClass.SelectMany(p => p.Members).ToArray();
        var result = new CrossValidationFold[foldCount];
        for (int f = 0; f < foldCount; f++)
        {
            var held = folds[f].ToHashSet();
            result[f] = new CrossValidationFold(f, Sorted(all.Where(r => !held.Contains(r))), Sorted(folds[f]));
        }
        return result;
    }

    private static List<(int Label, List<int> Members)> GroupByClass(IReadOnlyList<int> labels, IReadOnlyList<int>? rows)
    {
        ArgumentNullException.ThrowIfNull(labels);
        rows ??= Enumerable.Range(0, labels.Count).ToArray();
        var seen = new HashSet<int>();
        var groups = new SortedDictionary<int, List<int>>();
        for (int k = 0; k < rows.Count; k++)
        {
            int r = rows[k];
            if ((uint)r >= (uint)labels.Count)
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row at position {k} must lie in [0, {labels.Count}).");
            if (!seen.Add(r)) throw new ArgumentException($"Row {r} is listed twice; rows to split must be distinct.", nameof(rows));
            int label = labels[r];
            if (label < 0) throw new ArgumentException($"Label at row {r} is {label}; labels must be >= 0.", nameof(labels));
            if (!groups.TryGetValue(label, out var list)) groups[label] = list = new List<int>();
            list.Add(r);
        }
        if (groups.Count == 0) throw new ArgumentException("There are no rows to split.", nameof(rows));
        foreach (var list in groups.Values) list.Sort();
        return groups.Select(p => (p.Key, p.Value)).ToList();
    }

    /// <summary>The smallest class size, from <paramref name="current"/> up, that keeps a training row after its rounded
    /// test and validation parts (both grow with the size, so the bound is searched, not computed from one size).</summary>
    private static int SmallestSplittableClass(int current, double validationFraction, double testFraction)
    {
        int n = Math.Max(current, 1);
        while (n - PartSize(n, testFraction) - PartSize(n, validationFraction) < 1) n++;
        return n;
    }

    /// <summary>The rows of a class of <paramref name="classSize"/> that a part of <paramref name="fraction"/> takes:
    /// round(size x fraction), at least one when the fraction is positive, none when it is 0.</summary>
    internal static int PartSize(int classSize, double fraction) =>
        fraction > 0 ? Math.Max(1, (int)Math.Round(classSize * fraction, MidpointRounding.AwayFromZero)) : 0;

    private static void Shuffle(List<int> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static int[] Sorted(IEnumerable<int> rows)
    {
        var array = rows.ToArray();
        Array.Sort(array);
        return array;
    }

    private static void CheckFraction(double fraction, string name)
    {
        if (!(fraction >= 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(name, fraction, $"{name} must be in [0, 1).");
    }
}
