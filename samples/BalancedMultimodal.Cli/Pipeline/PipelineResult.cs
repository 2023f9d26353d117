using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Graphs;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>What one pipeline run measured: test metrics, validation scores, the plan and the weights.</summary>
public sealed record PipelineResult(
    IReadOnlyList<string> ModalityNames,
    double Accuracy,
    double MacroF1,
    double WeightedF1,
    double? Auc,
    double Seconds,
    IReadOnlyList<double> PretrainingValidationScores,
    IReadOnlyList<double> DistilledValidationScores,
    IReadOnlyList<double> FinalValidationScores,
    double FusedValidationScore,
    IReadOnlyList<double> FinalWeights,
    DistillationPlan? Plan,
    ConnectivityReport Connectivity,
    IReadOnlyList<int> TestRows,
    IReadOnlyList<int> TestLabels,
    IReadOnlyList<int> TestPredictions,
    double[,] TestProbabilities,
    IReadOnlyList<TrainingProgress> History);
