using System.Text.Json;
using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary><c>bmm train</c> and <c>bmm compare</c> on a MOGONET folder whose rows of <c>NA</c> mark samples lacking a
/// modality.</summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class IncompleteSampleCommandTests
{
    /// <summary>The synthetic folder with modality 2 missing (a row of NA) on every fifth training and test row.</summary>
    private static SyntheticMogonetFolder Incomplete()
    {
        var data = new SyntheticMogonetFolder();
        foreach (var file in new[] { "2_tr.csv", "2_te.csv" })
        {
            var path = Path.Combine(data.Path, file);
            var lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i += 5) lines[i] = string.Join(',', Enumerable.Repeat("NA", 8));
            File.WriteAllLines(path, lines);
        }
        return data;
    }

    private const string Fast = """{ "CrossFitFolds": 2, "Training": { "PretrainingEpochs": 20, "DistillationEpochs": 10, "JointEpochs": 20 }, "MlpEncoder": { "AlternativeNegativeSlope": null } }""";

    [Fact]
    public void Train_runs_on_incomplete_samples_and_says_how_many_lack_a_modality()
    {
        using var data = Incomplete();
        var config = data.WriteFile("fast.json", Fast);
        var outFolder = Path.Combine(data.Path, "out");

        var (code, output, error) = CliRunner.Run(new TrainCommand(), "train", "--data", data.Path, "--config", config, "--out", outFolder);

        error.Should().BeEmpty();
        code.Should().Be(0);
        // Rows 0, 5, ..., 40 of 42 training rows (9) and 0, 5, 10, 15 of 18 test rows (4).
        output.Should().Contain(line => line.Contains("60 samples, 3 modalities, 2 classes, 13 lacking a modality"));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "metrics.json")));
        metrics.RootElement.GetProperty("accuracy").GetDouble().Should().BeInRange(0, 1);
        metrics.RootElement.GetProperty("modalities").EnumerateArray().Select(e => e.GetProperty("samples_lacking").GetInt32()).Should().Equal(0, 13, 0);
    }

    [Fact]
    public void Train_with_save_on_incomplete_samples_writes_a_format_4_folder_that_predict_reads()
    {
        using var data = Incomplete();
        var config = data.WriteFile("fast.json", Fast);
        var save = Path.Combine(data.Path, "model");

        var (code, _, error) = CliRunner.Run(new TrainCommand(), "train", "--data", data.Path, "--config", config, "--save", save, "--out", Path.Combine(data.Path, "out"));

        error.Should().BeEmpty();
        code.Should().Be(0);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(save, "manifest.json")));
        manifest.RootElement.GetProperty("FormatVersion").GetInt32().Should().Be(4, "the default graph rule, FuseAvailableModalities, needs format 4");
        using var availability = JsonDocument.Parse(File.ReadAllText(Path.Combine(save, "cohort_availability.json")));
        var missing = availability.RootElement.GetProperty("MissingRows");
        missing[0].ValueKind.Should().Be(JsonValueKind.Null);
        // Training rows 0, 5, ..., 40 and test rows 0, 5, 10, 15 (cohort rows 42, 47, 52, 57).
        missing[1].EnumerateArray().Select(e => e.GetInt32()).Should().Equal([0, 5, 10, 15, 20, 25, 30, 35, 40, 42, 47, 52, 57]);
        missing[2].ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public void The_baselines_run_on_incomplete_samples()
    {
        using var data = Incomplete();
        var outFolder = Path.Combine(data.Path, "out");

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0", "--variants", "baselines", "--out", outFolder);

        error.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain(line => line.Contains("LR late fusion"));
        output.Should().NotContain(line => line.Contains("NaN"));
    }

    [Fact]
    public void The_baselines_fold_a_modality_on_two_training_samples_of_one_class_into_every_folds_training_rows()
    {
        // Modality 2 on two training rows of one class (and every test row) that the baselines' 5 folds by class alone
        // put in the same fold: that fold's logistic regression would have no row to fit modality 2 on.
        using var data = new SyntheticMogonetFolder();
        var labels = File.ReadAllLines(Path.Combine(data.Path, "labels_tr.csv")).Where(l => l.Length > 0).Select(l => (int)double.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var byClass = StratifiedSplitter.KFold(labels, 5, 0);
        var sameFold = byClass.Select(f => f.Test.Where(r => labels[r] == 0).Take(2).ToArray()).First(pair => pair.Length == 2);
        var path = Path.Combine(data.Path, "2_tr.csv");
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
            if (!sameFold.Contains(i)) lines[i] = string.Join(',', Enumerable.Repeat("NA", 8));
        File.WriteAllLines(path, lines);

        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0", "--variants", "baselines", "--out", Path.Combine(data.Path, "out"));

        error.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain(line => line.Contains("LR late fusion"));
    }
}
