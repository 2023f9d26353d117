namespace BalancedMultimodal.Distillation.Training;

/// <summary>One progress report of <see cref="BalancedTrainer"/>, sent at every evaluation step.</summary>
/// <param name="Phase">The running phase.</param>
/// <param name="Modality">The modality being trained (phase 1 and distillation), or null in the joint phase.</param>
/// <param name="Epoch">1-based epoch within the phase.</param>
/// <param name="MaxEpochs">Maximum epochs of the phase.</param>
/// <param name="Loss">Training loss of the epoch.</param>
/// <param name="ValidationScore">Validation macro-F1 of what the phase selects on (the modality's head, or the fused head).</param>
/// <param name="ModalityScores">Per-modality validation macro-F1 (joint phase), else null.</param>
/// <param name="Weights">Per-modality loss weights as the gate set them at this evaluation, from its validation scores;
/// they train the epochs after it (joint phase), else null.</param>
public sealed record TrainingProgress(
    TrainingPhase Phase,
    string? Modality,
    int Epoch,
    int MaxEpochs,
    double Loss,
    double ValidationScore,
    IReadOnlyList<double>? ModalityScores,
    IReadOnlyList<double>? Weights);
