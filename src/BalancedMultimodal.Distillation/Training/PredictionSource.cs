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

    /// <summary>
    /// The fused classifier and every modality head, pooled log-linearly (the normalised geometric mean of their
    /// probabilities, a product of experts):
    /// p = (softmax(z) * prod_m softmax(z_m))^(1/(M+1)) / normaliser = softmax((z + sum_m z_m) / (M + 1)),
    /// the last form because log softmax(z) = z - logsumexp(z) differs from z by a per-row constant (Genest and Zidek,
    /// "Combining probability distributions: a critique and an annotated bibliography", Statistical Science 1986;
    /// Hinton, "Training products of experts by minimizing contrastive divergence", Neural Computation 2002). Unlike
    /// <see cref="AllHeads"/>, a confident head is not diluted by an uncertain one.
    /// </summary>
    AllHeadsGeometricMean,

    /// <summary>
    /// The fused classifier and every modality head, pooled log-linearly with weights measured on validation:
    /// p = softmax(w_0 z + sum_m w_m z_m), the normalised weighted geometric mean of the heads' probabilities, where the
    /// weights (non-negative, summing to 1) come from the rule <see cref="BalancedTrainingOptions.PoolingRule"/>, by default
    /// each head's validation information gain over the uniform guess, g_h = max(0, ln C - CE_h)
    /// (<see cref="HeadPoolingRule.ValidationEvidence"/> instead: exp(-max(0, d_h / s_h)), the head's paired
    /// cross-entropy deficit to the best head in standard errors), shrunk towards equal weights:
    /// w_h = lambda / H + (1 - lambda) r_h / sum_k r_k over the H heads with rule weights r_h,
    /// lambda = <see cref="BalancedTrainingOptions.PoolingWeightShrinkage"/> (<see cref="HeadPoolingWeights"/>),
    /// measured at every evaluation step and kept with the checkpoint (<see cref="BalancedTrainingResult.PoolingWeights"/>).
    /// When <see cref="BalancedTrainingOptions.FinalPoolingRule"/> is set, the final prediction at that checkpoint is
    /// re-pooled with weights of that rule (the checkpoint itself is still chosen under <c>PoolingRule</c>).
    /// With equal rule weights it is <see cref="AllHeadsGeometricMean"/>; with lambda = 0 (the default) a head no better
    /// than chance on validation gets weight 0 under the gain rule and cannot dilute the others, with lambda &gt; 0 it
    /// keeps lambda / H.
    /// </summary>
    AllHeadsValidationWeighted,
}
