namespace BalancedMultimodal.Distillation.Training;

/// <summary>How <see cref="BalancedTrainer"/> weights the classes in its cross-entropy terms
/// (<see cref="BalancedTrainingOptions.ClassWeighting"/>).</summary>
public enum ClassWeighting
{
    /// <summary>Every labelled row counts the same: the plain mean cross-entropy of METHOD.md (the default).</summary>
    None = 0,

    /// <summary>
    /// Class c's rows weigh w_c = N / (C n_c), n_c counted on the fold's training rows
    /// (<see cref="BalancedMultimodal.Core.Data.ClassWeights.InverseFrequency"/>), in every cross-entropy of every phase
    /// (phase 1, the distillation terms' CE, the joint phase's fused and per-modality CE) as the weighted mean
    /// sum_i w_{y_i} CE_i / sum_i w_{y_i}; so each class carries the same share of the loss. The validation cross-entropy
    /// that breaks checkpoint ties stays unweighted (checkpoints are chosen on macro-F1, which already weighs the classes
    /// equally).
    /// </summary>
    InverseFrequency = 1,
}
