using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>The outcome of training on one fold (its validation rows are the fold, its training rows the rest).</summary>
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
    IReadOnlyList<double>? PoolingWeights = null);
