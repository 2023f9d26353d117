using System.Globalization;
using System.Text.Json.Nodes;
using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Metrics;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

[Collection(TrainedPipelineCollection.Name)]
public class TrainedPipelineFolderTests(TrainedPipelineFixture fixture)
{
    private static readonly ICliCommand[] Commands = [new TrainCommand(), new PredictCommand()];

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, Commands, "train", output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary><c>bmm predict</c> of the fixture's new samples with the model in <paramref name="folder"/>.</summary>
    private (int ExitCode, string Error) PredictWith(string folder)
    {
        var (code, _, error) = Run("predict", "--model", folder, "--data", fixture.NewSampleFolder, "--out", Path.Combine(folder, "p.csv"));
        return (code, error);
    }

    [Fact]
    public void The_folder_holds_a_manifest_with_format_and_library_versions()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.ModelFolder, "manifest.json")))!;

        manifest["FormatVersion"]!.GetValue<int>().Should().Be(TrainedPipeline.MinimumFormatVersion, "a standardised pipeline stays readable by format-1 readers");
        manifest["LibraryVersion"]!.GetValue<string>().Should().Be(TrainedPipeline.LibraryVersion);
        manifest["FoldCount"]!.GetValue<int>().Should().Be(2);
        Directory.GetFiles(fixture.ModelFolder).Select(Path.GetFileName).Should()
            .Contain(["options.json", "standardizer.json", "cohort.bin", "graph.bin", "fold_0.bin", "fold_0.json", "fold_1.bin", "fold_1.json"]);
    }

    [Fact]
    public void Saving_into_a_folder_of_an_earlier_model_removes_that_models_extra_files_and_keeps_other_files()
    {
        // An earlier model with more folds, autoencoders, quantiles and incomplete samples left its extra files beside the
        // new manifest (which ignores them), so the folder looked like another model.
        var folder = fixture.CopyOfModel();
        string[] stale = ["fold_2.bin", "fold_2.json", "fold_3.bin", "autoencoder_0.bin", "quantiles.json", "cohort_availability.json"];
        foreach (string name in stale)
            File.WriteAllText(Path.Combine(folder, name), "from an earlier model");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(folder, "fold_x.bin"), "not a model file name");

        fixture.Model.Save(folder);

        var names = Directory.GetFiles(folder).Select(Path.GetFileName).ToArray();
        names.Should().NotContain(stale);
        names.Should().Contain(["notes.txt", "fold_x.bin", "manifest.json", "fold_0.bin", "fold_1.json"]);
        using var reloaded = TrainedPipeline.Load(folder);
        reloaded.Folds.Should().HaveCount(2);
    }

    [Fact]
    public void Saving_keeps_files_whose_names_only_contain_a_model_file_name()
    {
        // Only this format's own names are removed: a name that merely ends like one is another file.
        var folder = fixture.CopyOfModel();
        string[] others = ["old_autoencoder_0.bin", "my_fold_2.bin", "backup_options.json"];
        foreach (string name in others)
            File.WriteAllText(Path.Combine(folder, name), "mine");

        fixture.Model.Save(folder);

        Directory.GetFiles(folder).Select(Path.GetFileName).Should().Contain(others);
    }

    [Fact]
    public void A_truncated_weights_file_gives_invalid_data_naming_the_file()
    {
        var folder = fixture.CopyOfModel();
        var path = Path.Combine(folder, "fold_1.bin");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("fold_1.bin*");
    }

    [Fact]
    public void A_flipped_byte_in_the_cohort_features_is_caught_by_the_checksum()
    {
        var folder = fixture.CopyOfModel();
        var path = Path.Combine(folder, "cohort.bin");
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("cohort.bin is corrupt*SHA-256*");
    }

    [Fact]
    public void Corrupt_json_gives_invalid_data_naming_the_file()
    {
        var folder = fixture.CopyOfModel();
        File.WriteAllText(Path.Combine(folder, "options.json"), "{ \"Seed\": ");
        ModelFolderEdit.RecordChecksum(folder, "options.json");

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("options.json is not valid*");
    }

    [Fact]
    public void A_newer_format_version_gives_invalid_data_naming_the_manifest()
    {
        var folder = fixture.CopyOfModel();
        ModelFolderEdit.EditJson(folder, "manifest.json", manifest => manifest["FormatVersion"] = TrainedPipeline.FormatVersion + 1);

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage($"manifest.json: format version {TrainedPipeline.FormatVersion + 1}*");
    }

    [Fact]
    public void A_folder_without_manifest_is_not_a_saved_pipeline()
    {
        var act = () => TrainedPipeline.Load(fixture.DataFolder);

        act.Should().Throw<InvalidDataException>().WithMessage("manifest.json is missing*");
    }

    [Fact]
    public void Options_describing_other_hidden_sizes_than_the_weights_give_invalid_data_naming_the_weights()
    {
        var folder = fixture.CopyOfModel();
        ModelFolderEdit.EditJson(folder, "options.json", options => options["Encoder"]!["HiddenSizes"] = new JsonArray(8));

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("fold_0.bin holds*, 16)*needs*, 8)*another shape*");
    }

    [Fact]
    public void Train_with_save_writes_a_model_whose_weights_do_not_fit_a_model_of_another_shape()
    {
        // A second model with other hidden sizes, trained and saved through the CLI.
        var config = Path.Combine(fixture.Root, "other-shape.json");
        File.WriteAllText(config, """
            {"Seed": 2, "CrossFitFolds": 1, "CrossFitRepeats": 1, "EncoderKind": "RelationalGcn", "GraphNeighbours": 5, "Affinity": {"K": 8}, "Fusion": {"K": 8, "Iterations": 5},
             "Encoder": {"HiddenSizes": [8]},
             "Training": {"PretrainingEpochs": 5, "DistillationEpochs": 2, "JointEpochs": 5, "Assessment": {"Permutations": 19}}}
            """);
        var other = Path.Combine(fixture.Root, "other-shape-model");
        var (code, output, error) = Run("train", "--data", fixture.DataFolder, "--config", config, "--out", Path.Combine(fixture.Root, "other-out"), "--save", other);
        code.Should().Be(0, error);
        output.Should().Contain("model: ");
        using (var reloaded = TrainedPipeline.Load(other)) reloaded.Folds.Should().HaveCount(1);

        var folder = fixture.CopyOfModel();
        File.Copy(Path.Combine(other, "fold_0.bin"), Path.Combine(folder, "fold_0.bin"), overwrite: true);
        ModelFolderEdit.RecordChecksum(folder, "fold_0.bin");
        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("fold_0.bin does not fit the model*another shape*");
    }

    [Fact]
    public void Predict_command_writes_one_row_per_new_sample_with_a_probability_per_class()
    {
        var csv = Path.Combine(fixture.Root, "predictions-" + Guid.NewGuid().ToString("N") + ".csv");

        var (code, output, error) = Run("predict", "--model", fixture.ModelFolder, "--data", fixture.NewSampleFolder, "--out", csv);

        code.Should().Be(0, error);
        var lines = File.ReadAllLines(csv);
        lines[0].Should().Be("sample,predicted_class,p_0,p_1");
        lines.Should().HaveCount(fixture.NewRows.Length + 1);
        lines[1].Split(',')[0].Should().Be("0");
        output.Should().Contain($"predicted {fixture.NewRows.Length} sample(s)").And.Contain("accuracy against labels_te.csv");
        // The printed scores are those of the written probabilities against labels_te.csv.
        var labels = File.ReadAllLines(Path.Combine(fixture.NewSampleFolder, "labels_te.csv")).Select(l => (int)double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        var predicted = rows.Select(r => int.Parse(r[1], CultureInfo.InvariantCulture)).ToArray();
        var positive = rows.Select(r => double.Parse(r[3], CultureInfo.InvariantCulture)).ToArray();
        output.Should().Contain(string.Create(CultureInfo.InvariantCulture,
            $"accuracy against labels_te.csv: {ClassificationMetrics.Accuracy(labels, predicted):F4}  macro-F1 {ClassificationMetrics.MacroF1(labels, predicted):F4}  AUC {RocAuc.Binary(labels, positive):F4}"));
    }

    [Fact]
    public void A_folder_saved_before_the_encoder_kind_option_existed_loads_as_the_relational_gcn_model_it_is()
    {
        // The first sessions' folders: relational-GCN encoders, options.json without EncoderKind (read as today's
        // default, Mlp, they were refused as "written by a model of another shape").
        fixture.Model.Options.EncoderKind.Should().Be(ModalityEncoderKind.RelationalGcn);
        var folder = fixture.CopyOfModel();
        ModelFolderEdit.EditJson(folder, "options.json", options => options.AsObject().Remove(nameof(PipelineOptions.EncoderKind)).Should().BeTrue());

        using var loaded = TrainedPipeline.Load(folder);

        loaded.Options.EncoderKind.Should().Be(ModalityEncoderKind.RelationalGcn);
        loaded.Predict(fixture.NewModalities()).Probabilities.Should().BeEquivalentTo(fixture.Model.Predict(fixture.NewModalities()).Probabilities, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Predict_command_writes_the_heads_when_asked_and_refuses_them_in_the_predictions_file()
    {
        var folder = Path.Combine(fixture.Root, "heads-" + Guid.NewGuid().ToString("N"));
        var csv = Path.Combine(folder, "predictions.csv");
        var heads = Path.Combine(folder, "sub", "heads.csv");

        var (code, output, error) = Run("predict", "--model", fixture.ModelFolder, "--data", fixture.NewSampleFolder, "--out", csv, "--heads", heads);

        code.Should().Be(0, error);
        var lines = File.ReadAllLines(heads);
        lines[0].Should().Be("sample,head,share,p_0,p_1");
        lines.Should().HaveCount(4 * fixture.NewRows.Length + 1);
        lines.Skip(1).Select(l => l.Split(',')[1]).Take(4).Should().Equal("fused", "1", "2", "3");
        output.Should().Contain($"heads: {Path.GetFullPath(heads)}");
        // The agreement counts are those of the written files: each head's argmax against the predicted class.
        var predicted = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')[1]).ToArray();
        int Agreeing(int head) => lines.Skip(1).Where((_, k) => k % 4 == head).Select(l => l.Split(','))
            .Count(f => (double.Parse(f[4], CultureInfo.InvariantCulture) > double.Parse(f[3], CultureInfo.InvariantCulture) ? "1" : "0") == predicted[int.Parse(f[0], CultureInfo.InvariantCulture)]);
        int n = fixture.NewRows.Length;
        Enumerable.Range(1, 3).Select(Agreeing).Should().Contain(a => a < n, "some modality head must disagree somewhere, or the counts could not be told from n/n");
        output.Should().Contain($"heads agreeing with the predicted class (of the samples having the head's modality): fused {Agreeing(0)}/{n}, 1 {Agreeing(1)}/{n}, 2 {Agreeing(2)}/{n}, 3 {Agreeing(3)}/{n}");

        var (same, _, sameError) = Run("predict", "--model", fixture.ModelFolder, "--data", fixture.NewSampleFolder, "--out", csv, "--heads", csv);
        same.Should().Be(CliApp.UsageError);
        sameError.Should().Contain("option --heads").And.Contain("also the --out file");
    }

    [Fact]
    public void Predict_command_accepts_rows_and_files_marking_a_missing_modality()
    {
        var data = Path.Combine(fixture.Root, "partial-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        File.Copy(Path.Combine(fixture.NewSampleFolder, "1_te.csv"), Path.Combine(data, "1_te.csv"));
        var second = File.ReadAllLines(Path.Combine(fixture.NewSampleFolder, "2_te.csv"));
        second[0] = string.Join(',', Enumerable.Repeat("NA", 10));
        File.WriteAllLines(Path.Combine(data, "2_te.csv"), second);
        var csv = Path.Combine(data, "predictions.csv");

        var (code, output, error) = Run("predict", "--model", fixture.ModelFolder, "--data", data, "--out", csv);

        code.Should().Be(0, error);
        File.ReadAllLines(csv).Should().HaveCount(fixture.NewRows.Length + 1);
        output.Should().Contain($"{fixture.NewRows.Length} sample(s) lack at least one modality");
    }

    [Fact]
    public void Predict_command_reports_a_corrupt_model_in_one_line_with_exit_code_2()
    {
        var folder = fixture.CopyOfModel();
        File.WriteAllBytes(Path.Combine(folder, "graph.bin"), [1, 2, 3]);

        var (code, error) = PredictWith(folder);

        code.Should().Be(CliApp.UsageError);
        error.Trim().Should().StartWith("bmm predict: graph.bin");
    }

    [Fact]
    public void An_edited_file_is_named_by_its_checksum_before_anything_is_parsed_from_it()
    {
        var folder = fixture.CopyOfModel();
        // Two mean vectors for three modalities, the checksum left as it was.
        ModelFolderEdit.EditJson(folder, "standardizer.json", record => record["Means"]!.AsArray().RemoveAt(2), recordChecksum: false);

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("standardizer.json is corrupt or was replaced*SHA-256*");
    }

    [Fact]
    public void A_standardizer_with_too_few_modalities_is_invalid_data_even_with_its_checksum_recorded()
    {
        var folder = fixture.CopyOfModel();
        ModelFolderEdit.EditJson(folder, "standardizer.json", record => record["Means"]!.AsArray().RemoveAt(2));

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("standardizer.json: expected means and scales for each of the 3 modalities*");
    }

    [Fact]
    public void A_null_options_section_is_invalid_data_naming_it()
    {
        var folder = fixture.CopyOfModel();
        ModelFolderEdit.EditJson(folder, "options.json", options => options["Training"] = null);

        var (code, error) = PredictWith(folder);

        code.Should().Be(CliApp.UsageError);
        error.Trim().Should().Be("bmm predict: options.json: the section(s) Training are null; a saved model needs every section.");
    }

    [Fact]
    public void A_manifest_listing_a_file_twice_or_more_folds_than_its_count_is_invalid_data()
    {
        var twice = fixture.CopyOfModel();
        ModelFolderEdit.EditJson(twice, "manifest.json", manifest => manifest["Files"]!.AsArray().Add(manifest["Files"]![0]!.DeepClone()));
        var fewer = fixture.CopyOfModel();
        ModelFolderEdit.EditJson(fewer, "manifest.json", manifest => manifest["FoldCount"] = 1);

        ((Action)(() => TrainedPipeline.Load(twice))).Should().Throw<InvalidDataException>().WithMessage("manifest.json: * is listed 2 times.");
        ((Action)(() => TrainedPipeline.Load(fewer))).Should().Throw<InvalidDataException>().WithMessage("manifest.json: lists fold_1.*, but FoldCount is 1*");
    }

    [Fact]
    public void Repeated_or_null_sample_ids_are_rejected_before_predicting()
    {
        var modalities = fixture.NewModalities();
        var repeatedIds = Enumerable.Range(0, fixture.NewRows.Length).Select(i => $"s{i}").ToArray();
        repeatedIds[1] = repeatedIds[0];
        var nullIds = Enumerable.Range(0, fixture.NewRows.Length).Select(i => $"s{i}").ToArray();
        nullIds[1] = null!;

        var repeated = () => fixture.Model.Predict(modalities, repeatedIds);
        var missing = () => fixture.Model.Predict(modalities, nullIds);

        repeated.Should().Throw<ArgumentException>().WithMessage("Sample ID 's0' is given for rows 0 and 1*").And.ParamName.Should().Be("sampleIds");
        missing.Should().Throw<ArgumentException>().WithMessage("Sample ID 1 is null*");
    }

    [Fact]
    public void Loading_and_disposing_a_model_leaves_no_tensor_alive()
    {
        using (TrainedPipeline.Load(fixture.ModelFolder)) { }   // warm-up: TorchSharp's one-off allocations
        // (This caught two leaks: TensorBundle.Take's detached handle, and one tensor per relational-GCN layer built.)
        long before = LiveTensors.Count;

        for (int i = 0; i < 3; i++)
            using (TrainedPipeline.Load(fixture.ModelFolder)) { }

        LiveTensors.Count.Should().Be(before);
    }
}
