namespace BalancedMultimodal.Core.Metrics;

/// <summary>
/// Area under the ROC curve, with scikit-learn's <c>roc_auc_score</c> semantics (trapezoidal ROC over distinct
/// score thresholds, so tied scores contribute one half).
/// </summary>
/// <remarks>
/// Computed through the equivalent Mann-Whitney statistic with average ranks for ties:
/// AUC = (R_+ - n_+ (n_+ + 1) / 2) / (n_+ n_-), where R_+ is the sum of the (tie-averaged, 1-based) ranks of the
/// positive samples' scores; equivalently the probability that a random positive outranks a random negative, ties 1/2
/// (Hanley and McNeil, "The meaning and use of the area under a receiver operating characteristic (ROC) curve",
/// Radiology 143, 1982). Cost O(n log n).
/// </remarks>
public static class RocAuc
{
    /// <summary>Binary ROC-AUC; class 1 is the positive class.</summary>
    /// <param name="labels">n labels, each 0 or 1, both present.</param>
    /// <param name="scores">n finite scores; larger means more likely class 1 (a probability, a logit or a margin).</param>
    /// <returns>The AUC in [0, 1].</returns>
    /// <exception cref="ArgumentException">When lengths differ, a label is not 0/1, only one class is present, or a score is not finite.</exception>
    public static double Binary(IReadOnlyList<int> labels, IReadOnlyList<double> scores)
    {
        if (TryBinary(labels, scores, out double auc)) return auc;
        long positives = labels.Count(label => label == 1);
        throw new ArgumentException($"ROC-AUC is undefined when only one class is present ({positives} positive, {labels.Count - positives} negative samples).", nameof(labels));
    }

