using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Documentation;

/// <summary>Every configuration file under docs/tuning/configs, which the results pages' commands pass to
/// <c>--config</c>, still binds with the current loader (unknown keys, unconvertible values and overwritten stage seeds
/// are refused) and passes the pipeline's option checks on the bundled ROSMAP data.</summary>
public class TuningConfigTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "DocumentTree", "docs", "tuning", "configs");

    private static readonly Lazy<MultimodalDataset> Rosmap = new(() => MogonetFolderLoader.Load(CliApp.BundledDataFolder));

    public static TheoryData<string> ConfigFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void The_configuration_files_are_copied_into_the_test_output()
    {
        Directory.EnumerateFiles(Folder, "*.json").Select(Path.GetFileName).Should().HaveCountGreaterThan(50).And.Contain("linear_only.json");
    }

    [Theory]
    [MemberData(nameof(ConfigFiles))]
    public void A_documented_configuration_binds_and_passes_the_option_checks(string file)
    {
        var options = PipelineConfigFile.Load(Path.Combine(Folder, file));

        var act = () => TrainingPipeline.Validate(options, Rosmap.Value);

        act.Should().NotThrow();
    }
}
