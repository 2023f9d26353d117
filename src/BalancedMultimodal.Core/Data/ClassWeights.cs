using System.Globalization;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Per-class weights for a class-weighted cross-entropy on imbalanced labels.
/// </summary>
/// <remarks>
/// <para>The weights are meant for a weighted mean cross-entropy, PyTorch's <c>F.cross_entropy(z, y, weight=w)</c>:
/// L = sum_i w_{y_i} CE_i / sum_i w_{y_i}. With <see cref="InverseFrequency"/> weights every class then contributes the
/// same total weight to the loss, whatever its size.</para>
/// </remarks>
public static class ClassWeights
{
    /// <summary>
    /// The "balanced" weights w_c = N / (C n_c), where n_c is the number of the given rows in class c and N the number of
    /// rows (King and Zeng, "Logistic regression in rare events data", 2001; scikit-learn's
    /// <c>compute_class_weight("balanced")</c>). Balanced classes give w_c = 1 for every c; sum_c n_c w_c = N.
    /// </summary>
    /// <param name="labels">Class labels of all rows, each in [0, <paramref name="classCount"/>) at the given rows.</param>
    /// <param name="rows">The rows to count (distinct, in [0, labels.Count), at least one), e.g. the training rows.</param>
    /// <param name="classCount">C, at least 1.</param>
    /// <returns>C weights, each positive and finite.</returns>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> below 1.</exception>
    /// <exception cref="ArgumentException">No row, a row out of range or repeated, a label outside [0, C) (naming the
    /// row), or a class without any of the rows (naming the class): its weight would be infinite.</exception>
    public static double[] InverseFrequency(IReadOnlyList<int> labels, IReadOnlyList<int> rows, int classCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (rows.Count == 0)
            throw new ArgumentException("No row to count the classes on.", nameof(rows));
        var counts = new long[classCount];
        var seen = new HashSet<int>();
        foreach (int row in rows)
        {
            if (row < 0 || row >= labels.Count)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Row {row} is outside [0, {labels.Count}) (the labels' length)."), nameof(rows));
            if (!seen.Add(row))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Row {row} is listed twice."), nameof(rows));
            int label = labels[row];
            if (label < 0 || label >= classCount)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The label of row {row} is {label}, outside [0, {classCount})."), nameof(labels));
            counts[label]++;
        }
        for (int c = 0; c < classCount; c++)
            if (counts[c] == 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Class {c} has none of the {rows.Count} rows; inverse-frequency weights need every class among them (its weight would be infinite)."), nameof(rows));
        double total = rows.Count;
        return counts.Select(n => total / ((double)classCount * n)).ToArray();
    }
}
