using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>Options of the two-phase balanced schedule (<see cref="BalancedTrainer"/>); METHOD.md sections 1 and 6-8.</summary>
public sealed class BalancedTrainingOptions
{
    /// <summary>Configuration section name used by the DI registration.</summary>
    public const string SectionName = "Training";

    /// <summary>Maximum epochs of phase 1 (each modality's encoder and head alone). Default 300.</summary>
    public int PretrainingEpochs { get; set; } = 300;

    /// <summary>Maximum epochs of cross-modal distillation into each gated weak modality. Default 200.</summary>
    public int DistillationEpochs { get; set; } = 200;

    /// <summary>Maximum epochs of phase 2 (joint multitask training). Default 300.</summary>
    public int JointEpochs { get; set; } = 300;

    /// <summary>Adam learning rate of every phase. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Adam weight decay (L2) λ of every phase. Default 1e-3. Modality m's input weights
    /// (<see cref="BalancedMultimodal.Core.Encoding.ModalityEncoder.InputWeights"/>) get λ_m instead; see
    /// <see cref="InputWeightDecayWidthExponent"/>.</summary>
    public double WeightDecay { get; set; } = 1e-3;

    /// <summary>
    /// γ in [0, 2]: the weight decay of modality m's input weights (its encoder's first layer, the only parameters whose
    /// number grows with the modality's width d_m) is λ_m = λ max(1, d_m / <see cref="InputWeightDecayReferenceWidth"/>)^γ,
    /// λ = <see cref="WeightDecay"/>; every other parameter gets λ. Default 0: λ everywhere. The reason: Adam moves every
    /// coordinate at about the learning rate whatever its gradient's size, so with d_m mostly uninformative inputs the
    /// noise in a first-layer unit's pre-activation grows like d_m times the squared size of each noise weight; the L2 term
    /// λ p balances a gradient g at |p| ~ |g| / λ, so holding that noise level as d_m grows asks for λ ~ sqrt(d_m), γ = 0.5
    /// (a heuristic, docs/results.md "width-scaled weight decay"). The floor at 1 leaves modalities at or below the
    /// reference width unchanged.
    /// </summary>
    public double InputWeightDecayWidthExponent { get; set; }

    /// <summary>The width w_ref (&gt;= 1, features) at which the input weights' decay equals <see cref="WeightDecay"/>
    /// (<see cref="InputWeightDecayWidthExponent"/>). Default 200, the width at which the CLI pipeline's weight decay was
    /// chosen (ROSMAP's 200 features per modality).</summary>
    public double InputWeightDecayReferenceWidth { get; set; } = 200;

