using System.Globalization;
using System.Text;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>Predictions of a <see cref="TrainedPipeline"/> for new samples: fold-averaged final class probabilities (the heads
/// combined as <see cref="BalancedMultimodal.Distillation.Training.BalancedTrainingOptions.Prediction"/> says).</summary>
/// <param name="SampleIds">One identifier per sample (the given IDs, or the 0-based row numbers).</param>
/// <param name="ClassNames">The C class names.</param>
/// <param name="Probabilities">p_ic = (1 / K) sum_k softmax(z^(k)_i)_c over the K fold networks, (n, C); rows sum to 1.</param>
/// <param name="Predictions">argmax_c p_ic per sample (first maximum on ties).</param>
public sealed record PredictionResult(IReadOnlyList<string> SampleIds, IReadOnlyList<string> ClassNames, double[,] Probabilities, IReadOnlyList<int> Predictions)
{
    /// <summary>
    /// The heads behind <see cref="Probabilities"/>: the fused classifier first, then one per modality in the model's
    /// order, each with its fold-averaged probabilities and share of the pooled prediction (which modality said what,
    /// with how much say). Empty when the result was built without them.
    /// </summary>
    public IReadOnlyList<HeadPrediction> Heads { get; init; } = [];

    /// <summary>Number of samples.</summary>
    public int SampleCount => SampleIds.Count;

    /// <summary>
    /// The CSV document: header <c>sample,predicted_class,p_&lt;class&gt;...</c>, then one line per sample with its ID,
    /// the predicted class name and the C probabilities (round-trip precision, invariant culture).
    /// </summary>
    public string ToCsv()
    {
        var text = new StringBuilder();
        text.Append("sample,predicted_class");
        foreach (var name in ClassNames) text.Append(",p_").Append(Quote(name));
        text.Append('\n');
        for (int i = 0; i < SampleCount; i++)
        {
            text.Append(Quote(SampleIds[i])).Append(',').Append(Quote(ClassNames[Predictions[i]]));
            for (int c = 0; c < ClassNames.Count; c++)
                text.Append(',').Append(Probabilities[i, c].ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// The heads as a CSV document in long form: header <c>sample,head,share,p_&lt;class&gt;...</c>, then for each sample
    /// one line per head of <see cref="Heads"/> (the fused head first, named <see cref="HeadPrediction.FusedHeadName"/>,
    /// then the modalities in the model's order) with its share and C probabilities (round-trip precision, invariant
    /// culture); the probabilities of a modality the sample lacks are written as <c>NA</c> (its share is 0).
    /// </summary>
    /// <exception cref="InvalidOperationException">The result has no <see cref="Heads"/>.</exception>
    public string ToHeadsCsv()
    {
        if (Heads.Count == 0)
            throw new InvalidOperationException("This prediction result carries no heads; TrainedPipeline.Predict fills them.");
        var text = new StringBuilder();
        text.Append("sample,head,share");
        foreach (var name in ClassNames) text.Append(",p_").Append(Quote(name));
        text.Append('\n');
        for (int i = 0; i < SampleCount; i++)
            foreach (var head in Heads)
            {
                text.Append(Quote(SampleIds[i])).Append(',').Append(Quote(head.Name)).Append(',')
                    .Append(head.Shares[i].ToString("R", CultureInfo.InvariantCulture));
                for (int c = 0; c < ClassNames.Count; c++)
                {
                    double p = head.Probabilities[i, c];
                    text.Append(',').Append(double.IsNaN(p) ? "NA" : p.ToString("R", CultureInfo.InvariantCulture));
                }
                text.Append('\n');
            }
        return text.ToString();
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
