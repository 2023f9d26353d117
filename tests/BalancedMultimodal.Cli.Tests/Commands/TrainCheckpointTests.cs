using System.Globalization;
using System.Text.Json;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

[Collection(SeededTrainingCollection.Name)]
public sealed class TrainCheckpointTests : IDisposable
{
    private readonly SyntheticMogonetFolder _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>Two folds, five epochs per phase, no encoder selection (two fold models): the cheapest run that writes checkpoints.</summary>
    private const string QuickConfig = """
        {
          "CrossFitFolds": 2, "CrossFitRepeats": 1, "GraphNeighbours": 5, "Affinity": { "K": 10 }, "Fusion": { "K": 10 },
          "MlpEncoder": { "AlternativeNegativeSlope": null },
          "Training": { "PretrainingEpochs": 5, "DistillationEpochs": 5, "JointEpochs": 5, "LearningRate": 0.001, "Assessment": { "Permutations": 19 } }
        }
        """;

    private static JsonElement Metrics(string folder)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        return document.RootElement.Clone();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Trains <see cref="QuickConfig"/> on <paramref name="data"/> with <paramref name="checkpoints"/>, stamps the
    /// checkpoint files (so that a rewrite shows), and returns the stamp.</summary>
    private static DateTime TrainAndStamp(string data, string config, string checkpoints)
    {
        var (code, _, error) = TrainCommandTests.Run("train", "--data", data, "--config", config, "--out", Path.Combine(checkpoints, "..", "first-out"), "--checkpoint", checkpoints);
        code.Should().Be(0, error);
        Directory.GetFiles(checkpoints, "*.ckpt").Select(Path.GetFileName).Should().BeEquivalentTo("fold0.ckpt", "fold1.ckpt");
        File.Exists(Path.Combine(checkpoints, "fingerprint.json")).Should().BeTrue();
        var stamp = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var file in Directory.GetFiles(checkpoints)) File.SetLastWriteTimeUtc(file, stamp);
        return stamp;
    }

    /// <summary>Asserts that a refused run stopped before any training: no progress line, no metrics, no file rewritten.</summary>
    private static void ShouldHaveStoppedBeforeTraining(string output, string outFolder, string checkpoints, DateTime stamp)
    {
        Lines(output).Should().NotContain(l => l.StartsWith("Pretraining", StringComparison.Ordinal) || l.StartsWith("Joint", StringComparison.Ordinal)
            || l.StartsWith("fold", StringComparison.Ordinal), "the folder is checked before the first fold");
        File.Exists(Path.Combine(outFolder, "metrics.json")).Should().BeFalse();
        foreach (var file in Directory.GetFiles(checkpoints))
            File.GetLastWriteTimeUtc(file).Should().Be(stamp, $"{Path.GetFileName(file)} is left as it was");
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
        // The default encoder selection trains the pipeline once per slope, each run in its own subfolder; the fingerprint
        // of the options and data covers both.
        Directory.GetFiles(checkpoints, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(checkpoints, f).Replace('\\', '/'))
            .Should().BeEquivalentTo("fingerprint.json", "slope-1/fold0.ckpt", "slope-1/fold1.ckpt", "slope-0.25/fold0.ckpt", "slope-0.25/fold1.ckpt");
        // A stamp no rewrite can produce, so coarse file-system timestamps cannot hide a rewrite within the test.
        var stamp = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var files = Directory.GetFiles(checkpoints, "*", SearchOption.AllDirectories);
        foreach (var file in files)
            File.SetLastWriteTimeUtc(file, stamp);

        var (code2, output2, error2) = TrainCommandTests.Run("train", "--data", _data.Path, "--config", config, "--out", second, "--checkpoint", checkpoints);
        code2.Should().Be(0, error2);

        foreach (var file in files)
            File.GetLastWriteTimeUtc(file).Should().Be(stamp, $"the second run reads {Path.GetRelativePath(checkpoints, file)} instead of rewriting it");
        foreach (var key in new[] { "accuracy", "macro_f1", "weighted_f1", "auc", "out_of_fold_macro_f1" })
            Metrics(second).GetProperty(key).GetDouble().Should().Be(Metrics(first).GetProperty(key).GetDouble(), key);
        // Every resumed fold is announced, and still counted in the fold lines although it reports no phase 1.
        var full = Path.GetFullPath(checkpoints);
        Lines(output2).Where(l => l.StartsWith("fold ", StringComparison.Ordinal)).Should().Equal(
            "fold 1/4", $"fold 1: resumed from {Path.Combine(full, "slope-1", "fold0.ckpt")} (phase 1 skipped)",
            "fold 2/4", $"fold 2: resumed from {Path.Combine(full, "slope-1", "fold1.ckpt")} (phase 1 skipped)",
            "fold 3/4", $"fold 3: resumed from {Path.Combine(full, "slope-0.25", "fold0.ckpt")} (phase 1 skipped)",
            "fold 4/4", $"fold 4: resumed from {Path.Combine(full, "slope-0.25", "fold1.ckpt")} (phase 1 skipped)");
        Lines(output2).Should().NotContain(l => l.StartsWith("Pretraining", StringComparison.Ordinal), "phase 1 is skipped in every fold");
    }

    [Fact]
    public void A_checkpoint_folder_written_with_other_options_is_refused_before_any_training_naming_the_folder_and_the_options()
    {
        var config = _data.WriteFile("quick.json", QuickConfig);
        var checkpoints = Path.Combine(_data.Path, "checkpoints");
        var stamp = TrainAndStamp(_data.Path, config, checkpoints);
        var longer = _data.WriteFile("longer.json", QuickConfig.Replace("\"PretrainingEpochs\": 5", "\"PretrainingEpochs\": 40", StringComparison.Ordinal)
            .Replace("\"LearningRate\": 0.001", "\"LearningRate\": 0.003", StringComparison.Ordinal));
        var outFolder = Path.Combine(_data.Path, "second");

        var (code, output, error) = TrainCommandTests.Run("train", "--data", _data.Path, "--config", longer, "--out", outFolder, "--checkpoint", checkpoints);

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().ContainSingle().Which.Should()
            .StartWith($"bmm train: Checkpoint folder '{Path.GetFullPath(checkpoints)}' holds checkpoints written by a run with other options (")
            .And.Contain("Training.PretrainingEpochs 5 in the checkpoint folder, 40 now")
            .And.Contain("Training.LearningRate 0.001 in the checkpoint folder, 0.003 now")
            .And.NotContain("other data")
            .And.EndWith("Delete the folder or use another checkpoint folder.");
        ShouldHaveStoppedBeforeTraining(output, outFolder, checkpoints, stamp);
    }

    /// <summary>Trains with the quick config, then again with <paramref name="setting"/> added to it, and checks that
    /// the second run resumed from the first run's checkpoints without rewriting them; returns the fingerprint file.</summary>
    private string ResumesWith(string setting)
    {
        var config = _data.WriteFile("quick.json", QuickConfig);
        var checkpoints = Path.Combine(_data.Path, "checkpoints");
        var stamp = TrainAndStamp(_data.Path, config, checkpoints);
        var changed = _data.WriteFile("changed.json", QuickConfig.Replace("\"CrossFitFolds\": 2,", $"\"CrossFitFolds\": 2, {setting},", StringComparison.Ordinal));
        File.ReadAllText(changed).Should().Contain(setting);

        var (code, output, error) = TrainCommandTests.Run("train", "--data", _data.Path, "--config", changed, "--out", Path.Combine(_data.Path, "second"), "--checkpoint", checkpoints);

        code.Should().Be(0, error);
        Lines(output).Should().Contain(l => l.Contains("(phase 1 skipped)"));
        foreach (var file in Directory.GetFiles(checkpoints, "*.ckpt"))
            File.GetLastWriteTimeUtc(file).Should().Be(stamp);
        return File.ReadAllText(Path.Combine(checkpoints, "fingerprint.json"));
    }

    [Fact]
    public void On_complete_data_the_incomplete_sample_graph_rule_is_not_part_of_the_fingerprint()
    {
        // The rule applies to samples lacking modalities only, so a run on complete data resumes whichever rule it names
        // (and a checkpoint written before the option existed, whose options lack it, still resumes).
        ResumesWith("\"IncompleteSampleGraph\": \"AttachToCompleteSamples\"").Should().NotContain("IncompleteSampleGraph")
            .And.NotContain("PatientGraph", "the graph is built whenever an encoder reads it; otherwise it changes diagnostics only");
    }

    [Fact]
    public void On_complete_data_the_fold_stratification_is_not_part_of_the_options_fingerprint()
    {
        // By class alone or by class and availability, complete data get the same folds, whose rows the data hash holds.
        ResumesWith("\"FoldStratification\": \"Class\"").Should().NotContain("FoldStratification");
    }

    [Fact]
    public void A_checkpoint_folder_written_for_other_data_of_the_same_shapes_is_refused_before_any_training()
    {
        var config = _data.WriteFile("quick.json", QuickConfig);
        var checkpoints = Path.Combine(_data.Path, "checkpoints");
        var stamp = TrainAndStamp(_data.Path, config, checkpoints);
        // Other data of the same shapes: a copy of the folder with one training value changed.
        var other = Path.Combine(_data.Path, "other-data");
        Directory.CreateDirectory(other);
        foreach (var file in Directory.GetFiles(_data.Path, "*.csv")) File.Copy(file, Path.Combine(other, Path.GetFileName(file)));
        var rows = File.ReadAllLines(Path.Combine(other, "2_tr.csv"));
        rows[0] = "0.5" + rows[0][rows[0].IndexOf(',', StringComparison.Ordinal)..];
        File.WriteAllLines(Path.Combine(other, "2_tr.csv"), rows);
        var outFolder = Path.Combine(_data.Path, "second");

        var (code, output, error) = TrainCommandTests.Run("train", "--data", other, "--config", config, "--out", outFolder, "--checkpoint", checkpoints);

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().ContainSingle().Which.Should()
            .StartWith($"bmm train: Checkpoint folder '{Path.GetFullPath(checkpoints)}' holds checkpoints written by a run with other data (")
            .And.NotContain("other options")
            .And.EndWith("Delete the folder or use another checkpoint folder.");
        ShouldHaveStoppedBeforeTraining(output, outFolder, checkpoints, stamp);
    }

    /// <summary>Copies the MOGONET files of <paramref name="source"/> into the new folder <paramref name="name"/> of the
    /// data folder and returns its path.</summary>
    private string CopyData(string source, string name)
    {
        var target = Path.Combine(_data.Path, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source, "*.csv")) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    /// <summary>Sets modality 2 of the given rows of <paramref name="file"/> (2_tr.csv or 2_te.csv) to a row of NA (missing).</summary>
    private static void MarkMissing(string folder, string file, Func<int, bool> rows)
    {
        var path = Path.Combine(folder, file);
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
            if (rows(i)) lines[i] = string.Join(',', Enumerable.Repeat("NA", 8));
        File.WriteAllLines(path, lines);
    }

    /// <summary>Runs on <paramref name="data"/> with <paramref name="config"/> and asserts the refusal for other data
    /// (not other options) before any training.</summary>
    private void ShouldBeRefusedAsOtherData(string data, string config, string checkpoints, DateTime stamp, string outName)
    {
        var outFolder = Path.Combine(_data.Path, outName);
        var (code, output, error) = TrainCommandTests.Run("train", "--data", data, "--config", config, "--out", outFolder, "--checkpoint", checkpoints);

        code.Should().Be(CliApp.UsageError, output);
        Lines(error).Should().ContainSingle().Which.Should()
            .StartWith($"bmm train: Checkpoint folder '{Path.GetFullPath(checkpoints)}' holds checkpoints written by a run with other data (")
            .And.NotContain("other options")
            .And.EndWith("Delete the folder or use another checkpoint folder.");
        ShouldHaveStoppedBeforeTraining(output, outFolder, checkpoints, stamp);
    }

    private static bool SameFolds(IReadOnlyList<CrossValidationFold> a, IReadOnlyList<CrossValidationFold> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Train.SequenceEqual(p.Second.Train) && p.First.Test.SequenceEqual(p.Second.Test));

    [Fact]
    public void A_checkpoint_folder_written_for_other_labels_with_the_same_folds_is_refused_before_any_training()
    {
        var config = _data.WriteFile("quick.json", QuickConfig);
        var checkpoints = Path.Combine(_data.Path, "checkpoints");
        var stamp = TrainAndStamp(_data.Path, config, checkpoints);
        // Other labels of the same shapes and the same folds: two neighbouring training rows of different classes that
        // the folds put together swap labels. Each takes the other's place in its class's list, so the stratified
        // folds are unchanged and only the labels tell the data apart.
        var other = CopyData(_data.Path, "other-labels");
        var labelFile = Path.Combine(other, "labels_tr.csv");
        var lines = File.ReadAllLines(labelFile).Where(l => l.Length > 0).ToArray();
        var labels = lines.Select(l => (int)double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        int seed = new PipelineOptions().Seed;
        var folds = StratifiedSplitter.KFold(labels, 2, seed);
        int row = Enumerable.Range(0, labels.Length - 1)
            .First(i => labels[i] != labels[i + 1] && folds.Any(f => f.Test.Contains(i) && f.Test.Contains(i + 1)));
        (lines[row], lines[row + 1]) = (lines[row + 1], lines[row]);
        (labels[row], labels[row + 1]) = (labels[row + 1], labels[row]);
        File.WriteAllLines(labelFile, lines);
        SameFolds(StratifiedSplitter.KFold(labels, 2, seed), folds).Should().BeTrue("premise: the swap leaves the folds as they were");

        ShouldBeRefusedAsOtherData(other, config, checkpoints, stamp, "second");
    }

    [Fact]
    public void On_incomplete_data_checkpoints_of_other_folds_or_other_availability_are_refused_before_any_training()
    {
        // Modality 2 missing on every fifth training and test row.
        var incomplete = CopyData(_data.Path, "incomplete");
        MarkMissing(incomplete, "2_tr.csv", i => i % 5 == 0);
        MarkMissing(incomplete, "2_te.csv", i => i % 5 == 0);
        var config = _data.WriteFile("quick.json", QuickConfig);
        var checkpoints = Path.Combine(_data.Path, "checkpoints");
        var stamp = TrainAndStamp(incomplete, config, checkpoints);

        // (1) The same data and options but folds by class alone: the options fingerprint leaves the stratification
        // out, the data hash holds the folds' rows, which differ here from the default folds by class and availability.
        var byClass = _data.WriteFile("by-class.json", QuickConfig.Replace("\"CrossFitFolds\": 2,", "\"CrossFitFolds\": 2, \"FoldStratification\": \"Class\",", StringComparison.Ordinal));
        var dataset = MogonetFolderLoader.Load(incomplete);
        var defaults = new PipelineOptions();
        var attributes = TrainingPipeline.AvailabilityAttributes(defaults, dataset);
        attributes.Should().NotBeNull();
        SameFolds(StratifiedSplitter.KFold(dataset.Labels, 2, defaults.Seed, dataset.TrainIndices, attributes),
            StratifiedSplitter.KFold(dataset.Labels, 2, defaults.Seed, dataset.TrainIndices)).Should().BeFalse("premise: the stratifications give other folds");
        ShouldBeRefusedAsOtherData(incomplete, byClass, checkpoints, stamp, "by-class");

        // (2) One more test row lacking modality 2: the folds (of the training rows) and the options are the same, the
        // availability is not.
        var fewer = CopyData(incomplete, "fewer");
        MarkMissing(fewer, "2_te.csv", i => i == 1);
        ShouldBeRefusedAsOtherData(fewer, config, checkpoints, stamp, "fewer");
    }

    [Fact]
    public void Checkpoints_without_a_fingerprint_are_refused_and_a_folder_without_checkpoints_starts_over()
    {
        var config = _data.WriteFile("quick.json", QuickConfig);
        var checkpoints = Path.Combine(_data.Path, "checkpoints");
        var stamp = TrainAndStamp(_data.Path, config, checkpoints);
        File.Delete(Path.Combine(checkpoints, "fingerprint.json"));
        var outFolder = Path.Combine(_data.Path, "second");

        var (code, output, error) = TrainCommandTests.Run("train", "--data", _data.Path, "--config", config, "--out", outFolder, "--checkpoint", checkpoints);

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().ContainSingle().Which.Should().Contain("holds checkpoints (fold").And.Contain("but no fingerprint.json");
        ShouldHaveStoppedBeforeTraining(output, outFolder, checkpoints, stamp);

        // A stale fingerprint with nothing to resume from is simply replaced.
        var empty = Path.Combine(_data.Path, "empty-checkpoints");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "fingerprint.json"), "{ not json");
        var (code2, _, error2) = TrainCommandTests.Run("train", "--data", _data.Path, "--config", config, "--out", outFolder, "--checkpoint", empty);
        code2.Should().Be(0, error2);
        File.ReadAllText(Path.Combine(empty, "fingerprint.json")).Should().Contain("\"DataSha256\"");
    }
}
