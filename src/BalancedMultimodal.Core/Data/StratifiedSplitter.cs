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
/// With binary row attributes (e.g. which modalities a sample has), each fold keeps exactly those class counts, and the
/// rows are re-placed by iterative stratification (Sechidis et al., ECML PKDD 2011): rarest attribute first, each row
/// into the fold (with room for its class) holding the fewest rows of its rarest attribute. The rows of the rarest
/// attribute (of equally rare ones, the first) come first, and every fold has room for every class until k of them are
/// placed, so those k go to k different folds: the rarest attribute, once on at least k rows, reaches every fold; the
/// other attributes are spread greedily, and an attribute on at least k rows that a fold still lacks is then swapped in
/// against a row of the same class from a fold holding two or more, where a swap keeps every fold's other attributes
/// (so it usually reaches every fold; not guaranteed when no such swap exists).</para>
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
    public static DatasetSplit Split(IReadOnlyList<int> labels, double validationFraction, double testFraction, int seed, IReadOnlyList<int>? rows = null) =>
        Split(labels, validationFraction, testFraction, seed, rows, attributes: null);

    /// <summary>
    /// Splits <paramref name="rows"/> into stratified train, validation and test parts that also spread binary row
    /// attributes (e.g. which modalities a sample has): every part keeps the class counts of
    /// <see cref="Split(IReadOnlyList{int}, double, double, int, IReadOnlyList{int}?)"/> with the same seed, and the rows
    /// are placed by the iterative stratification of the k-fold with attributes, each part's attribute counts taken
    /// relative to its share of the rows; the rarest attribute (of equally rare ones, the first), once on as many rows as
    /// there are parts, reaches every part. Without attributes, or when every row has the same ones, the plain split.
    /// </summary>
    /// <param name="labels">Class labels (&gt;= 0) of all rows.</param>
    /// <param name="validationFraction">Fraction of each class for validation, in [0, 1).</param>
    /// <param name="testFraction">Fraction of each class for test, in [0, 1); the two fractions sum to less than 1.</param>
    /// <param name="seed">Seed of the <see cref="Random"/> that shuffles each class.</param>
    /// <param name="rows">The rows to split (distinct, in [0, labels.Count)); null for all rows.</param>
    /// <param name="attributes">Null, or a (labels.Count, a) matrix: attributes[r, j] is whether row r has attribute j.</param>
    /// <returns>The split; each part sorted ascending.</returns>
    /// <exception cref="ArgumentException"><paramref name="attributes"/> does not have one row per label, or a class is
    /// too small for the parts (naming it).</exception>
    public static DatasetSplit Split(IReadOnlyList<int> labels, double validationFraction, double testFraction, int seed, IReadOnlyList<int>? rows,
        bool[,]? attributes)
    {
        CheckAttributes(labels, attributes);
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
        var dealt = new List<(int Row, int Class, int Fold)>();   // part 0 train, 1 validation, 2 test
        for (int c = 0; c < byClass.Count; c++)
        {
            var (label, members) = byClass[c];
            int nTest = PartSize(members.Count, testFraction);
            int nValidation = PartSize(members.Count, validationFraction);
            if (members.Count - nTest - nValidation < 1)
                throw new ArgumentException(
                    $"Class {label} has {members.Count} sample(s) among the rows to split; a stratified split into {parts} parts " +
                    $"(validation fraction {validationFraction.ToString(CultureInfo.InvariantCulture)}, test fraction {testFraction.ToString(CultureInfo.InvariantCulture)}) " +
                    $"{NeededClassSize(members.Count, validationFraction, testFraction)}.", nameof(labels));
            Shuffle(members, random);
            for (int i = 0; i < members.Count; i++)
                dealt.Add((members[i], c, i < nTest ? 2 : i < nTest + nValidation ? 1 : 0));
            test.AddRange(members.Take(nTest));
            validation.AddRange(members.Skip(nTest).Take(nValidation));
            train.AddRange(members.Skip(nTest + nValidation));
        }
        if (attributes is not null && !SameAttributes(attributes, dealt.Select(d => d.Row)))
        {
            // Each part's attribute counts relative to its share of the rows (the parts differ in size).
            var shares = Enumerable.Range(0, 3).Select(part => (double)dealt.Count(d => d.Fold == part) / dealt.Count).ToArray();
            var spread = SpreadAttributes(dealt, attributes, 3, byClass.Count, shares);
            (train, validation, test) = (spread[0], spread[1], spread[2]);
        }
        return new DatasetSplit(Sorted(train), Sorted(validation), Sorted(test));
    }

    private static void CheckAttributes(IReadOnlyList<int>? labels, bool[,]? attributes)
    {
        if (labels is not null && attributes is not null && attributes.GetLength(0) != labels.Count)
            throw new ArgumentException($"attributes has {attributes.GetLength(0)} row(s) for {labels.Count} label(s); it needs one row per label.", nameof(attributes));
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
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not a number in (0,
    /// 1).</exception>
    /// <exception cref="ArgumentException">The dataset has no training or validation rows (naming
    /// <paramref name="dataset"/>), or a class among them has too few rows for one training and one validation row at
    /// this fraction (the message names the class).</exception>
    public static MultimodalDataset CarveValidation(MultimodalDataset dataset, double validationFraction, int seed) =>
        CarveValidation(dataset, validationFraction, seed, attributes: null);

    /// <summary>
    /// <see cref="CarveValidation(MultimodalDataset, double, int)"/> that also spreads binary row attributes over the
    /// training and validation rows (<see cref="Split(IReadOnlyList{int}, double, double, int, IReadOnlyList{int}?, bool[,])"/>):
    /// e.g. with which modalities a sample has, the rarest modality, once on two of the rows carved from, is on a training
    /// and a validation row.
    /// </summary>
    /// <param name="dataset">The dataset; its <see cref="MultimodalDataset.TrainIndices"/> plus any validation rows are split.</param>
    /// <param name="validationFraction">Fraction of each class of those rows for validation, in (0, 1).</param>
    /// <param name="seed">Shuffling seed.</param>
    /// <param name="attributes">Null, or a (n, a) matrix over the dataset's rows.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not a number in (0,
    /// 1).</exception>
    /// <exception cref="ArgumentException">The dataset has no training or validation rows (naming
    /// <paramref name="dataset"/>), a class among them has too few rows for one training and one validation row at this
    /// fraction (the message names the class), or <paramref name="attributes"/> does not have one row per
    /// sample.</exception>
    public static MultimodalDataset CarveValidation(MultimodalDataset dataset, double validationFraction, int seed, bool[,]? attributes)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(validationFraction > 0))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "validationFraction must be in (0, 1).");
        var pool = dataset.TrainIndices.Concat(dataset.ValidationIndices).ToArray();
        if (pool.Length == 0)
            throw new ArgumentException("The dataset has no training or validation rows to carve a validation set from.", nameof(dataset));
        var split = Split(dataset.Labels, validationFraction, 0, seed, pool, attributes);
        return dataset.WithSplits(split.Train, split.Validation, dataset.TestIndices);
    }

    /// <summary>Stratified k-fold partition of <paramref name="rows"/> (default: all rows).</summary>
    /// <param name="labels">Class labels (&gt;= 0) of all rows.</param>
    /// <param name="foldCount">k &gt;= 2; every class needs at least k members among the rows.</param>
    /// <param name="seed">Seed of the <see cref="Random"/> that shuffles each class.</param>
    /// <param name="rows">The rows to partition (distinct, in [0, labels.Count)); default all rows.</param>
    /// <returns>k folds; their test parts partition the rows.</returns>
    public static IReadOnlyList<CrossValidationFold> KFold(IReadOnlyList<int> labels, int foldCount, int seed, IReadOnlyList<int>? rows = null) =>
        KFold(labels, foldCount, seed, rows, attributes: null);

    /// <summary>
    /// Stratified k-fold partition of <paramref name="rows"/> that also spreads binary row attributes over the folds
    /// (e.g. which modalities a sample has): the class counts of every fold are those of
    /// <see cref="KFold(IReadOnlyList{int}, int, int, IReadOnlyList{int}?)"/> with the same seed, and the rows are placed
    /// to spread each attribute; the rarest attribute (e.g. the rarest modality), once on at least k rows, reaches every
    /// fold. See the class remarks. Without attributes, or when every row has the same ones, the folds are the plain
    /// k-fold's.
    /// </summary>
    /// <param name="labels">Class labels (&gt;= 0) of all rows.</param>
    /// <param name="foldCount">k &gt;= 2; every class needs at least k members among the rows.</param>
    /// <param name="seed">Seed of the <see cref="Random"/> that shuffles each class.</param>
    /// <param name="rows">The rows to partition (distinct, in [0, labels.Count)); null for all rows.</param>
    /// <param name="attributes">Null, or a (labels.Count, a) matrix: attributes[r, j] is whether row r has attribute j.</param>
    /// <returns>k folds; their test parts partition the rows.</returns>
    /// <exception cref="ArgumentException"><paramref name="attributes"/> does not have one row per label.</exception>
    public static IReadOnlyList<CrossValidationFold> KFold(IReadOnlyList<int> labels, int foldCount, int seed, IReadOnlyList<int>? rows, bool[,]? attributes)
    {
        if (foldCount < 2) throw new ArgumentOutOfRangeException(nameof(foldCount), foldCount, "k-fold cross-validation needs at least 2 folds.");
        CheckAttributes(labels, attributes);
        var byClass = GroupByClass(labels, rows);
        foreach (var (label, members) in byClass)
            if (members.Count < foldCount)
                throw new ArgumentException($"Class {label} has {members.Count} sample(s) among the rows to split, fewer than the {foldCount} folds; each fold needs one of every class.", nameof(foldCount));
        var random = new Random(seed);
        var folds = Enumerable.Range(0, foldCount).Select(_ => new List<int>()).ToArray();
        var dealt = new List<(int Row, int Class, int Fold)>();   // the plain k-fold, in dealing order
        int next = 0;
        for (int c = 0; c < byClass.Count; c++)
        {
            var members = byClass[c].Members;
            Shuffle(members, random);
            foreach (var row in members)
            {
                dealt.Add((row, c, next));
                folds[next].Add(row);
                next = (next + 1) % foldCount;
            }
        }
        if (attributes is not null && !SameAttributes(attributes, dealt.Select(d => d.Row)))
            folds = SpreadAttributes(dealt, attributes, foldCount, byClass.Count, shares: null);
        var all = byClass.SelectMany(p => p.Members).ToArray();
        var result = new CrossValidationFold[foldCount];
        for (int f = 0; f < foldCount; f++)
        {
            var held = folds[f].ToHashSet();
            result[f] = new CrossValidationFold(f, Sorted(all.Where(r => !held.Contains(r))), Sorted(folds[f]));
        }
        return result;
    }

    private static bool SameAttributes(bool[,] attributes, IEnumerable<int> rows)
    {
        int first = -1;
        foreach (int row in rows)
        {
            if (first < 0) { first = row; continue; }
            for (int j = 0; j < attributes.GetLength(1); j++)
                if (attributes[row, j] != attributes[first, j]) return false;
        }
        return true;
    }

    /// <summary>
    /// Iterative stratification (Sechidis, Tsoumakas and Vlahavas, "On the stratification of multi-label data", ECML
    /// PKDD 2011) under the plain folds' class counts: the rows are placed rarest attribute first (a row's rarest
    /// attribute is the one with the fewest rows among those it has, of equally rare ones the first; the rows of one
    /// rarest attribute together, in dealing order), each into the fold,
    /// among those with room left for its class, that holds the fewest rows of that attribute, then the fewest of its
    /// other attributes relative to their totals, then with the most room left for its class, then the first from the
    /// row's plain fold on. With <paramref name="shares"/> (parts of unequal sizes) a fold's counts are read relative to
    /// its share of the rows; without, as they are (the k folds' sizes differ by at most one).
    /// </summary>
    private static List<int>[] SpreadAttributes(List<(int Row, int Class, int Fold)> dealt, bool[,] attributes, int foldCount, int classCount, double[]? shares)
    {
        int width = attributes.GetLength(1);
        var totals = new int[width];
        foreach (var (row, _, _) in dealt)
            for (int j = 0; j < width; j++)
                if (attributes[row, j]) totals[j]++;
        var room = new int[classCount, foldCount];
        foreach (var (_, c, f) in dealt) room[c, f]++;
        int Rarest(int row)
        {
            int best = -1;
            for (int j = 0; j < width; j++)
                if (attributes[row, j] && (best < 0 || totals[j] < totals[best])) best = j;
            return best;
        }
        var order = dealt.Select((d, position) => (d.Row, d.Class, d.Fold, Rarest: Rarest(d.Row), Position: position))
            .OrderBy(d => d.Rarest < 0 ? int.MaxValue : totals[d.Rarest]).ThenBy(d => d.Rarest).ThenBy(d => d.Position).ToArray();
        var counts = new int[width, foldCount];
        var folds = Enumerable.Range(0, foldCount).Select(_ => new List<int>()).ToArray();
        foreach (var (row, c, plainFold, rarest, _) in order)
        {
            int chosen = -1;
            (double Primary, double Secondary, int Room, int Distance) best = default;
            for (int step = 0; step < foldCount; step++)
            {
                int f = (plainFold + step) % foldCount;
                if (room[c, f] == 0) continue;
                double scale = shares is null ? 1 : 1 / shares[f];
                double secondary = 0;
                for (int j = 0; j < width; j++)
                    if (attributes[row, j] && j != rarest) secondary += scale * counts[j, f] / totals[j];
                var key = (rarest < 0 ? 0 : scale * counts[rarest, f], secondary, -room[c, f], step);
                if (chosen < 0 || key.CompareTo(best) < 0) (chosen, best) = (f, key);
            }
            folds[chosen].Add(row);
            room[c, chosen]--;
            for (int j = 0; j < width; j++)
                if (attributes[row, j]) counts[j, chosen]++;
        }
        RepairCoverage(folds, counts, totals, attributes, dealt.ToDictionary(d => d.Row, d => d.Class));
        return folds;
    }

    /// <summary>
    /// After the greedy placement: an attribute on at least as many rows as there are folds that a fold lacks gets one of
    /// its rows swapped into that fold from a fold holding two or more, against a row of the same class (so the class
    /// counts stay) without it, provided the swap leaves no fold without an attribute that fold had (of those on at least
    /// as many rows as folds). Attributes in rarity order; the first valid swap in fold and row order is taken.
    /// </summary>
    private static void RepairCoverage(List<int>[] folds, int[,] counts, int[] totals, bool[,] attributes, Dictionary<int, int> classOf)
    {
        int foldCount = folds.Length, width = totals.Length;
        var covered = Enumerable.Range(0, width).Where(j => totals[j] >= foldCount).ToArray();
        bool Keeps(int from, int to, int leaving, int arriving) => covered.All(i =>
            (counts[i, from] == 0 || counts[i, from] - (attributes[leaving, i] ? 1 : 0) + (attributes[arriving, i] ? 1 : 0) >= 1) &&
            (counts[i, to] == 0 || counts[i, to] - (attributes[arriving, i] ? 1 : 0) + (attributes[leaving, i] ? 1 : 0) >= 1));
        foreach (int j in covered.OrderBy(j => totals[j]).ThenBy(j => j))
            for (int f = 0; f < foldCount; f++)
            {
                if (counts[j, f] > 0) continue;
                var swap = (from: -1, leaving: -1, arriving: -1);
                for (int g = 0; g < foldCount && swap.from < 0; g++)
                {
                    if (g == f || counts[j, g] < 2) continue;
                    foreach (int r in folds[g])
                    {
                        if (!attributes[r, j]) continue;
                        int partner = folds[f].FirstOrDefault(s => classOf[s] == classOf[r] && !attributes[s, j] && Keeps(g, f, r, s), -1);
                        if (partner < 0) continue;
                        swap = (g, r, partner);
                        break;
                    }
                }
                if (swap.from < 0) continue;   // no single swap helps: the caller's own check reports the fold
                var (from, leaving, arriving) = swap;
                folds[from].Remove(leaving);
                folds[from].Add(arriving);
                folds[f].Remove(arriving);
                folds[f].Add(leaving);
                for (int i = 0; i < width; i++)
                {
                    int delta = (attributes[leaving, i] ? 1 : 0) - (attributes[arriving, i] ? 1 : 0);
                    counts[i, from] -= delta;
                    counts[i, f] += delta;
                }
            }
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

    /// <summary>"needs at least N of it": the smallest class size, from <paramref name="current"/> up, that keeps a
    /// training row after its rounded test and validation parts (both grow with the size, so it is searched, not
    /// computed from one size). Every size from 3 / (1 - validation - test) on keeps one (the two parts take at most one
    /// row more each than their fractions), which bounds the search; when that bound is more than ten million sizes
    /// away, the message gives it as an approximate size instead of searching.</summary>
    private static string NeededClassSize(int current, double validationFraction, double testFraction)
    {
        double share = 1 - validationFraction - testFraction;
        double bound = share > 0 ? Math.Ceiling(3 / share) : double.PositiveInfinity;
        int n = Math.Max(current, 1);
        if (bound - n > 10_000_000)
            return $"needs about {(share > 0 ? (1 / share).ToString("G3", CultureInfo.InvariantCulture) : "infinitely many")} or more of it " +
                   $"(the fractions leave a training share of {share.ToString("G3", CultureInfo.InvariantCulture)}); lower them";
        while (n < bound && n - PartSize(n, testFraction) - PartSize(n, validationFraction) < 1) n++;
        return $"needs at least {n} of it";
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
