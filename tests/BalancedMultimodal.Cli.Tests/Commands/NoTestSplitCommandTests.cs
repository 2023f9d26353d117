using System.Text.Json;
using BalancedMultimodal.Cli.Commands;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary>The commands other than <c>bmm train</c> on a folder without a test split (no <c>{m}_te.csv</c>, no
/// <c>labels_te.csv</c>), and every command on a folder holding only part of one.</summary>
public sealed class NoTestSplitCommandTests : IDisposable
{
    private readonly SyntheticMogonetFolder _data = new();

    public NoTestSplitCommandTests()
    {
        foreach (var file in TrainOnlyRunFixture.TestFiles) File.Delete(Path.Combine(_data.Path, file));
    }

    public void Dispose() => _data.Dispose();

    private string OutFolder => Path.Combine(_data.Path, "out");

    [Fact]
    public void Compare_refuses_data_without_a_test_split_before_any_run_saying_what_to_do()
    {
        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", _data.Path, "--seeds", "0",
            "--variants", "baselines,full", "--out", OutFolder);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be($"bmm compare: the data in '{_data.Path}' have no test split (no labels_te.csv or {{m}}_te.csv), but compare scores " +
            "every variant on the test rows; add {m}_te.csv for every modality and labels_te.csv, score by nested validation on the labelled " +
            "rows with --outer-folds K, or train on every row with bmm train (it reports the out-of-fold scores, and --save keeps the model " +
            "for bmm predict)" + Environment.NewLine);
        Directory.Exists(OutFolder).Should().BeFalse();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Compare_with_resplit_refuses_data_without_a_test_split_whose_test_fraction_it_would_take(bool outerFolds)
    {
        string[] args = ["compare", "--data", _data.Path, "--seeds", "0", "--variants", "full", "--resplit", "--out", OutFolder];
        if (outerFolds) args = [.. args, "--outer-folds", "3"];

        var (code, output, error) = CliRunner.Run(new CompareCommand(), args);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be($"bmm compare: the data in '{_data.Path}' have no test split (no labels_te.csv or {{m}}_te.csv), but --resplit takes " +
            "the test fraction of its random splits from the data's test split; add {m}_te.csv for every modality and labels_te.csv, score by " +
            "nested validation on the labelled rows with --outer-folds K (without --resplit), or train on every row with bmm train (it " +
            "reports the out-of-fold scores, and --save keeps the model for bmm predict)" + Environment.NewLine);
    }

    [Fact]
    public void Compare_with_outer_folds_scores_data_without_a_test_split_by_nested_validation()
    {
        var config = _data.WriteFile("tiny.json", TrainRunFixture.TinyConfig.Replace(
            "\"CrossFitRepeats\": 1,", "\"CrossFitRepeats\": 1, \"MlpEncoder\": { \"AlternativeNegativeSlope\": null },", StringComparison.Ordinal));

        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", _data.Path, "--seeds", "0",
            "--variants", "full", "--outer-folds", "3", "--config", config, "--out", OutFolder);

        code.Should().Be(0, error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutFolder, "compare.json")));
        var row = json.RootElement.EnumerateArray().Single();
        row.GetProperty("Variant").GetString().Should().Be("full (nested validation)");
        row.GetProperty("ScoredRows").GetInt32().Should().Be(SyntheticMogonetFolder.TrainCount, "every labelled row is scored once");
    }

    [Fact]
    public void Info_shows_no_test_rows_for_data_without_a_test_split()
    {
        var (code, output, error) = CliRunner.Run(new InfoCommand(), "info", "--data", _data.Path);

        code.Should().Be(0);
        error.Should().BeEmpty();
        var lines = output.Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        lines.Should().Contain("samples: 42 classes: 2 modalities: 3");
        lines.Should().Contain("0 21 0 0 21").And.Contain("1 21 0 0 21").And.Contain("all 42 0 0 42");
    }

    [Fact]
    public void Train_on_part_of_a_test_split_names_the_test_files_present_and_missing()
    {
        File.WriteAllText(Path.Combine(_data.Path, "2_te.csv"), "1,2,3,4,5,6,7,8\n");

        var (code, output, error) = TrainCommandTests.Run("train", "--data", _data.Path, "--out", OutFolder);

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be($"bmm train: Folder '{_data.Path}' holds part of a test split: 2_te.csv exists, but 1_te.csv, 3_te.csv, labels_te.csv " +
            "are missing. The test files (labels_te.csv and {m}_te.csv for every modality m = 1..3) must either all exist or all be absent: add " +
            "the missing ones, or remove the others to load the training rows only (no test split)." + Environment.NewLine);
    }
}
