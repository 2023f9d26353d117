namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// One head of a <see cref="TrainedPipeline"/>'s pooled prediction for new samples (the fused classifier, or one
/// modality's head): what it predicts and how much say it has, averaged over the fold networks. Per fold network k,
/// the pooled prediction is p^(k)_i = softmax(sum_h s^(k)_ih z^(k)_hi) (a mixture sum_h s^(k)_ih softmax(z^(k)_hi) with
/// <c>Training.Prediction = AllHeads</c>), with the shares s^(k)_ih of
/// <see cref="BalancedMultimodal.Distillation.Training.PredictionCombiner.HeadShares"/>; the pipeline's probabilities are
/// the mean of p^(k) over the K folds.
/// </summary>
/// <param name="Name"><see cref="FusedHeadName"/> for the fused classifier (always the first head), else the modality's
/// name (the modality heads follow in the model's modality order).</param>
/// <param name="Probabilities">(1 / K) sum_k softmax(z^(k)_h), (n, C); NaN in every column of a sample lacking this
/// modality (its head ran on an imputed input and had no say).</param>
/// <param name="Shares">(1 / K) sum_k s^(k)_ih per sample, in [0, 1]; over the heads each sample's shares sum to 1; 0 for a
/// sample lacking this modality.</param>
public sealed record HeadPrediction(string Name, double[,] Probabilities, IReadOnlyList<double> Shares)
{
    /// <summary>The name the fused classifier's head carries.</summary>
    public const string FusedHeadName = "fused";
}
