using System.Text.Json;
using BalancedMultimodal.Cli.Commands;
using FluentAssertions;
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
    }
}