    /// <summary>
    /// Binary ROC-AUC when it is defined: as <see cref="Binary"/>, but returns false (and <paramref name="auc"/> = NaN)
    /// instead of throwing when only one class is present, e.g. for a small test split or a one-sample prediction set.
    /// </summary>
    /// <param name="labels">n labels, each 0 or 1.</param>
    /// <param name="scores">n finite scores; larger means more likely class 1.</param>
    /// <param name="auc">The AUC in [0, 1] when both classes are present; NaN otherwise.</param>
    /// <returns>True when both classes are present and the AUC was computed.</returns>
    /// <exception cref="ArgumentException">When lengths differ, a label is not 0/1 or a score is not finite.</exception>
    public static bool TryBinary(IReadOnlyList<int> labels, IReadOnlyList<double> scores, out double auc)
    {
        auc = double.NaN;
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        if (labels.Count != scores.Count)
            throw new ArgumentException($"There are {labels.Count} labels but {scores.Count} scores; they must pair up.", nameof(scores));
        long positives = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] is not (0 or 1)) throw new ArgumentException($"Label at position {i} is {labels[i]}; binary ROC-AUC needs labels 0 or 1.", nameof(labels));
            if (!double.IsFinite(scores[i])) throw new ArgumentException($"Score at position {i} is {scores[i]}; scores must be finite.", nameof(scores));
            positives += labels[i];
        }
        long negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0) return false;

        var order = Enumerable.Range(0, scores.Count).ToArray();
        Array.Sort(order, (a, b) => scores[a].CompareTo(scores[b]));
        double positiveRankSum = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            double averageRank = (start + end) / 2.0 + 1.0;
            for (int k = start; k <= end; k++) if (labels[order[k]] == 1) positiveRankSum += averageRank;
            start = end + 1;
        }
        auc = (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
        return true;
    }

    /// <summary>
    /// Multi-class ROC-AUC, one-vs-rest, macro average (scikit-learn <c>roc_auc_score(multi_class='ovr', average='macro')</c>):
    /// the mean over classes c of <see cref="Binary"/>(labels == c, scores[:, c]).
    /// </summary>
    /// <param name="labels">n labels in [0, C); every class must occur (and not be the only one).</param>
    /// <param name="scores">n x C finite class scores (e.g. probabilities).</param>
    /// <returns>The macro-averaged AUC.</returns>
    /// <exception cref="ArgumentException">Mismatched counts, fewer than two columns, a label outside [0, C) (naming its
    /// position), a score that is not finite (naming its row and class column), or a class that never occurs; all
    /// checked before any AUC is computed.</exception>
    public static double OneVsRestMacro(IReadOnlyList<int> labels, double[,] scores)
    {
        if (TryOneVsRestMacro(labels, scores, out double auc)) return auc;
        int missing = Enumerable.Range(0, scores.GetLength(1)).First(c => !labels.Contains(c));
        throw new ArgumentException($"Class {missing} never occurs in the labels; its one-vs-rest AUC is undefined.", nameof(labels));
    }

    /// <summary>
    /// One-vs-rest macro ROC-AUC when it is defined: as <see cref="OneVsRestMacro"/>, but returns false (and
    /// <paramref name="auc"/> = NaN) instead of throwing when a class never occurs in the labels, e.g. a small test
    /// split that misses a rare class (scikit-learn raises there too: a class without positives has no ROC curve).
    /// </summary>
    /// <param name="labels">n labels in [0, C).</param>
    /// <param name="scores">n x C finite class scores (e.g. probabilities).</param>
    /// <param name="auc">The macro-averaged AUC when every class occurs; NaN otherwise.</param>
    /// <returns>True when every class occurs and the AUC was computed.</returns>
    /// <exception cref="ArgumentException">Mismatched counts, fewer than two columns, a label outside [0, C) (naming its
    /// position) or a score that is not finite (naming its row and class column); all checked before any AUC is
    /// computed.</exception>
    public static bool TryOneVsRestMacro(IReadOnlyList<int> labels, double[,] scores, out double auc)
    {
        auc = double.NaN;
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        int n = scores.GetLength(0), classes = scores.GetLength(1);
        if (n != labels.Count) throw new ArgumentException($"There are {labels.Count} labels but {n} score rows.", nameof(scores));
        if (classes < 2) throw new ArgumentException($"The score matrix has {classes} column(s); one-vs-rest AUC needs at least two classes.", nameof(scores));
        for (int i = 0; i < n; i++)
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentException($"Label at position {i} is {labels[i]}; labels must lie in [0, {classes}).", nameof(labels));
        for (int i = 0; i < n; i++)
            for (int c = 0; c < classes; c++)
                if (!double.IsFinite(scores[i, c]))
                    throw new ArgumentException($"Score at row {i}, class {c} is {scores[i, c]}; scores must be finite.", nameof(scores));
        var present = new bool[classes];
        foreach (var label in labels) present[label] = true;
        if (Array.IndexOf(present, false) >= 0) return false;
        double sum = 0;
        for (int c = 0; c < classes; c++)
        {
            var binary = new int[n];
            var column = new double[n];
            for (int i = 0; i < n; i++) { binary[i] = labels[i] == c ? 1 : 0; column[i] = scores[i, c]; }
            sum += Binary(binary, column);
        }
        auc = sum / classes;
        return true;
    }

    /// <summary>
    /// The ROC AUC of an n x C class-probability (or score) matrix, whatever C: for two classes the binary AUC of the
    /// class-1 column (<see cref="TryBinary"/>; sklearn <c>roc_auc_score(y, p[:, 1])</c>), for more the one-vs-rest macro
    /// AUC (<see cref="TryOneVsRestMacro"/>; sklearn <c>roc_auc_score(y, p, multi_class='ovr')</c>). Returns false (and NaN)
    /// when a class has no row.
    /// </summary>
    /// <param name="labels">n labels in [0, C).</param>
    /// <param name="scores">n x C finite class scores, C &gt;= 2.</param>
    /// <param name="auc">The AUC when every class occurs; NaN otherwise.</param>
    /// <returns>True when every class occurs and the AUC was computed.</returns>
    /// <exception cref="ArgumentException">Mismatched counts, fewer than two columns, a label outside [0, C) or a score
    /// that is not finite (naming the argument and the position).</exception>
    public static bool TryForClasses(IReadOnlyList<int> labels, double[,] scores, out double auc)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.GetLength(1) != 2) return TryOneVsRestMacro(labels, scores, out auc);
        if (scores.GetLength(0) != labels.Count) throw new ArgumentException($"There are {labels.Count} labels but {scores.GetLength(0)} score rows.", nameof(scores));
        var positive = new double[labels.Count];
        for (int i = 0; i < positive.Length; i++)
        {
            // Column 0 does not enter the binary AUC, but a non-finite score there is bad input all the same.
            if (!double.IsFinite(scores[i, 0]))
                throw new ArgumentException($"Score at row {i}, class 0 is {scores[i, 0]}; scores must be finite.", nameof(scores));
            positive[i] = scores[i, 1];
        }
        return TryBinary(labels, positive, out auc);
    }
}

