using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Graphs;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>What one pipeline run measured: test metrics of the (fold-averaged) fused classifier, and per fold the
/// validation scores, the distillation plan and the final weights.</summary>
/// <remarks>On data without test rows (<see cref="HasTestSplit"/> false: one labelled cohort, trained on for
/// prediction later) nothing is scored on a test split: <see cref="Accuracy"/>, <see cref="MacroF1"/> and
/// <see cref="WeightedF1"/> are NaN, <see cref="Auc"/> and <see cref="MacroAucOneVsRest"/> null, the test lists and
/// <see cref="HeadTestScores"/> empty; the out-of-fold scores (<see cref="OutOfFoldMacroF1"/>, <see cref="OutOfFoldAuc"/>,
/// <see cref="OutOfFoldLogLoss"/>) are then the run's estimate of its performance.</remarks>
public sealed record PipelineResult(
    IReadOnlyList<string> ModalityNames,
    double Accuracy,
    double MacroF1,
    double WeightedF1,
    double? Auc,
    double Seconds,
    double OutOfFoldMacroF1,
    IReadOnlyList<FoldOutcome> Folds,
    ConnectivityReport? Connectivity,
    IReadOnlyList<int> TestRows,
    IReadOnlyList<int> TestLabels,
    IReadOnlyList<int> TestPredictions,
    double[,] TestProbabilities)
{
    /// <summary>Whether the data had test rows, scored by the test metrics; false for a train-only cohort (see the
    /// remarks).</summary>
    public bool HasTestSplit => TestRows.Count > 0;

    /// <summary>The trained model (fold networks, statistics, cohort graph), when the pipeline ran with
    /// <see cref="TrainingPipeline.KeepTrainedModel"/>; else null. The caller disposes it.</summary>
    public TrainedPipeline? Model { get; init; }

    /// <summary>Out-of-fold ROC AUC of the labelled rows (two classes only; else null): every labelled row scored by
    /// the probabilities of the model(s) that did not train on it.</summary>
    public double? OutOfFoldAuc { get; init; }

    /// <summary>Test ROC AUC for three or more classes: one-vs-rest, macro-averaged over the classes,
    /// (1 / C) sum_c AUC(y == c, p_c) (<see cref="BalancedMultimodal.Core.Metrics.RocAuc.OneVsRestMacro"/>, scikit-learn's
    /// <c>roc_auc_score(multi_class='ovr', average='macro')</c>); null for two classes (see <see cref="Auc"/>) and when a
    /// class has no test row.</summary>
    public double? MacroAucOneVsRest { get; init; }

    /// <summary>The labelled rows scored out of fold (every row some fold validated on), ascending; the rows of
    /// <see cref="OutOfFoldProbabilities"/>.</summary>
    public IReadOnlyList<int>? OutOfFoldRows { get; init; }

    /// <summary>Out-of-fold class probabilities (one row per entry of <see cref="OutOfFoldRows"/>, n x C): for each row,
    /// the mean of the final probabilities of the fold models that validated on it, i.e. did not train on it (one per
    /// cross-fitting repeat). The out-of-fold metrics are computed from them; usable for stacking or calibration.</summary>
    public double[,]? OutOfFoldProbabilities { get; init; }

    /// <summary>Out-of-fold log-loss of the labelled rows: -mean_i log p_i(y_i), p the out-of-fold probabilities
    /// (clamped at 1e-12).</summary>
    public double? OutOfFoldLogLoss { get; init; }

    /// <summary>How the MLP encoder's slope was chosen, when <see cref="MlpEncoderSettings.AlternativeNegativeSlope"/>
    /// was set; else null.</summary>
    public EncoderSelection? EncoderSelection { get; init; }

    /// <summary>The class weighting the run trained with: the options' own, or
    /// <see cref="ClassWeighting.InverseFrequency"/> when the labelled rows' imbalance reached
    /// <see cref="PipelineOptions.ClassWeightingImbalanceRatio"/> (<see cref="TrainingPipeline.EffectiveTraining"/>).</summary>
    public ClassWeighting ClassWeighting { get; init; }

    /// <summary>Per modality, how many samples (of all rows, test rows included) lacked it; all 0 for complete data
    /// (docs/pipeline.md, "Incomplete samples").</summary>
    public IReadOnlyList<int> SamplesLacking { get; init; } = [];

    /// <summary>Each head scored alone on the test rows, the fused head first, then the modalities in order (a
    /// diagnostic; empty when there are no test rows).</summary>
    public IReadOnlyList<HeadTestScore> HeadTestScores { get; init; } = [];

    /// <summary>Mean over folds of each modality's phase-1 validation macro-F1.</summary>
    public IReadOnlyList<double> PretrainingValidationScores => Mean(f => f.PretrainingScores);

    /// <summary>Mean over folds of each modality's validation macro-F1 after distillation.</summary>
    public IReadOnlyList<double> DistilledValidationScores => Mean(f => f.DistilledScores);

    /// <summary>Mean over folds of each modality head's validation macro-F1 at the chosen joint checkpoint.</summary>
    public IReadOnlyList<double> FinalValidationScores => Mean(f => f.FinalModalityScores);

    /// <summary>Mean over folds of the final per-modality loss weights.</summary>
    public IReadOnlyList<double> FinalWeights => Mean(f => f.FinalWeights);

    /// <summary>Mean over folds of the pooled prediction's head weights (fused head first, then one per modality), for
    /// <see cref="PredictionSource.AllHeadsValidationWeighted"/>; else null.</summary>
    public IReadOnlyList<double>? PoolingWeights => Folds.Count > 0 && Folds.All(f => f.PoolingWeights is not null)
        ? Enumerable.Range(0, ModalityNames.Count + 1).Select(h => Folds.Average(f => f.PoolingWeights![h])).ToArray()
        : null;

    /// <summary>Mean over folds of the fused classifier's validation macro-F1.</summary>
    public double FusedValidationScore => Folds.Average(f => f.FusedValidationScore);

    private double[] Mean(Func<FoldOutcome, IReadOnlyList<double>> select) =>
        Enumerable.Range(0, ModalityNames.Count).Select(m => Folds.Average(f => select(f)[m])).ToArray();
}
