using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Cli.Plotting;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary><c>bmm train</c> on one labelled cohort (no test split): it trains on every row, reports the out-of-fold
/// scores, writes metrics.json with the test scores null, and saves a model that <c>bmm predict</c> uses.</summary>
public class TrainWithoutTestSplitTests(TrainOnlyRunFixture run) : IClassFixture<TrainOnlyRunFixture>
{
    /// <summary>The keys of metrics.json in order, with and without a test split (the document's shape does not change).</summary>
    internal static readonly string[] MetricsKeys =
    [
        "data", "seed", "accuracy", "macro_f1", "weighted_f1", "auc", "macro_auc_ovr", "seconds", "test_samples",
        "fused_validation_macro_f1", "out_of_fold_macro_f1", "out_of_fold_auc", "out_of_fold_log_loss", "modalities", "final_weights",
        "pooling_weights", "heads_on_test", "folds", "graph", "encoder_selection", "class_weighting", "options",
    ];

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private JsonElement Metrics()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.OutFolder, "metrics.json")));
        return document.RootElement.Clone();
    }

    private static string F4(JsonElement metrics, string key) => metrics.GetProperty(key).GetDouble().ToString("F4", CultureInfo.InvariantCulture);

    [Fact]
    public void Train_without_a_test_split_succeeds_and_says_that_only_out_of_fold_scores_are_reported()
    {
        run.Error.Should().BeEmpty();
        run.ExitCode.Should().Be(0);
        Lines(run.Output).Should().Contain($"data: {Path.GetFullPath(run.Data.Path)} (42 samples, 3 modalities, 2 classes, no test split)")
            .And.Contain("no test split (no labels_te.csv or {m}_te.csv): only out-of-fold scores are reported (each fold's validation rows, scored by the models that did not train on them)")
            .And.NotContain(l => l.StartsWith("test ", StringComparison.Ordinal), "there are no test scores to print");
    }

    [Fact]
    public void The_printed_out_of_fold_line_matches_metrics_json()
    {
        var metrics = Metrics();
        var match = Regex.Match(run.Output, @"^out-of-fold \((\d+) samples\): macro-F1 (\S+)  AUC (\S+)  log-loss (\S+)  \((\S+) s\)$", RegexOptions.Multiline);

        match.Success.Should().BeTrue("the summary ends with the out-of-fold line:\n" + run.Output);
        match.Groups[1].Value.Should().Be(SyntheticMogonetFolder.TrainCount.ToString(CultureInfo.InvariantCulture), "every labelled row is scored out of fold");
        match.Groups[2].Value.Should().Be(F4(metrics, "out_of_fold_macro_f1"));
        match.Groups[3].Value.Should().Be(F4(metrics, "out_of_fold_auc"));
        match.Groups[4].Value.Should().Be(F4(metrics, "out_of_fold_log_loss"));
        match.Groups[5].Value.Should().Be(metrics.GetProperty("seconds").GetDouble().ToString("F1", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Metrics_json_keeps_its_keys_with_every_test_score_null_and_the_out_of_fold_scores_set()
    {
        var metrics = Metrics();

        metrics.EnumerateObject().Select(p => p.Name).Should().Equal(MetricsKeys);
        foreach (var key in new[] { "accuracy", "macro_f1", "weighted_f1", "auc", "macro_auc_ovr", "heads_on_test" })
            metrics.GetProperty(key).ValueKind.Should().Be(JsonValueKind.Null, key);
        metrics.GetProperty("test_samples").GetInt32().Should().Be(0);
        // Calibrated like TrainCommandTests' floors: the tiny run on these 42 rows reaches an out-of-fold macro-F1 near
        // 0.95 and AUC near 1; a broken pipeline scores ~0.5.
        metrics.GetProperty("out_of_fold_macro_f1").GetDouble().Should().BeGreaterThan(0.8);
        metrics.GetProperty("out_of_fold_auc").GetDouble().Should().BeGreaterThan(0.85);
        metrics.GetProperty("out_of_fold_log_loss").GetDouble().Should().BeInRange(0.05, Math.Log(2) - 0.1);
    }

    [Fact]
    public void Plots_are_written_but_the_test_confusion_matrix_which_a_note_explains()
    {
        var lines = Lines(run.Output);

        lines.Where(l => l.StartsWith("plot: ", StringComparison.Ordinal)).Should().Equal(
            new[] { TrainingPlots.TrainingCurvesFile, TrainingPlots.ModalityWeightsFile, TrainingPlots.FusedSimilarityFile }
                .Select(f => "plot: " + Path.GetFullPath(Path.Combine(run.OutFolder, f))));
        lines.Should().Contain("note: confusion_matrix.png not written: the data have no test split, and the confusion matrix is of the test predictions (the out-of-fold scores are in metrics.json)");
        lines.Should().Contain($"note: removed {Path.GetFullPath(Path.Combine(run.OutFolder, TrainingPlots.ConfusionMatrixFile))}, an earlier run's plot that this run does not draw");
        File.Exists(Path.Combine(run.OutFolder, TrainingPlots.ConfusionMatrixFile)).Should().BeFalse(
            "the folder held an earlier run's confusion matrix (the fixture put one there), which would stand beside this run's metrics");
    }

    [Fact]
    public void The_saved_model_holds_the_training_rows_as_its_cohort_and_predicts_new_samples_with_bmm_predict()
    {
        Lines(run.Output).Should().Contain($"model: {Path.GetFullPath(run.ModelFolder)}");
        using (var model = TrainedPipeline.Load(run.ModelFolder))
            model.CohortSize.Should().Be(SyntheticMogonetFolder.TrainCount);
        var predictions = Path.Combine(run.Root, "predictions.csv");

        var (code, output, error) = CliRunner.Run(new PredictCommand(), "predict", "--model", run.ModelFolder, "--data", run.NewSamples, "--out", predictions);

        error.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain($"predicted {SyntheticMogonetFolder.TestCount} sample(s) from {Path.GetFullPath(run.NewSamples)}");
        File.ReadAllLines(predictions).Should().HaveCount(1 + SyntheticMogonetFolder.TestCount);
        var accuracy = Regex.Match(string.Join('\n', output), @"^accuracy against labels_te\.csv: (\S+)  macro-F1", RegexOptions.Multiline);
        accuracy.Success.Should().BeTrue(string.Join('\n', output));
        // Calibrated: the tiny run on the 42 rows gets nearly all 18 held-out rows right (modality 1 nearly separates
        // the classes); the floor allows four errors, so that it checks that the saved model learned, not one run's numbers.
        double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(14.0 / 18);
    }
}
