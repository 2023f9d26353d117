using System.Globalization;
using System.Text;

namespace BalancedMultimodal.Core.Metrics;

/// <summary>
/// Accuracy, per-class precision / recall / F1 / support and their macro and weighted averages, with scikit-learn's
/// definitions (<c>accuracy_score</c>, <c>precision_recall_fscore_support</c>, <c>f1_score</c>, zero_division = 0).
/// </summary>
/// <remarks>
/// <para>Per class c: precision_c = TP_c / (TP_c + FP_c), recall_c = TP_c / (TP_c + FN_c),
/// F1_c = 2 TP_c / (2 TP_c + FP_c + FN_c); each 0 when its denominator is 0 (so a class that is never predicted has
/// precision 0). Accuracy = sum_c TP_c / n.</para>
/// <para>Macro average = the unweighted mean over the classes that occur in the labels or the predictions (scikit-learn's
/// default <c>labels=None</c>: a class in neither does not count). Weighted average = sum_c support_c * metric_c / n.</para>
/// </remarks>
public sealed class ClassificationReport
{
    private readonly ClassMetrics[] _classes;
    private readonly int[] _averagedClasses;

    private ClassificationReport(ConfusionMatrix matrix)
    {
        ConfusionMatrix = matrix;
        int c = matrix.ClassCount, n = matrix.Total;
        _classes = new ClassMetrics[c];
        var averaged = new List<int>();
        int correct = 0;
        for (int k = 0; k < c; k++)
        {
            int tp = matrix.TruePositives(k), support = matrix.Support(k), predicted = matrix.PredictedCount(k);
            int fp = predicted - tp, fn = support - tp;
            correct += tp;
            _classes[k] = new ClassMetrics(k, Ratio(tp, tp + fp), Ratio(tp, tp + fn), Ratio(2.0 * tp, 2.0 * tp + fp + fn), support);
            if (support > 0 || predicted > 0) averaged.Add(k);
        }
        _averagedClasses = averaged.ToArray();
        Accuracy = (double)correct / n;
        MacroPrecision = averaged.Average(k => _classes[k].Precision);
        MacroRecall = averaged.Average(k => _classes[k].Recall);
        MacroF1 = averaged.Average(k => _classes[k].F1);
        WeightedPrecision = _classes.Sum(m => m.Support * m.Precision) / n;
        WeightedRecall = _classes.Sum(m => m.Support * m.Recall) / n;
        WeightedF1 = _classes.Sum(m => m.Support * m.F1) / n;
    }

    /// <summary>Scores <paramref name="predictions"/> against <paramref name="labels"/>.</summary>
    /// <param name="labels">True classes, each in [0, C).</param>
    /// <param name="predictions">Predicted classes, same length, each in [0, C).</param>
    /// <param name="classCount">C; default max over labels and predictions + 1. Classes occurring in neither are listed
    /// in <see cref="Classes"/> but not averaged.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">When the lengths differ, the inputs are empty, a class lies outside [0, C), or a class index or classCount exceeds <see cref="ConfusionMatrix.MaxClassCount"/>.</exception>
    public static ClassificationReport Compute(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, int? classCount = null) =>
        new(ConfusionMatrix.Compute(labels, predictions, classCount));

    /// <summary>The confusion matrix the report is computed from.</summary>
    public ConfusionMatrix ConfusionMatrix { get; }

    /// <summary>Number of samples n.</summary>
    public int SampleCount => ConfusionMatrix.Total;

    /// <summary>Per-class metrics for classes 0..C-1.</summary>
    public IReadOnlyList<ClassMetrics> Classes => _classes;

    /// <summary>The classes entering the macro averages (those occurring in the labels or the predictions).</summary>
    public IReadOnlyList<int> AveragedClasses => _averagedClasses;

    /// <summary>Fraction of correct predictions, sum_c TP_c / n.</summary>
    public double Accuracy { get; }

    /// <summary>Unweighted mean of precision over <see cref="AveragedClasses"/>.</summary>
    public double MacroPrecision { get; }

    /// <summary>Unweighted mean of recall over <see cref="AveragedClasses"/> (the balanced accuracy when every class occurs in the labels).</summary>
    public double MacroRecall { get; }

    /// <summary>Unweighted mean of F1 over <see cref="AveragedClasses"/> (scikit-learn <c>f1_score(average='macro')</c>).</summary>
    public double MacroF1 { get; }

    /// <summary>Support-weighted mean of precision.</summary>
    public double WeightedPrecision { get; }

    /// <summary>Support-weighted mean of recall (equals the accuracy).</summary>
    public double WeightedRecall { get; }

    /// <summary>Support-weighted mean of F1 (scikit-learn <c>f1_score(average='weighted')</c>).</summary>
    public double WeightedF1 { get; }

    /// <summary>A text table in the layout of scikit-learn's <c>classification_report</c> (4 decimals).</summary>
    /// <param name="classNames">Optional names for classes 0..C-1 (none of them null; null as a whole prints the indices).</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">A name list whose length is not C, or a null name (naming its index).</exception>
    public string Format(IReadOnlyList<string>? classNames = null)
    {
        if (classNames is not null && classNames.Count != _classes.Length)
            throw new ArgumentException($"{classNames.Count} class names were given for {_classes.Length} classes.", nameof(classNames));
        for (int k = 0; classNames is not null && k < classNames.Count; k++)
            if (classNames[k] is null) throw new ArgumentException($"Class name {k} is null.", nameof(classNames));
        var names = Enumerable.Range(0, _classes.Length).Select(k => classNames?[k] ?? k.ToString(CultureInfo.InvariantCulture)).ToArray();
        int width = Math.Max(12, names.Max(s => s.Length));
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"".PadLeft(width)}{"precision",10}{"recall",10}{"f1-score",10}{"support",10}");
        foreach (var m in _classes)
            text.AppendLine(CultureInfo.InvariantCulture, $"{names[m.Class].PadLeft(width)}{m.Precision,10:F4}{m.Recall,10:F4}{m.F1,10:F4}{m.Support,10}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"accuracy".PadLeft(width)}{"",10}{"",10}{Accuracy,10:F4}{SampleCount,10}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"macro avg".PadLeft(width)}{MacroPrecision,10:F4}{MacroRecall,10:F4}{MacroF1,10:F4}{SampleCount,10}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"weighted avg".PadLeft(width)}{WeightedPrecision,10:F4}{WeightedRecall,10:F4}{WeightedF1,10:F4}{SampleCount,10}");
        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Format();

    private static double Ratio(double numerator, double denominator) => denominator == 0 ? 0.0 : numerator / denominator;
}
