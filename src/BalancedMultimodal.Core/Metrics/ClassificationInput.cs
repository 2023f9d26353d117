namespace BalancedMultimodal.Core.Metrics;

/// <summary>Shared validation of (labels, predictions) pairs.</summary>
internal static class ClassificationInput
{
    /// <summary>Checks lengths and ranges; returns the class count C.</summary>
    public static int Validate(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, int? classCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(predictions);
        if (labels.Count != predictions.Count)
            throw new ArgumentException($"There are {labels.Count} labels but {predictions.Count} predictions; they must pair up.", nameof(predictions));
        if (labels.Count == 0) throw new ArgumentException("No samples to score: labels and predictions are empty.", nameof(labels));
        int max = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0) throw new ArgumentException($"Label at position {i} is {labels[i]}; classes must be >= 0.", nameof(labels));
            if (predictions[i] < 0) throw new ArgumentException($"Prediction at position {i} is {predictions[i]}; classes must be >= 0.", nameof(predictions));
            if (classCount is null && labels[i] >= ConfusionMatrix.MaxClassCount)
                throw new ArgumentException($"Label at position {i} is {labels[i]}; class indices must be below {ConfusionMatrix.MaxClassCount} (the C x C confusion matrix is limited to 2^31 cells).", nameof(labels));
            if (classCount is null && predictions[i] >= ConfusionMatrix.MaxClassCount)
                throw new ArgumentException($"Prediction at position {i} is {predictions[i]}; class indices must be below {ConfusionMatrix.MaxClassCount} (the C x C confusion matrix is limited to 2^31 cells).", nameof(predictions));
            max = Math.Max(max, Math.Max(labels[i], predictions[i]));
        }
        if (classCount is null) return max + 1;
        if (classCount < 1 || classCount > ConfusionMatrix.MaxClassCount)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"classCount must lie in [1, {ConfusionMatrix.MaxClassCount}].");
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] >= classCount) throw new ArgumentException($"Label at position {i} is {labels[i]}; classes must lie in [0, {classCount}).", nameof(labels));
            if (predictions[i] >= classCount) throw new ArgumentException($"Prediction at position {i} is {predictions[i]}; classes must lie in [0, {classCount}).", nameof(predictions));
        }
        return classCount.Value;
    }
}