    /// <summary>The weight decay of modality input weights for a modality of <paramref name="width"/> features:
    /// λ_m = λ max(1, d_m / w_ref)^γ (<see cref="InputWeightDecayWidthExponent"/>).</summary>
    /// <param name="width">d_m, the modality's number of features (at least 1).</param>
    /// <returns>λ_m (exactly λ when γ = 0 or λ = 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="width"/> is below 1.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">When <see cref="WeightDecay"/>,
    /// <see cref="InputWeightDecayWidthExponent"/> or <see cref="InputWeightDecayReferenceWidth"/> is invalid (the rules
    /// of <see cref="BalancedTrainingOptionsValidator"/>; the message names the option).</exception>
    public double InputWeightDecay(long width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1L);
        var failures = new List<string>();
        BalancedTrainingOptionsValidator.AddWeightDecayFailures(failures, this);
        if (failures.Count > 0)
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(BalancedTrainingOptions), typeof(BalancedTrainingOptions), failures);
        return InputWeightDecayWidthExponent == 0 || WeightDecay == 0
            ? WeightDecay
            : WeightDecay * Math.Pow(Math.Max(1.0, width / InputWeightDecayReferenceWidth), InputWeightDecayWidthExponent);
    }

    /// <summary>Dropout before the classifier heads. Default 0.5.</summary>
    public double HeadDropout { get; set; } = 0.5;

    /// <summary>Validate (score, re-weight, checkpoint) every this many epochs. Default 5.</summary>
    public int EvaluationInterval { get; set; } = 5;

    /// <summary>Stop a phase after this many epochs without a better validation score. Default 100.</summary>
    public int Patience { get; set; } = 100;

    /// <summary>Run the MI-gated distillation into weak modalities (phase 1b and the distillation terms of phase 2). Default true.</summary>
    public bool EnableDistillation { get; set; } = true;

    /// <summary>
    /// How the classes are weighted in every cross-entropy term (<see cref="Training.ClassWeighting"/>): not at all (the
    /// default, METHOD.md's mean), or by inverse frequency on the fold's training rows, w_c = N / (C n_c), as the weighted
    /// mean sum_i w_{y_i} CE_i / sum_i w_{y_i} (<see cref="BalancedMultimodal.Core.Data.ClassWeights.InverseFrequency"/>),
    /// for cohorts with rare classes. Default <see cref="ClassWeighting.None"/> (docs/distillation.md, "Class weights").
    /// </summary>
    public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.None;

    /// <summary>
    /// Which outputs make the final class probabilities, scored on validation (phase-2 checkpoint and early stopping)
    /// and returned as <see cref="BalancedTrainingResult.PredictedProbabilities"/>: the fused head alone, or the fused
    /// head pooled with every modality head (arithmetic mean, geometric mean, or log-linear with validation-gain weights,
    /// <see cref="PredictionSource.AllHeadsValidationWeighted"/>; <see cref="PredictionCombiner"/>). Default
    /// <see cref="PredictionSource.FusedHead"/>.
    /// </summary>
    public PredictionSource Prediction { get; set; } = PredictionSource.FusedHead;

    /// <summary>
    /// For <see cref="PredictionSource.AllHeadsValidationWeighted"/> only: lambda in [0, 1], how far the heads'
    /// validation-gain weights are pulled towards equal weights, w_h = lambda / H + (1 - lambda) g_h / sum_k g_k
    /// (<see cref="HeadPoolingWeights"/>). Default 0 (the pure gain rule); the CLI pipeline uses 0.5.
    /// </summary>
    public double PoolingWeightShrinkage { get; set; }

    /// <summary>
    /// For <see cref="PredictionSource.AllHeadsValidationWeighted"/> only: how the heads' validation cross-entropies
    /// become pooling weights before the shrinkage (<see cref="HeadPoolingRule"/>): the information gain over the
    /// uniform guess, r_h proportional to max(0, ln C - CE_h), or the evidence factor exp(-max(0, d_h / s_h)) of each head's
    /// paired cross-entropy deficit d_h to the best head in standard errors s_h (<see cref="HeadPoolingWeights"/>).
    /// Default <see cref="HeadPoolingRule.InformationGain"/>; the CLI pipeline uses
    /// <see cref="HeadPoolingRule.ValidationEvidence"/> (docs/results.md in the repository).
    /// </summary>
    public HeadPoolingRule PoolingRule { get; set; } = HeadPoolingRule.InformationGain;

    /// <summary>
    /// For <see cref="PredictionSource.AllHeadsValidationWeighted"/> only: once the joint checkpoint has been chosen (its
    /// validation macro-F1 scored under <see cref="PoolingRule"/> and <see cref="PoolingWeightShrinkage"/>), the returned
    /// prediction is re-pooled, p = softmax(sum_h w_h z_h), with the weights this rule measures on the validation rows at
    /// that checkpoint, unshrunk (<see cref="HeadPoolingWeights"/>); <see cref="BalancedTrainingResult.PoolingWeights"/>
    /// are then those weights. Default null: the checkpoint's own weights. The CLI pipeline uses
    /// <see cref="HeadPoolingRule.ValidationEvidence"/> (chosen on nested validation of ROSMAP and two real multi-view
    /// sets; checkpoints chosen under the evidence weights themselves were worse; docs/results.md in the repository).
    /// </summary>
    public HeadPoolingRule? FinalPoolingRule { get; set; }

    /// <summary>
    /// Weight lambda of entropy minimisation on the rows without a training label during phase 2 (transductive, no
    /// label read): the joint loss gains lambda * mean_{i not a training row} H(p_i), H(p) = -sum_c p_c log p_c, p_i the
    /// final prediction of <see cref="Prediction"/> (Grandvalet and Bengio, "Semi-supervised learning by entropy
    /// minimization", NIPS 2004). Default 0 (off).
    /// </summary>
    public double UnlabelledEntropyWeight { get; set; }

    /// <summary>Seed of the initialisation and dropout (TorchSharp's process-wide generator, set at the start of every
    /// <c>Fit</c>). Default 0. The gate's permutation tests have their own seed, <see cref="ModalityAssessmentOptions.Seed"/>
    /// in <see cref="Assessment"/> (the CLI pipeline sets both from its one seed).</summary>
    public int Seed { get; set; }

    /// <summary>Distillation loss weights, temperature and representation term.</summary>
    public DistillationLossOptions Distillation { get; set; } = new();

    /// <summary>Strong/weak assessment and MI gate.</summary>
    public ModalityAssessmentOptions Assessment { get; set; } = new();

    /// <summary>Per-modality loss weighting policy of phase 2 (default: the performance gate).</summary>
    public ModalityWeightingOptions Weighting { get; set; } = new();
}
