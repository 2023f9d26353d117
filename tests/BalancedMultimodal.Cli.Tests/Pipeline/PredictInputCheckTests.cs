using System.Text.Json.Nodes;
using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>What <c>bmm predict</c> and <see cref="TrainedPipeline.Predict"/> check about new samples beyond their shapes:
/// feature names and order, modality files the model does not have, and labels outside the model's classes.</summary>
[Collection(TrainedPipelineCollection.Name)]
public class PredictInputCheckTests(TrainedPipelineFixture fixture)
{
    private static (int ExitCode, string Output, string Error) Predict(string model, string data, string csv)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(["predict", "--model", model, "--data", data, "--out", csv], [new PredictCommand()], "predict", output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string[] Names(int m) => fixture.Generated.Modalities[m].FeatureNames!.ToArray();

    /// <summary>A copy of the new-sample folder with <c>{m}_featname.csv</c> files holding the training names.</summary>
    private string NewSamplesWithFeatureNames()
    {
        var folder = Path.Combine(fixture.Root, "new-named-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(fixture.NewSampleFolder)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        TrainedPipelineFixture.WriteFeatureNames(folder, fixture.Generated);
        return folder;
    }

    /// <summary>Reverses the columns of <c>{m}_te.csv</c> and the lines of <c>{m}_featname.csv</c> of every modality:
    /// consistent data in another feature order.</summary>
    private static void ReverseFeatureOrder(string folder, int modalityCount)
    {
        for (int m = 1; m <= modalityCount; m++)
        {
            var data = Path.Combine(folder, $"{m}_te.csv");
            File.WriteAllLines(data, File.ReadAllLines(data).Select(l => string.Join(',', l.Split(',').Reverse())));
            var names = Path.Combine(folder, $"{m}_featname.csv");
            File.WriteAllLines(names, File.ReadAllLines(names).Reverse());
        }
    }

    [Fact]
    public void The_model_keeps_the_training_feature_names_and_saves_them()
    {
        for (int m = 0; m < 3; m++) fixture.Model.FeatureNames[m].Should().Equal(Names(m));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.ModelFolder, "manifest.json")))!;
        manifest["Files"]!.AsArray().Select(f => f!["Name"]!.GetValue<string>()).Should().Contain("feature_names.json");

        using var loaded = TrainedPipeline.Load(fixture.ModelFolder);

