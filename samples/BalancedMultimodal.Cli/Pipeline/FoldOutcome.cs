using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>The outcome of training on one fold (its validation rows are the fold, its training rows the rest).</summary>
/// <param name="Fold">Fold index (repeats numbered on).</param>
/// <param name="ValidationRows">Cohort rows the fold validated on.</param>
/// <param name="PretrainingScores">Each modality's phase-1 validation macro-F1.</param>
/// <param name="DistilledScores">Each modality's validation macro-F1 after distillation.</param>
/// <param name="FinalModalityScores">Each modality head's validation macro-F1 at the joint checkpoint.</param>
/// <param name="FusedValidationScore">The final prediction's validation macro-F1 at the joint checkpoint.</param>
/// <param name="FinalWeights">Per-modality loss weights at the checkpoint.</param>
/// <param name="Plan">The distillation plan (null when distillation was off).</param>
/// <param name="BestJointEpoch">1-based joint epoch of the checkpoint.</param>
/// <param name="History">Every evaluation step of the fold's training.</param>
/// <param name="PoolingWeights">The pooled prediction's head weights (fused head first); null for fixed-weight sources.</param>
/// <param name="ValidationProbabilities">The fold model's final class probabilities of its validation rows, one row per
/// entry of <paramref name="ValidationRows"/> in that order (n_val x C); null when not recorded.</param>
public sealed record FoldOutcome(
    int Fold,
    IReadOnlyList<int> ValidationRows,
    IReadOnlyList<double> PretrainingScores,
    IReadOnlyList<double> DistilledScores,
    IReadOnlyList<double> FinalModalityScores,
    double FusedValidationScore,
    IReadOnlyList<double> FinalWeights,
    DistillationPlan? Plan,
    int BestJointEpoch,
    IReadOnlyList<TrainingProgress> History,
    IReadOnlyList<double>? PoolingWeights = null,
    double[,]? ValidationProbabilities = null);
