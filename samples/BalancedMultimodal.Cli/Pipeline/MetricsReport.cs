using System.Text.Json;
using System.Text.Json.Serialization;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>The content of <c>metrics.json</c> written by <c>bmm train</c>.</summary>
/// <remarks>A run on data without a test split (<see cref="PipelineResult.HasTestSplit"/> false) writes the same keys,
/// with <c>accuracy</c>, <c>macro_f1</c>, <c>weighted_f1</c>, <c>auc</c>, <c>macro_auc_ovr</c> and <c>heads_on_test</c>
/// null and <c>test_samples</c> 0; the <c>out_of_fold_*</c> scores are then the run's estimate (docs/pipeline.md).</remarks>
public static class MetricsReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Builds the JSON document of one run.</summary>
    /// <param name="r">The run's result.</param>
    /// <param name="options">The effective options of the run (defaults, then the config file, then <c>--seed</c>);
    /// recorded under <c>options</c> in the format <c>--config</c> reads, so the file reproduces the run.</param>
    /// <param name="dataFolder">The data folder, as a full path.</param>
    public static string ToJson(PipelineResult r, PipelineOptions options, string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(options);
        var modalities = r.ModalityNames.Select((name, m) => new Dictionary<string, object?>
        {
            ["name"] = name,
            ["validation_macro_f1_pretraining"] = r.PretrainingValidationScores[m],
            ["validation_macro_f1_after_distillation"] = r.DistilledValidationScores[m],
            ["validation_macro_f1_final"] = r.FinalValidationScores.Count > m ? r.FinalValidationScores[m] : null,
            ["final_weight"] = r.FinalWeights[m],
            ["samples_lacking"] = r.SamplesLacking.Count > m ? r.SamplesLacking[m] : 0,
        }).ToArray();
        var folds = r.Folds.Select(f => new Dictionary<string, object?>
        {
            ["fold"] = f.Fold,
            ["validation_rows"] = f.ValidationRows.Count,
            ["fused_validation_macro_f1"] = f.FusedValidationScore,
            ["best_joint_epoch"] = f.BestJointEpoch,
            ["validation_macro_f1_pretraining"] = f.PretrainingScores,
            ["validation_macro_f1_after_distillation"] = f.DistilledScores,
            ["validation_macro_f1_final"] = f.FinalModalityScores,
            ["final_weights"] = f.FinalWeights,
            ["pooling_weights"] = f.PoolingWeights,
            ["distillation_plan"] = f.Plan?.Modalities.Select(a => new Dictionary<string, object?>
            {
                ["modality"] = a.Name,
                ["score"] = a.Score,
                ["strong"] = a.IsStrong,
                ["teacher"] = a.TeacherName,
                ["gate_open"] = a.GateOpen,
                ["mutual_information_with_teacher"] = a.MutualInformationWithTeacher,
                ["teacher_p_value"] = a.TeacherPValue,
                ["mutual_information_with_labels"] = a.MutualInformationWithLabels,
                ["candidates"] = a.Candidates.Select(c => new Dictionary<string, object?>
                {
                    ["teacher"] = c.Name,
                    ["mutual_information"] = c.MutualInformation,
                    ["p_value"] = c.PValue,
                    ["null_mean"] = c.NullMean,
                }).ToArray(),
                ["reason"] = a.Reason,
            }).ToArray(),
        }).ToArray();
        var document = new Dictionary<string, object?>
        {
            ["data"] = dataFolder,
            ["seed"] = options.Seed,
            // Without a test split (a train-only cohort) every test score is null and test_samples 0: the keys stay, so a
            // reader finds the same document shape; the out-of-fold scores below are then the run's estimate.
            ["accuracy"] = r.HasTestSplit ? r.Accuracy : null,
            ["macro_f1"] = r.HasTestSplit ? r.MacroF1 : null,
            ["weighted_f1"] = r.HasTestSplit ? r.WeightedF1 : null,
            ["auc"] = r.Auc,
            ["macro_auc_ovr"] = r.MacroAucOneVsRest,
            ["seconds"] = r.Seconds,
            ["test_samples"] = r.TestRows.Count,
            ["fused_validation_macro_f1"] = r.FusedValidationScore,
            ["out_of_fold_macro_f1"] = r.OutOfFoldMacroF1,
            ["out_of_fold_auc"] = r.OutOfFoldAuc,
            ["out_of_fold_log_loss"] = r.OutOfFoldLogLoss,
            ["modalities"] = modalities,
            ["final_weights"] = r.FinalWeights,
            ["pooling_weights"] = r.PoolingWeights is { } pooling
                ? new[] { "fused head" }.Concat(r.ModalityNames).Zip(pooling)
                    .Select(p => new Dictionary<string, object?> { ["head"] = p.First, ["weight"] = p.Second }).ToArray()
                : null,
            ["heads_on_test"] = r.HasTestSplit ? r.HeadTestScores.Select(h => new Dictionary<string, object?>
            {
                ["head"] = h.Head, ["rows"] = h.Rows, ["accuracy"] = h.Accuracy, ["macro_f1"] = h.MacroF1, ["auc"] = h.Auc,
            }).ToArray() : null,
            ["folds"] = folds,
            // Null when the run built no patient graph (PipelineOptions.PatientGraph: no encoder read it).
            ["graph"] = r.Connectivity is { } connectivity
                ? new Dictionary<string, object?>
                {
                    ["components"] = connectivity.ComponentCount,
                    ["isolated_nodes"] = connectivity.IsolatedNodes.Count,
                    ["algebraic_connectivity"] = connectivity.AlgebraicConnectivity,
                }
                : null,
            ["encoder_selection"] = r.EncoderSelection is { } selection
                ? new Dictionary<string, object?>
                {
                    ["primary_slope"] = selection.PrimarySlope,
                    ["primary_out_of_fold_macro_f1"] = selection.PrimaryOutOfFoldMacroF1,
                    ["alternative_slope"] = selection.AlternativeSlope,
                    ["alternative_out_of_fold_macro_f1"] = selection.AlternativeOutOfFoldMacroF1,
                    ["margin"] = selection.Margin,
                    ["chosen_slope"] = selection.ChosenSlope,
                }
                : null,
            ["class_weighting"] = r.ClassWeighting.ToString(),
            ["options"] = JsonSerializer.SerializeToElement(options, TrainedPipelineFolder.Json),
        };
        return JsonSerializer.Serialize(document, Json);
    }
}