        for (int m = 0; m < 3; m++) loaded.FeatureNames[m].Should().Equal(Names(m));
    }

    [Fact]
    public void Predict_command_checks_matching_feature_name_files_and_says_so()
    {
        var data = NewSamplesWithFeatureNames();
        var csv = Path.Combine(data, "predictions.csv");

        var (code, output, error) = Predict(fixture.ModelFolder, data, csv);

        code.Should().Be(0, error);
        output.Should().Contain("feature names match the model: 1_featname.csv, 2_featname.csv, 3_featname.csv");
        File.ReadAllText(csv).Should().Be(File.ReadAllText(PredictionsWithoutNames()), "names that match change nothing");
    }

    [Fact]
    public void Quoted_feature_names_with_classic_mac_line_endings_match_the_model_as_the_training_loader_reads_them()
    {
        // R's write.csv quotes every name; a classic Mac file ends its lines with a lone CR. The training loader reads
        // both as plain names, so prediction must too.
        var data = NewSamplesWithFeatureNames();
        for (int m = 1; m <= 3; m++)
        {
            var names = Path.Combine(data, $"{m}_featname.csv");
            File.WriteAllText(names, string.Concat(File.ReadAllLines(names).Select(n => $"\"{n}\"\r")));
        }
        var csv = Path.Combine(data, "predictions.csv");

        var (code, output, error) = Predict(fixture.ModelFolder, data, csv);

        code.Should().Be(0, error);
        output.Should().Contain("feature names match the model: 1_featname.csv, 2_featname.csv, 3_featname.csv");
    }

    [Fact]
    public void New_samples_with_quoted_values_and_lone_cr_lines_predict_as_the_plain_files_do()
    {
        // Training reads quoted numbers and classic Mac line endings; bmm predict refused '"1"' and read a CR-only file
        // as one line.
        var data = NewSamplesWithFeatureNames();
        for (int m = 1; m <= 3; m++)
        {
            var values = Path.Combine(data, $"{m}_te.csv");
            File.WriteAllText(values, string.Concat(File.ReadAllLines(values).Select(l => string.Join(',', l.Split(',').Select(v => $"\"{v}\"")) + "\r")));
        }
        var csv = Path.Combine(data, "predictions.csv");

        var (code, _, error) = Predict(fixture.ModelFolder, data, csv);

        code.Should().Be(0, error);
        File.ReadAllText(csv).Should().Be(File.ReadAllText(PredictionsWithoutNames()));
    }

    [Fact]
    public void A_feature_name_file_that_is_not_utf8_is_refused_naming_it()
    {
        var data = NewSamplesWithFeatureNames();
        var names = Path.Combine(data, "1_featname.csv");
        File.WriteAllBytes(names, [.. File.ReadAllBytes(names), 0xE9, (byte)'\n']);   // a Latin-1 "é"
        var csv = Path.Combine(data, "predictions.csv");

        var (code, _, error) = Predict(fixture.ModelFolder, data, csv);

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain("1_featname.csv is not valid UTF-8");
    }

    private string PredictionsWithoutNames()
    {
        var csv = Path.Combine(fixture.Root, "plain-" + Guid.NewGuid().ToString("N") + ".csv");
        Predict(fixture.ModelFolder, fixture.NewSampleFolder, csv).ExitCode.Should().Be(0);
        return csv;
    }

    [Fact]
    public void Predict_command_refuses_columns_in_another_order_and_says_they_are_the_model_names_reordered()
    {
        var data = NewSamplesWithFeatureNames();
        ReverseFeatureOrder(data, 3);
        var csv = Path.Combine(data, "predictions.csv");

        var (code, _, error) = Predict(fixture.ModelFolder, data, csv);

        code.Should().Be(CliApp.UsageError);
        error.Trim().Should().Be($"bmm predict: 1_featname.csv does not match the feature names of the model's modality '1': they are the model's feature names in another order: feature 1 (line 1) is '{Names(0)[^1]}' where the model has '{Names(0)[0]}'; columns are not reordered automatically, so put them in the model's order.");
        File.Exists(csv).Should().BeFalse("nothing is predicted");
    }

    [Fact]
    public void Predict_command_names_the_first_differing_feature_name_with_both_names()
    {
        var data = NewSamplesWithFeatureNames();
        var names = Names(1);
        names[3] = "renamed";
        File.WriteAllLines(Path.Combine(data, "2_featname.csv"), names);

        var (code, _, error) = Predict(fixture.ModelFolder, data, Path.Combine(data, "predictions.csv"));

        code.Should().Be(CliApp.UsageError);
        error.Trim().Should().Be($"bmm predict: 2_featname.csv does not match the feature names of the model's modality '2': feature 4 (line 4) is 'renamed' where the model has '{Names(1)[3]}'.");
    }

    [Fact]
    public void Predict_command_refuses_a_feature_name_file_of_another_length()
    {
        var data = NewSamplesWithFeatureNames();
        File.WriteAllLines(Path.Combine(data, "3_featname.csv"), Names(2)[..^1]);

        var (code, _, error) = Predict(fixture.ModelFolder, data, Path.Combine(data, "predictions.csv"));

        code.Should().Be(CliApp.UsageError);
        error.Trim().Should().Be($"bmm predict: 3_featname.csv lists {Names(2).Length - 1} feature names but the model was trained on {Names(2).Length} features of modality '3'.");
    }

    [Fact]
    public void Predict_command_reports_a_file_of_a_modality_the_model_does_not_have()
    {
        var data = NewSamplesWithFeatureNames();
        File.Copy(Path.Combine(data, "1_te.csv"), Path.Combine(data, "4_te.csv"));

        var (code, _, error) = Predict(fixture.ModelFolder, data, Path.Combine(data, "predictions.csv"));

        code.Should().Be(CliApp.UsageError);
        error.Trim().Should().StartWith("bmm predict: 4_te.csv is not a file of the model's 3 modalities (1_te.csv .. 3_te.csv)");
    }

    [Fact]
    public void Predict_command_reports_a_label_outside_the_model_classes_with_its_line()
    {
        var data = NewSamplesWithFeatureNames();
        var labels = File.ReadAllLines(Path.Combine(data, "labels_te.csv"));
        labels[4] = "2";
        File.WriteAllLines(Path.Combine(data, "labels_te.csv"), labels);

        var (code, output, error) = Predict(fixture.ModelFolder, data, Path.Combine(data, "predictions.csv"));

        code.Should().Be(CliApp.UsageError, "an accuracy over labels of other classes would be meaningless, and leaving it out silently hides the problem");
        output.Should().NotContain("accuracy");
        error.Trim().Should().Be("bmm predict: labels_te.csv, line 5: label 2 is not a class of the model, whose 2 classes are numbered 0..1 (0 = '0', 1 = '1').");
    }

    [Fact]
    public void A_model_saved_without_feature_names_still_loads_and_predict_notes_the_unchecked_files()
    {
        // A folder as written before feature names were stored: no feature_names.json, and the manifest does not list it.
        var model = fixture.CopyOfModel();
        File.Delete(Path.Combine(model, "feature_names.json"));
        var manifestPath = Path.Combine(model, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        var files = manifest["Files"]!.AsArray();
        files.Remove(files.Single(f => f!["Name"]!.GetValue<string>() == "feature_names.json"));
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        using (var loaded = TrainedPipeline.Load(model))
            loaded.FeatureNames.Should().OnlyContain(n => n == null);
        var data = NewSamplesWithFeatureNames();
        var csv = Path.Combine(data, "predictions.csv");

        var (code, output, error) = Predict(model, data, csv);

        code.Should().Be(0, error);
        output.Should().Contain("note: the model stores no feature names to check 1_featname.csv, 2_featname.csv, 3_featname.csv against");
        File.ReadAllText(csv).Should().Be(File.ReadAllText(PredictionsWithoutNames()));
    }

    private Modality?[] NewModalitiesNamed(Func<int, string[]> names) =>
        fixture.NewModalities().Select((x, m) => x is null ? null : new Modality(x.Name, x.ToArray(), names(m), x.Availability)).ToArray();

    [Fact]
    public void Predict_compares_the_feature_names_of_given_modalities_with_the_model()
    {
        var expected = fixture.Model.Predict(fixture.NewModalities());

        var named = fixture.Model.Predict(NewModalitiesNamed(Names));
        var reversed = () => fixture.Model.Predict(NewModalitiesNamed(m => m == 2 ? Names(m).Reverse().ToArray() : Names(m)));
        var renamed = () => fixture.Model.Predict(NewModalitiesNamed(m => m == 1 ? Names(m).Select((n, j) => j == 2 ? "other" : n).ToArray() : Names(m)));

        named.Probabilities.Should().BeEquivalentTo(expected.Probabilities, o => o.WithStrictOrdering());
        reversed.Should().Throw<ArgumentException>().WithParameterName("modalities")
            .WithMessage($"Modality '3': its feature names differ from the model's: they are the model's feature names in another order: column 0 is '{Names(2)[^1]}' where the model has '{Names(2)[0]}'*");
        renamed.Should().Throw<ArgumentException>()
            .WithMessage($"Modality '2': its feature names differ from the model's: column 2 is 'other' where the model has '{Names(1)[2]}'.*");
    }
}
