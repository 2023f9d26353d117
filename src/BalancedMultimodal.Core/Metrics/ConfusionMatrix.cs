namespace BalancedMultimodal.Core.Metrics;

/// <summary>
/// The C x C confusion matrix: entry (i, j) counts the samples of true class i predicted as class j
/// (rows = truth, columns = prediction, as scikit-learn's <c>confusion_matrix</c>).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly int[,] _counts;

    private ConfusionMatrix(int[,] counts, int total)
    {
        _counts = counts;
        Total = total;
    }

    /// <summary>The largest class count C the metrics accept, 46340: the C x C matrix of counts must have at most
    /// 2^31 cells. A larger class index, or classCount, is refused naming it (it overflowed or failed to
    /// allocate).</summary>
    public const int MaxClassCount = 46340;

    /// <summary>Counts the (truth, prediction) pairs.</summary>
    /// <param name="labels">True classes, each in [0, C).</param>
    /// <param name="predictions">Predicted classes, same length, each in [0, C).</param>
    /// <param name="classCount">C; default max over labels and predictions + 1.</param>
    /// <returns>The matrix.</returns>
    /// <exception cref="ArgumentException">When the lengths differ, the inputs are empty, a class lies outside [0, C), or a
    /// class index or classCount exceeds <see cref="MaxClassCount"/>.</exception>
    public static ConfusionMatrix Compute(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, int? classCount = null)
    {
        int c = ClassificationInput.Validate(labels, predictions, classCount);
        var counts = new int[c, c];
        for (int i = 0; i < labels.Count; i++) counts[labels[i], predictions[i]]++;
        return new ConfusionMatrix(counts, labels.Count);
    }

    /// <summary>Number of classes C.</summary>
    public int ClassCount => _counts.GetLength(0);

    /// <summary>Number of samples counted.</summary>
    public int Total { get; }

    /// <summary>Number of samples of true class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    /// <param name="actual">True class in [0, C).</param>
    /// <param name="predicted">Predicted class in [0, C).</param>
    public int this[int actual, int predicted]
    {
        get
        {
            if ((uint)actual >= (uint)ClassCount) throw new ArgumentOutOfRangeException(nameof(actual), actual, $"Class must lie in [0, {ClassCount}).");
            if ((uint)predicted >= (uint)ClassCount) throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"Class must lie in [0, {ClassCount}).");
            return _counts[actual, predicted];
        }
    }

    /// <summary>True positives of class c: entry (c, c).</summary>
    /// <param name="c">Class in [0, C).</param>
    public int TruePositives(int c) => this[c, c];

    /// <summary>Support of class c: the number of samples whose true class is c (row sum).</summary>
    /// <param name="c">Class in [0, C).</param>
    public int Support(int c)
    {
        _ = this[c, c];
        int sum = 0;
        for (int j = 0; j < ClassCount; j++) sum += _counts[c, j];
        return sum;
    }

    /// <summary>Number of samples predicted as class c (column sum).</summary>
    /// <param name="c">Class in [0, C).</param>
    public int PredictedCount(int c)
    {
        _ = this[c, c];
        int sum = 0;
        for (int i = 0; i < ClassCount; i++) sum += _counts[i, c];
        return sum;
    }

    /// <summary>A copy of the counts as a C x C array (rows = truth, columns = prediction).</summary>
    public int[,] ToArray() => (int[,])_counts.Clone();
}
