namespace BalancedMultimodal.Distillation.Training;

/// <summary>Which outputs of the <see cref="BalancedMultimodalNetwork"/> make the final class probabilities
/// (what <see cref="BalancedTrainer"/> scores on validation, checkpoints on and returns; see <see cref="PredictionCombiner"/>).</summary>
public enum PredictionSource
{
    /// <summary>The fused classifier alone: p = softmax(z), z the fused logits (METHOD.md section 1).</summary>
    FusedHead,

    /// <summary>
    /// The fused classifier and every modality head, probabilities averaged:
    /// p = (softmax(z) + sum_m softmax(z_m)) / (M + 1), a late fusion of the heads on top of the fused classifier.
    /// </summary>
    AllHeads,
}
