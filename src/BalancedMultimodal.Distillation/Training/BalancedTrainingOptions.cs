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

    /// <summary>Seed of every random choice (initialisation, dropout, permutation tests). Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Distillation loss weights, temperature and representation term.</summary>
    public DistillationLossOptions Distillation { get; set; } = new();

    /// <summary>Strong/weak assessment and MI gate.</summary>
    public ModalityAssessmentOptions Assessment { get; set; } = new();

    /// <summary>Per-modality loss weighting policy of phase 2 (default: the performance gate).</summary>
    public ModalityWeightingOptions Weighting { get; set; } = new();
}
