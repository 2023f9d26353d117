using System.Text.Json;
using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Cli.Plotting;
using BalancedMultimodal.Cli.Tests.Plotting;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary>One short end-to-end run shared by the tests that read its output (training takes a few seconds).</summary>
public sealed class TrainRunFixture : IDisposable
{
    /// <summary>Two folds, ten epochs per phase, a small graph and few permutations: seconds, not minutes.</summary>
    public const string TinyConfig = """
        {
          "CrossFitFolds": 2,
          "CrossFitRepeats": 1,
          "GraphNeighbours": 5,
          "Affinity": { "K": 10 },
          "Fusion": { "K": 10 },
          "Training": { "PretrainingEpochs": 10, "DistillationEpochs": 10, "JointEpochs": 10, "Assessment": { "Permutations": 19 } }
        }
        """;

    public TrainRunFixture()
    {
        Config = Data.WriteFile("tiny.json", TinyConfig);
        OutFolder = Path.Combine(Data.Path, "out");
        (ExitCode, Output, Error) = TrainCommandTests.Run("train", "--data", Data.Path, "--config", Config, "--out", OutFolder, "--plots");
    }

    internal SyntheticMogonetFolder Data { get; } = new();

    public string Config { get; }

    public string OutFolder { get; }

    public int ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    public void Dispose() => Data.Dispose();
}

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

    [Fact]
    public void Metrics_json_holds_the_test_scores_and_the_run_time()
    {
        var metrics = Metrics();

        foreach (var key in new[] { "accuracy", "macro_f1", "weighted_f1", "auc" })
            metrics.GetProperty(key).GetDouble().Should().BeInRange(0, 1, key);
        metrics.GetProperty("seconds").GetDouble().Should().BeGreaterThan(0);
        metrics.GetProperty("test_samples").GetInt32().Should().Be(SyntheticMogonetFolder.TestCount);
    }

    [Fact]
    public void Metrics_json_holds_the_out_of_fold_macro_f1_auc_and_log_loss()
    {
        var metrics = Metrics();

        metrics.GetProperty("out_of_fold_macro_f1").GetDouble().Should().BeInRange(0, 1);
        metrics.GetProperty("out_of_fold_auc").GetDouble().Should().BeInRange(0, 1);
        metrics.GetProperty("out_of_fold_log_loss").GetDouble().Should().BePositive();
    }

    [Fact]
    public void A_config_list_replaces_the_default_list_instead_of_being_appended_to_it()
    {
        var config = run.Data.WriteFile("lists.json", """{ "Encoder": { "HiddenSizes": [ 16 ] }, "MlpEncoder": { "HiddenSizes": [ 8, 4 ] } }""");

        var options = TrainCommand.LoadOptions(config);

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
        var reloaded = TrainCommand.LoadOptions(replay);

        var asWritten = new JsonSerializerOptions
        {
            WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        };
        JsonSerializer.Serialize(JsonSerializer.SerializeToElement(reloaded, asWritten)).Should().Be(JsonSerializer.Serialize(recorded),
            "binding the recorded options as --config gives the same options back");
    }

    [Fact]
    public void A_config_null_switches_off_an_option_whose_default_is_set()
    {
        var off = TrainCommand.LoadOptions(run.Data.WriteFile("no-selection.json", """{ "MlpEncoder": { "AlternativeNegativeSlope": null } }"""));
        var untouched = TrainCommand.LoadOptions(run.Data.WriteFile("other.json", """{ "MlpEncoder": { "Dropout": 0.3 } }"""));

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
        modalities.Select(m => m.GetProperty("name").GetString()).Should().Equal("1", "2", "3");
        foreach (var m in modalities)
        {
            m.GetProperty("validation_macro_f1_pretraining").GetDouble().Should().BeInRange(0, 1);
            m.GetProperty("validation_macro_f1_after_distillation").GetDouble().Should().BeInRange(0, 1);
            m.GetProperty("final_weight").GetDouble().Should().BePositive();
        }
        metrics.GetProperty("final_weights").GetArrayLength().Should().Be(3);
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

        lines.Should().Contain("fold 1/2").And.Contain("fold 2/2");
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
        output.Should().Contain($"test ({keep.Length} samples)").And.Contain("AUC n/a");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "metrics.json")));
        metrics.RootElement.GetProperty("auc").ValueKind.Should().Be(JsonValueKind.Null, "an undefined AUC is null, as for more than two classes");
        metrics.RootElement.GetProperty("accuracy").GetDouble().Should().BeInRange(0, 1);
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
    public void A_cancelled_run_stops_with_exit_code_130_a_one_line_message_and_no_metrics()
    {
        var outFolder = Path.Combine(run.Data.Path, "cancelled");
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var (code, output, error) = RunWith(cancellation.Token, "train", "--data", run.Data.Path, "--config", run.Config, "--out", outFolder);

        code.Should().Be(TrainCommand.CancelledExitCode);
        error.Should().BeEmpty();
        Lines(output).Should().ContainSingle(l => l.Contains("cancelled")).Which.Should().Be("bmm train: cancelled between epochs; no metrics or plots were written");
        File.Exists(Path.Combine(outFolder, "metrics.json")).Should().BeFalse();
    }

    [Fact]
    public void Help_for_train_lists_the_plots_option()
    {
        var (code, output, _) = Run("train", "--help");

        code.Should().Be(0);
        output.Should().Contain("--plots");
    }
}
