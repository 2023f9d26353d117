namespace BalancedMultimodal.Core.Metrics;

/// <summary>
/// One-number classification scores with scikit-learn's definitions; shortcuts for <see cref="ClassificationReport"/>
/// (see there for the formulas).
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>Fraction of correct predictions (scikit-learn <c>accuracy_score</c>).</summary>
    /// <param name="labels">True classes (&gt;= 0).</param>
    /// <param name="predictions">Predicted classes (&gt;= 0), same length.</param>
    public static double Accuracy(IReadOnlyList<int> labels, IReadOnlyList<int> predictions) =>
        ClassificationReport.Compute(labels, predictions).Accuracy;

    /// <summary>Unweighted mean F1 over the classes occurring in labels or predictions (scikit-learn <c>f1_score(average='macro', zero_division=0)</c>).</summary>
    /// <param name="labels">True classes (&gt;= 0).</param>
    /// <param name="predictions">Predicted classes (&gt;= 0), same length.</param>
    public static double MacroF1(IReadOnlyList<int> labels, IReadOnlyList<int> predictions) =>
        ClassificationReport.Compute(labels, predictions).MacroF1;

    /// <summary>Support-weighted mean F1 (scikit-learn <c>f1_score(average='weighted', zero_division=0)</c>).</summary>
    /// <param name="labels">True classes (&gt;= 0).</param>
    /// <param name="predictions">Predicted classes (&gt;= 0), same length.</param>
    public static double WeightedF1(IReadOnlyList<int> labels, IReadOnlyList<int> predictions) =>
        ClassificationReport.Compute(labels, predictions).WeightedF1;

    /// <summary>
    /// The predicted class of each row of a score matrix (probabilities or logits), arg max_j scores[i, j]; ties go to
    /// the lowest class, as <c>numpy.argmax</c>.
    /// </summary>
    /// <param name="scores">An n x C matrix of finite scores.</param>
    /// <returns>n predicted classes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> is null.</exception>
    /// <exception cref="ArgumentException">The matrix has no columns, or a score is not finite (the message names its
    /// row and column).</exception>
    public static int[] ArgMax(double[,] scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int n = scores.GetLength(0), c = scores.GetLength(1);
        if (c == 0) throw new ArgumentException("The score matrix has no columns.", nameof(scores));
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 0; j < c; j++)
            {
                if (!double.IsFinite(scores[i, j])) throw new ArgumentException($"Score at row {i}, column {j} is not finite.", nameof(scores));
                if (scores[i, j] > scores[i, best]) best = j;
            }
            result[i] = best;
        }
        return result;
    }
}
