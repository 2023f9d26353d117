using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Cli.Plotting;
using BalancedMultimodal.Cli.Tests.Plotting;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

public class TrainCommandTests(TrainRunFixture run) : IClassFixture<TrainRunFixture>
{
    internal static (int ExitCode, string Output, string Error) Run(params string[] args) => RunWith(default, args);

    private static (int ExitCode, string Output, string Error) RunWith(CancellationToken cancellation, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, [new TrainCommand(cancellation)], "train", output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private JsonElement Metrics()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.OutFolder, "metrics.json")));
        return document.RootElement.Clone();
    }

    [Fact]
    public void Train_on_a_small_folder_succeeds_and_prints_the_test_summary()
    {
        run.Error.Should().BeEmpty();
        run.ExitCode.Should().Be(0);
        run.Output.Should().Contain("60 samples, 3 modalities, 2 classes").And.Contain("test (18 samples): accuracy");
    }

    /// <summary>The values of the printed "test (n samples): accuracy ... (s s)" line.</summary>
    private static (int Samples, string Accuracy, string MacroF1, string WeightedF1, string Auc, string Seconds) SummaryLine(string output)
    {
        var match = Regex.Match(output,
            @"^test \((\d+) samples\): accuracy (\S+)  macro-F1 (\S+)  weighted-F1 (\S+)  AUC (\S+)  \((\S+) s\)$", RegexOptions.Multiline);
        match.Success.Should().BeTrue("the summary ends with the test line:\n" + output);
        var g = match.Groups;
        return (int.Parse(g[1].Value, CultureInfo.InvariantCulture), g[2].Value, g[3].Value, g[4].Value, g[5].Value, g[6].Value);
    }

    private static string F4(JsonElement metrics, string key) => metrics.GetProperty(key).GetDouble().ToString("F4", CultureInfo.InvariantCulture);

    [Fact]
    public void Metrics_json_holds_the_test_scores_and_the_run_time()
    {
        var metrics = Metrics();
        int testRows = metrics.GetProperty("test_samples").GetInt32();
        double accuracy = metrics.GetProperty("accuracy").GetDouble();
        double macroF1 = metrics.GetProperty("macro_f1").GetDouble();

        testRows.Should().Be(SyntheticMogonetFolder.TestCount);
        double correct = accuracy * testRows;
        correct.Should().BeApproximately(Math.Round(correct), 1e-9, "the accuracy is a count of correct test rows over 18");
        // The 18 test rows hold 9 of each class: with equal supports the support-weighted F1 is the plain mean.
        metrics.GetProperty("weighted_f1").GetDouble().Should().BeApproximately(macroF1, 1e-12);
        // Floors calibrated on this seeded data: modality 1's class shift (1.5 on three features, Bayes error ~0.5%)
        // makes the classes nearly separable, and the tiny run scores accuracy 17/18, macro-F1 0.944 and AUC 1.0.
        // The floors leave room for three more errors (14/18) and a lower AUC so that the test checks that the pipeline
        // learns, not one run's exact numbers (which any change to the schedule moves); a broken pipeline scores ~0.5.
        accuracy.Should().BeGreaterThanOrEqualTo(14.0 / 18);
        macroF1.Should().BeGreaterThan(0.75);
        metrics.GetProperty("auc").GetDouble().Should().BeGreaterThan(0.85);
        // A measured time: only a finite, non-negative value is asserted (no wall-clock expectations).
        double seconds = metrics.GetProperty("seconds").GetDouble();
        double.IsFinite(seconds).Should().BeTrue();
        seconds.Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public void The_printed_test_summary_matches_metrics_json()
    {
        var metrics = Metrics();
        var line = SummaryLine(run.Output);

        line.Samples.Should().Be(metrics.GetProperty("test_samples").GetInt32());
        line.Accuracy.Should().Be(F4(metrics, "accuracy"));
        line.MacroF1.Should().Be(F4(metrics, "macro_f1"));
        line.WeightedF1.Should().Be(F4(metrics, "weighted_f1"));
        line.Auc.Should().Be(F4(metrics, "auc"));
        line.Seconds.Should().Be(metrics.GetProperty("seconds").GetDouble().ToString("F1", CultureInfo.InvariantCulture));
        Lines(run.Output).Should().Contain(l => l.EndsWith($"; out-of-fold macro-F1: {F4(metrics, "out_of_fold_macro_f1")}", StringComparison.Ordinal));
    }

    [Fact]
    public void Metrics_json_holds_the_out_of_fold_macro_f1_auc_and_log_loss()
    {
        var metrics = Metrics();

        // Calibrated like the test scores: the tiny run reaches out-of-fold macro-F1 0.952, AUC 1.0 and log-loss 0.479
        // on the 42 labelled rows; the floors keep a margin of 0.15 or more, so that a change to the schedule that still
        // learns does not fail it.
        metrics.GetProperty("out_of_fold_macro_f1").GetDouble().Should().BeGreaterThan(0.8);
        metrics.GetProperty("out_of_fold_auc").GetDouble().Should().BeGreaterThan(0.85);
        // ln 2 is the log-loss of the uninformative prediction (1/2, 1/2): the run must do better, and no log-loss is 0
        // after ten epochs, whose probabilities stay well inside (0, 1).
        metrics.GetProperty("out_of_fold_log_loss").GetDouble().Should().BeInRange(0.05, Math.Log(2) - 0.1);
        // Off by default (PipelineOptions.ClassWeightingImbalanceRatio null), and the 42 training rows are balanced anyway.
        metrics.GetProperty("class_weighting").GetString().Should().Be("None");
    }

    [Fact]
    public void Metrics_json_writes_the_run_s_out_of_fold_and_per_head_scores_exactly()
    {
        // The document bmm train writes (MetricsReport.ToJson) of an in-process run: every score is the run's own value,
        // under its own name, exactly (System.Text.Json writes doubles round-trippably).
        var options = PipelineConfigFile.Load(run.Data.WriteFile("exact.json", """
            {
              "CrossFitFolds": 2, "GraphNeighbours": 5, "Affinity": { "K": 10 }, "Fusion": { "K": 10 },
              "MlpEncoder": { "AlternativeNegativeSlope": null },
              "Training": { "PretrainingEpochs": 5, "DistillationEpochs": 5, "JointEpochs": 5, "Assessment": { "Permutations": 19 } }
            }
            """));
        var result = new BalancedMultimodal.Cli.Pipeline.TrainingPipeline(options).Run(BalancedMultimodal.Core.Data.MogonetFolderLoader.Load(run.Data.Path));
        using var document = JsonDocument.Parse(BalancedMultimodal.Cli.Pipeline.MetricsReport.ToJson(result, options, run.Data.Path));
        var metrics = document.RootElement;

        // Premises: the scores a mix-up could confuse differ in this run.
        result.OutOfFoldAuc.Should().NotBeNull().And.NotBe(result.Auc);
        result.OutOfFoldLogLoss.Should().NotBeNull();
        metrics.GetProperty("out_of_fold_macro_f1").GetDouble().Should().Be(result.OutOfFoldMacroF1);
        metrics.GetProperty("out_of_fold_auc").GetDouble().Should().Be(result.OutOfFoldAuc!.Value);
        metrics.GetProperty("out_of_fold_log_loss").GetDouble().Should().Be(result.OutOfFoldLogLoss!.Value);
        metrics.GetProperty("auc").GetDouble().Should().Be(result.Auc!.Value);

        static double? Number(JsonElement head, string key) =>
            head.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetDouble() : null;
        var heads = metrics.GetProperty("heads_on_test").EnumerateArray().ToArray();
        heads.Select(h => h.GetProperty("head").GetString()).Should().Equal(result.HeadTestScores.Select(h => h.Head));
        result.HeadTestScores.Should().Contain(h => h.Accuracy != h.MacroF1 && h.MacroF1 != h.Auc && h.Accuracy != h.Auc,
            "premise: some head's three scores differ, so a swapped field shows");
        foreach (var (json, score) in heads.Zip(result.HeadTestScores))
        {
            json.GetProperty("rows").GetInt32().Should().Be(score.Rows, score.Head);
            Number(json, "accuracy").Should().Be(score.Accuracy, score.Head);
            Number(json, "macro_f1").Should().Be(score.MacroF1, score.Head);
            Number(json, "auc").Should().Be(score.Auc, score.Head);
        }
    }

    [Fact]
    public void Metrics_json_of_a_run_with_a_test_split_has_the_keys_of_one_without_it_with_every_test_score_set()
    {
        var metrics = Metrics();

        metrics.EnumerateObject().Select(p => p.Name).Should().Equal(TrainWithoutTestSplitTests.MetricsKeys);
        foreach (var key in new[] { "accuracy", "macro_f1", "weighted_f1", "auc" })
            metrics.GetProperty(key).ValueKind.Should().Be(JsonValueKind.Number, key);
        metrics.GetProperty("macro_auc_ovr").ValueKind.Should().Be(JsonValueKind.Null, "two classes: the binary AUC is the auc key");
        metrics.GetProperty("heads_on_test").GetArrayLength().Should().Be(4, "the fused head and the three modalities");
        Lines(run.Output).Should().NotContain(l => l.StartsWith("no test split", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("data: ", StringComparison.Ordinal) && l.EndsWith("(60 samples, 3 modalities, 2 classes)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_config_list_replaces_the_default_list_instead_of_being_appended_to_it()
    {
        var config = run.Data.WriteFile("lists.json", """{ "Encoder": { "HiddenSizes": [ 16 ] }, "MlpEncoder": { "HiddenSizes": [ 8, 4 ] } }""");

        var options = PipelineConfigFile.Load(config);

        options.Encoder.HiddenSizes.Should().Equal(16);
        options.MlpEncoder.HiddenSizes.Should().Equal(8, 4);
    }

    [Fact]
    public void Metrics_json_records_the_effective_options_in_the_config_format_so_they_reproduce_the_run()
    {
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.OutFolder, "metrics.json")));
        var recorded = metrics.RootElement.GetProperty("options");
        recorded.GetProperty("CrossFitFolds").GetInt32().Should().Be(2, "the config file's value, not the default");
        recorded.GetProperty("Training").GetProperty("Assessment").GetProperty("Permutations").GetInt32().Should().Be(19);
        recorded.GetProperty("MlpEncoder").GetProperty("NegativeSlope").GetDouble().Should().Be(1.0, "the default the config left alone");

        var replay = run.Data.WriteFile("replay.json", recorded.GetRawText());
        var reloaded = PipelineConfigFile.Load(replay);

        var asWritten = new JsonSerializerOptions
        {
            WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        };
        JsonSerializer.Serialize(JsonSerializer.SerializeToElement(reloaded, asWritten)).Should().Be(JsonSerializer.Serialize(recorded),
            "binding the recorded options as --config gives the same options back");
    }

    [Theory]
    [InlineData("0.25", 0.25)]
    [InlineData("0", 0.0)]
    [InlineData("null", null)]
    public void The_gate_s_chance_level_binds_as_a_number_or_null_and_is_null_by_default(string json, double? expected)
    {
        var set = PipelineConfigFile.Load(run.Data.WriteFile("chance.json", $$"""{ "Training": { "Weighting": { "PerformanceGated": { "ChanceLevel": {{json}} } } } }"""));
        var absent = PipelineConfigFile.Load(run.Data.WriteFile("no-chance.json", """{ "Training": { "Weighting": { "PerformanceGated": { "Beta": 0.5 } } } }"""));

        set.Training.Weighting.PerformanceGated.ChanceLevel.Should().Be(expected);
        absent.Training.Weighting.PerformanceGated.ChanceLevel.Should().BeNull("the default: BalancedTrainer resolves it to 1/C");
    }

    [Fact]
    public void A_config_null_switches_off_an_option_whose_default_is_set()
    {
        var off = PipelineConfigFile.Load(run.Data.WriteFile("no-selection.json", """{ "MlpEncoder": { "AlternativeNegativeSlope": null } }"""));
        var untouched = PipelineConfigFile.Load(run.Data.WriteFile("other.json", """{ "MlpEncoder": { "Dropout": 0.3 } }"""));

        off.MlpEncoder.AlternativeNegativeSlope.Should().BeNull("the binder alone would skip the JSON null and keep 0.25");
        off.MlpEncoder.NegativeSlope.Should().Be(1.0);
        untouched.MlpEncoder.AlternativeNegativeSlope.Should().Be(0.25);
        untouched.MlpEncoder.Dropout.Should().Be(0.3);
    }

    [Fact]
    public void Metrics_json_holds_per_modality_validation_scores_and_final_weights()
    {
        var metrics = Metrics();

        var modalities = metrics.GetProperty("modalities").EnumerateArray().ToArray();
        var folds = metrics.GetProperty("folds").EnumerateArray().ToArray();
        modalities.Select(m => m.GetProperty("name").GetString()).Should().Equal("1", "2", "3");
        double FoldMean(string key, int m) => folds.Average(f => f.GetProperty(key)[m].GetDouble());
        for (int m = 0; m < modalities.Length; m++)
        {
            // Each per-modality value is the mean of the folds' values recorded alongside it.
            foreach (var key in new[] { "validation_macro_f1_pretraining", "validation_macro_f1_after_distillation", "validation_macro_f1_final" })
                modalities[m].GetProperty(key).GetDouble().Should().BeApproximately(FoldMean(key, m), 1e-12, $"{key} of modality {m + 1}");
            modalities[m].GetProperty("final_weight").GetDouble().Should().BeApproximately(FoldMean("final_weights", m), 1e-12);
            modalities[m].GetProperty("final_weight").GetDouble().Should().BePositive();
            metrics.GetProperty("final_weights")[m].GetDouble().Should().Be(modalities[m].GetProperty("final_weight").GetDouble());
        }
        metrics.GetProperty("final_weights").GetArrayLength().Should().Be(3);
        foreach (var fold in folds)
            foreach (var (assessment, m) in fold.GetProperty("distillation_plan").EnumerateArray().Select((a, m) => (a, m)))
                if (assessment.GetProperty("strong").GetBoolean() || !assessment.GetProperty("gate_open").GetBoolean())
                    fold.GetProperty("validation_macro_f1_after_distillation")[m].GetDouble().Should().Be(
                        fold.GetProperty("validation_macro_f1_pretraining")[m].GetDouble(), "a modality that is not distilled keeps its phase-1 score");
        // Calibrated: modality 1 (shift 1.5, Bayes error ~0.5%) ends at validation macro-F1 0.93 in the tiny run; the
        // floor keeps a margin of about 0.15, so that a change to the schedule that still learns does not fail it.
        modalities[0].GetProperty("validation_macro_f1_final").GetDouble().Should().BeGreaterThan(0.78);
    }

    [Fact]
    public void Metrics_json_scores_each_head_alone_on_the_test_rows()
    {
        var metrics = Metrics();

        var heads = metrics.GetProperty("heads_on_test").EnumerateArray().ToArray();

        heads.Select(h => h.GetProperty("head").GetString()).Should().Equal("fused", "1", "2", "3");
        int testRows = metrics.GetProperty("test_samples").GetInt32();
        foreach (var head in heads)
        {
            head.GetProperty("rows").GetInt32().Should().Be(testRows);
            head.GetProperty("accuracy").GetDouble().Should().BeInRange(0, 1);
            head.GetProperty("macro_f1").GetDouble().Should().BeInRange(0, 1);
            head.GetProperty("auc").GetDouble().Should().BeInRange(0, 1);
        }
        // Modality 1 is the informative one of the run's synthetic data: its head alone is well above chance.
        heads[1].GetProperty("auc").GetDouble().Should().BeGreaterThan(0.8);
    }

    [Fact]
    public void Metrics_json_holds_the_distillation_plan_of_every_fold()
    {
        var folds = Metrics().GetProperty("folds").EnumerateArray().ToArray();

        folds.Should().HaveCount(2);
        foreach (var fold in folds)
        {
            var plan = fold.GetProperty("distillation_plan").EnumerateArray().ToArray();
            plan.Select(a => a.GetProperty("modality").GetString()).Should().Equal("1", "2", "3");
            plan.Should().Contain(a => a.GetProperty("strong").GetBoolean(), "the best modality is always strong");
            plan.Should().OnlyContain(a => a.GetProperty("reason").GetString()!.Length > 0);
        }
    }

    [Fact]
    public void Plots_option_writes_the_four_pngs_next_to_the_metrics()
    {
        PngAssertions.ShouldBeAPlot(Path.Combine(run.OutFolder, TrainingPlots.TrainingCurvesFile), TrainingCurvesPlot.Width, TrainingCurvesPlot.Height);
        PngAssertions.ShouldBeAPlot(Path.Combine(run.OutFolder, TrainingPlots.ModalityWeightsFile), ModalityWeightsPlot.Width, ModalityWeightsPlot.Height);
        PngAssertions.ShouldBeAPlot(Path.Combine(run.OutFolder, TrainingPlots.ConfusionMatrixFile), ConfusionMatrixPlot.Width, ConfusionMatrixPlot.Height);
        PngAssertions.ShouldBeAPlot(Path.Combine(run.OutFolder, TrainingPlots.FusedSimilarityFile), FusedSimilarityPlot.Width, FusedSimilarityPlot.Height);
        Lines(run.Output).Count(l => l.StartsWith("plot: ", StringComparison.Ordinal)).Should().Be(4);
    }

    [Fact]
    public void Redirected_output_gets_plain_progress_lines_with_fold_headers()
    {
        var lines = Lines(run.Output);

        // 2 folds x 1 repeat, trained once per encoder slope (the default selection): four fold models, counted 1/4..4/4.
        lines.Where(l => l.StartsWith("fold ", StringComparison.Ordinal)).Should().Equal("fold 1/4", "fold 2/4", "fold 3/4", "fold 4/4");
        lines.Should().Contain(l => l.StartsWith("Pretraining  1", StringComparison.Ordinal) && l.Contains("val macro-F1"));
        run.Output.Should().NotContain("\r", "plain output never redraws in place");
    }

    [Fact]
    public void A_test_split_of_one_class_is_scored_with_the_auc_reported_as_undefined_instead_of_failing_after_training()
    {
        using var data = new SyntheticMogonetFolder();
        var labels = File.ReadAllLines(Path.Combine(data.Path, "labels_te.csv"));
        var keep = Enumerable.Range(0, labels.Length).Where(i => double.Parse(labels[i], System.Globalization.CultureInfo.InvariantCulture) == 1).ToArray();
        foreach (var file in new[] { "labels_te.csv", "1_te.csv", "2_te.csv", "3_te.csv" })
        {
            var lines = File.ReadAllLines(Path.Combine(data.Path, file));
            File.WriteAllLines(Path.Combine(data.Path, file), keep.Select(i => lines[i]));
        }
        var outFolder = Path.Combine(data.Path, "out");

        var (code, output, error) = Run("train", "--data", data.Path, "--config", data.WriteFile("tiny.json", TrainRunFixture.TinyConfig), "--out", outFolder);

        error.Should().BeEmpty();
        code.Should().Be(0);
        var line = SummaryLine(output);
        line.Samples.Should().Be(keep.Length);
        line.Auc.Should().Be("n/a");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "metrics.json")));
        metrics.RootElement.GetProperty("auc").ValueKind.Should().Be(JsonValueKind.Null, "an undefined AUC is null, as for more than two classes");
        double accuracy = metrics.RootElement.GetProperty("accuracy").GetDouble();
        line.Accuracy.Should().Be(F4(metrics.RootElement, "accuracy"));
        double correct = accuracy * keep.Length;
        correct.Should().BeApproximately(Math.Round(correct), 1e-9, "the accuracy is a count of correct rows over the 9 kept");
        // Calibrated: the model trained on the full training rows gets 8 of the 9 class-1 rows right; the floor allows
        // two more errors, for changes to the schedule that still learn (an untrained model would get about half).
        correct.Should().BeGreaterThanOrEqualTo(6);
    }

    [Fact]
    public void A_missing_data_folder_gives_a_one_line_error_and_exit_code_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-bmm-train-data-" + Guid.NewGuid().ToString("N"));

        var (code, _, error) = Run("train", "--data", missing);

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().Equal($"bmm train: data folder '{missing}' does not exist");
    }

    [Fact]
    public void An_unknown_option_gives_a_one_line_error_and_exit_code_2()
    {
        var (code, output, error) = Run("train", "--epochs", "3");

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        Lines(error).Should().Equal("bmm train: unknown option --epochs");
    }

    [Fact]
    public void A_config_with_an_unknown_key_gives_a_one_line_error_and_exit_code_2()
    {
        var config = run.Data.WriteFile("bad.json", """{ "CrossFitFolds": 2, "Epochz": 3 }""");

        var (code, _, error) = Run("train", "--data", run.Data.Path, "--config", config);

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().ContainSingle().Which.Should().StartWith($"bmm train: config file '{config}':").And.Contain("Epochz");
    }

    [Fact]
    public void A_cancelled_run_stops_with_exit_code_130_a_one_line_message_on_stderr_and_no_metrics()
    {
        var outFolder = Path.Combine(run.Data.Path, "cancelled");
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var (code, output, error) = RunWith(cancellation.Token, "train", "--data", run.Data.Path, "--config", run.Config, "--out", outFolder);

        code.Should().Be(TrainCommand.CancelledExitCode);
        Lines(error).Should().Equal("bmm train: cancelled between epochs; no metrics or plots were written");
        output.Should().NotContain("cancelled", "the message is an error, on stderr (it was printed to stdout)");
        File.Exists(Path.Combine(outFolder, "metrics.json")).Should().BeFalse();
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_for_train_lists_the_plots_option(string help)
    {
        var (code, output, _) = Run("train", help);

        code.Should().Be(0);
        output.Should().Contain("--plots");
    }

    [Fact]
    public void Help_says_that_a_cancelled_run_keeps_its_checkpoints()
    {
        var (_, output, _) = Run("train", "--help");

        output.Should().NotContain("nothing written", "phase-1 checkpoints are written as each fold's phase 1 ends")
            .And.Contain("checkpoints of the folds that got that far are kept");
    }
}
