using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

[Collection(SeededTrainingCollection.Name)]
public sealed class TrainCheckpointTests : IDisposable
{
    private readonly SyntheticMogonetFolder _data = new();

    public void Dispose() => _data.Dispose();

    private static JsonElement Metrics(string folder)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        return document.RootElement.Clone();
    }

    [Fact]
    public void A_rerun_with_the_same_checkpoint_folder_resumes_every_fold_after_phase_1_with_identical_metrics()
    {
        var config = _data.WriteFile("tiny.json", TrainRunFixture.TinyConfig);
        var checkpoints = Path.Combine(_data.Path, "checkpoints");
        var first = Path.Combine(_data.Path, "first");
        var second = Path.Combine(_data.Path, "second");

        var (code1, _, error1) = TrainCommandTests.Run("train", "--data", _data.Path, "--config", config, "--out", first, "--checkpoint", checkpoints);
        code1.Should().Be(0, error1);
        // The default encoder selection trains the pipeline once per slope, each run in its own subfolder.
        Directory.GetFiles(checkpoints, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(checkpoints, f).Replace('\\', '/'))
            .Should().BeEquivalentTo("slope-1/fold0.ckpt", "slope-1/fold1.ckpt", "slope-0.25/fold0.ckpt", "slope-0.25/fold1.ckpt");
        // A stamp no rewrite can produce, so coarse file-system timestamps cannot hide a rewrite within the test.
        var stamp = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var files = Directory.GetFiles(checkpoints, "*", SearchOption.AllDirectories);
        foreach (var file in files)
            File.SetLastWriteTimeUtc(file, stamp);

        var (code2, _, error2) = TrainCommandTests.Run("train", "--data", _data.Path, "--config", config, "--out", second, "--checkpoint", checkpoints);
        code2.Should().Be(0, error2);

        foreach (var file in files)
            File.GetLastWriteTimeUtc(file).Should().Be(stamp, $"the second run reads {Path.GetRelativePath(checkpoints, file)} instead of rewriting it");
        foreach (var key in new[] { "accuracy", "macro_f1", "weighted_f1", "auc", "out_of_fold_macro_f1" })
            Metrics(second).GetProperty(key).GetDouble().Should().Be(Metrics(first).GetProperty(key).GetDouble(), key);
    }
}
