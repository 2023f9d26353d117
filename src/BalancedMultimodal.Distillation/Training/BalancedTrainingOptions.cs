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

    /// <summary>Adam weight decay (L2) of every phase. Default 1e-3.</summary>
    public double WeightDecay { get; set; } = 1e-3;

    /// <summary>Dropout before the classifier heads. Default 0.5.</summary>
    public double HeadDropout { get; set; } = 0.5;

    /// <summary>Validate (score, re-weight, checkpoint) every this many epochs. Default 5.</summary>
    public int EvaluationInterval { get; set; } = 5;

    /// <summary>Stop a phase after this many epochs without a better validation score. Default 100.</summary>
    public int Patience { get; set; } = 100;

    /// <summary>Run the MI-gated distillation into weak modalities (phase 1b and the distillation terms of phase 2). Default true.</summary>
    public bool EnableDistillation { get; set; } = true;

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
    /// (<see cref="HeadPoolingWeights.FromValidation"/>). Default 0 (the pure gain rule); the CLI pipeline uses 0.5.
    /// </summary>
    public double PoolingWeightShrinkage { get; set; }

    /// <summary>
    /// Weight lambda of entropy minimisation on the rows without a training label during phase 2 (transductive, no
    /// label read): the joint loss gains lambda * mean_{i not a training row} H(p_i), H(p) = -sum_c p_c log p_c, p_i the
    /// final prediction of <see cref="Prediction"/> (Grandvalet and Bengio, "Semi-supervised learning by entropy
    /// minimization", NIPS 2004). Default 0 (off).
    /// </summary>
    public double UnlabelledEntropyWeight { get; set; }

    /// <summary>Seed of every random choice (initialisation, dropout, permutation tests). Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Distillation loss weights, temperature and representation term.</summary>
    public DistillationLossOptions Distillation { get; set; } = new();

    /// <summary>Strong/weak assessment and MI gate.</summary>
    public ModalityAssessmentOptions Assessment { get; set; } = new();

    /// <summary>Per-modality loss weighting policy of phase 2 (default: the performance gate).</summary>
    public ModalityWeightingOptions Weighting { get; set; } = new();
}
