namespace BalancedMultimodal.Distillation.Training;

/// <summary>The phases of the balanced schedule.</summary>
public enum TrainingPhase
{
    /// <summary>Phase 1: each modality's encoder and head trained alone on its own features.</summary>
    Pretraining,

    /// <summary>Phase 1b: MI-gated cross-modal distillation into weak modalities.</summary>
    Distillation,

    /// <summary>Phase 2: joint multitask training with performance-gated weights.</summary>
    Joint,
}
