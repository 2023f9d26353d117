using System.Text.Json;
using BalancedMultimodal.Cli.Commands;
using FluentAssertions;
using TorchSharp;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

public sealed class CompareCommandTests
{
    [Fact]
    public void Outer_folds_of_one_are_a_usage_error()
    {
        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--outer-folds", "1", "--variants", "baselines");

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain("--outer-folds");
    }

    [Fact]
    public void Baselines_include_each_modality_alone_by_logistic_regression_and_by_mlp_and_the_strong_modality_wins()
    {
        using var data = new SyntheticMogonetFolder();
        var outFolder = Path.Combine(data.Path, "out");

        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "baselines", "--out", outFolder);

        code.Should().Be(0, error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "compare.json")));
        var auc = json.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("Variant").GetString()!, r => r.GetProperty("Auc").GetDouble());
        auc.Keys.Should().BeEquivalentTo("LR 1 alone", "LR 2 alone", "LR 3 alone", "LR late fusion", "early fusion MLP",
            "MLP 1 alone", "MLP 2 alone", "MLP 3 alone");
        // Modality 1's class shift is 1.5 on three features, modality 3's 0.3: alone, the first separates the 18 test
        // samples almost perfectly and the last barely.
        auc["MLP 1 alone"].Should().BeGreaterThan(0.9);
        auc["MLP 1 alone"].Should().BeGreaterThan(auc["MLP 3 alone"] + 0.1);
        auc["LR 1 alone"].Should().BeGreaterThan(auc["LR 3 alone"] + 0.1);
    }

    [Fact]
    public void The_baselines_leave_no_tensor_behind()
    {
        using var data = new SyntheticMogonetFolder();
        long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "baselines", "--out", Path.Combine(data.Path, "out"));

        code.Should().Be(0, error);
        DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before,
            "every fold's MLP probabilities are freed once added");
    }

    [Fact]
    public void Resplit_draws_a_new_stratified_split_of_all_rows_for_every_seed()
    {
        using var data = new SyntheticMogonetFolder();
        var fixedOut = Path.Combine(data.Path, "fixed");
        var resplitOut = Path.Combine(data.Path, "resplit");

        var (fixedCode, _, fixedError) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0,1",
            "--variants", "baselines", "--out", fixedOut);
        var (code, output, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0,1",
            "--variants", "baselines", "--resplit", "--out", resplitOut);

        fixedCode.Should().Be(0, fixedError);
        code.Should().Be(0, error);
        // 60 rows, 30 per class, test fraction 18 / 60: 9 test rows of each class, whatever the seed.
        output.Should().Contain($"seed 0: random split, {SyntheticMogonetFolder.TrainCount} training and {SyntheticMogonetFolder.TestCount} test rows")
            .And.Contain($"seed 1: random split, {SyntheticMogonetFolder.TrainCount} training and {SyntheticMogonetFolder.TestCount} test rows");
        // Logistic regression has no randomness: on the data's own split both seeds score the same; on a new split per
        // seed they are scored on different test rows.
        LateFusionScores(fixedOut).Distinct().Should().ContainSingle();
        LateFusionScores(resplitOut).Distinct().Should().HaveCount(2);
    }

    private static IEnumerable<(double Accuracy, double Auc)> LateFusionScores(string outFolder)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "compare.json")));
        return json.RootElement.EnumerateArray()
            .Where(r => r.GetProperty("Variant").GetString() == "LR late fusion")
            .Select(r => (r.GetProperty("Accuracy").GetDouble(), r.GetProperty("Auc").GetDouble()))
            .ToArray();
    }

    [Fact]
    public void Nested_validation_scores_exactly_the_labelled_rows()
    {
        using var data = new SyntheticMogonetFolder();
        var config = data.WriteFile("tiny.json", TrainRunFixture.TinyConfig);
        var outFolder = Path.Combine(data.Path, "out");

        var (code, _, error) = CliRunner.Run(new CompareCommand(), "compare", "--data", data.Path, "--seeds", "0",
            "--variants", "full", "--outer-folds", "3", "--config", config, "--out", outFolder);

        code.Should().Be(0, error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "compare.json")));
        var row = json.RootElement.EnumerateArray().Single();
        row.GetProperty("Variant").GetString().Should().Be("full (nested validation)");
        row.GetProperty("ScoredRows").GetInt32().Should().Be(SyntheticMogonetFolder.TrainCount,
            "every labelled row is scored once by the outer fold that held it out, and no test row is");
        double correct = row.GetProperty("Accuracy").GetDouble() * SyntheticMogonetFolder.TrainCount;
        correct.Should().BeApproximately(Math.Round(correct), 1e-9);
        row.GetProperty("ChosenEncoderSlopes").EnumerateArray().Select(s => s.GetDouble()).Should()
            .HaveCount(3, "the default encoder selection ran once per outer fold").And.OnlyContain(s => s == 1.0 || s == 0.25);
    }
}
