using BalancedMultimodal.Cli.Pipeline;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>What <see cref="NewSampleFolderLoader"/> (<c>bmm predict --data</c>) says about common mistakes in a new-sample
/// folder, checked against a model of two modalities with 3 and 2 features (no model is trained: the loader only needs
/// the modality names and feature counts).</summary>
public sealed class NewSampleFolderLoaderTests : IDisposable
{
    private const string HeaderHint = "MOGONET CSV files have no header row: if line 1 is one, remove it";

    private readonly string _folder = Directory.CreateTempSubdirectory("bmm-new-samples-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes the files (name, content) and loads the folder for modalities "1" (3 features) and "2" (2).</summary>
    private Func<NewSampleFolderLoader.NewSamples> Loading(params (string Name, string Content)[] files)
    {
        foreach (var (name, content) in files) File.WriteAllText(Path.Combine(_folder, name), content);
        return () => NewSampleFolderLoader.Load(_folder, ["1", "2"], [3, 2]);
    }

    [Theory]
    [InlineData("g1,g2,g3\n1,2,3\n4,5,6\n", "1_te.csv, line 1: column 1: 'g1' is not a finite number (" + HeaderHint + ").")]
    [InlineData("id,g1,g2,g3\n1,2,3\n4,5,6\n", "1_te.csv, line 1: has 4 values but the model was trained on 3 features; " + HeaderHint + ".")]
    [InlineData("1,2,3,\n4,5,6,\n", "1_te.csv, line 1: has 4 values but the model was trained on 3 features; the last field is empty: " +
        "a trailing comma at the end of the line? Remove it.")]
    [InlineData("1,2,3,\"\"\n", "1_te.csv, line 1: has 4 values but the model was trained on 3 features.")]
    [InlineData("1,2,3\n4;5;6\n", "1_te.csv, line 2: has 1 field ('4;5;6'): the line holds ';' but no ','; MOGONET CSV files are comma-separated.")]
    [InlineData("1,2,3\n4,x,6\n", "1_te.csv, line 2: column 2: 'x' is not a finite number (a sample lacking this modality has every field empty, NA or NaN).")]
    [InlineData("1,2,3,4\n5,6,7\n", "1_te.csv, line 1: has 4 values but the model was trained on 3 features.")]
    [InlineData("1,2,3\n4,5;6,7\n", "1_te.csv, line 2: column 2: '5;6' is not a finite number (a sample lacking this modality has every field empty, NA or NaN).")]
    public void A_malformed_data_file_is_reported_with_its_likely_cause(string content, string expectedMessage)
    {
        var act = Loading(("1_te.csv", content), ("2_te.csv", "1,2\n3,4\n"));

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(expectedMessage);
    }

    [Fact]
    public void A_one_feature_row_with_a_tab_loads_as_in_training_and_a_tab_separated_one_is_still_named()
    {
        // "0.5\t" is one number followed by whitespace, which training reads; the separator hint refused it before parsing.
        File.WriteAllText(Path.Combine(_folder, "1_te.csv"), "0.5\t\n0.25\n");
        var loaded = NewSampleFolderLoader.Load(_folder, ["1"], [1]);
        File.WriteAllText(Path.Combine(_folder, "1_te.csv"), "0.5\t0.7\n");
        var tabSeparated = () => NewSampleFolderLoader.Load(_folder, ["1"], [1]);

        loaded.Modalities[0]!.ToArray().Should().BeEquivalentTo(new double[,] { { 0.5 }, { 0.25 } });
        tabSeparated.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "1_te.csv, line 1: has 1 field ('0.5\t0.7'): the line holds a tab but no ','; MOGONET CSV files are comma-separated.");
    }

    [Fact]
    public void A_long_field_is_echoed_cut_to_40_characters()
    {
        var line = string.Join(';', Enumerable.Repeat("0.123456789", 300));

        var act = Loading(("1_te.csv", line + "\n"), ("2_te.csv", "1,2\n"));

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            $"1_te.csv, line 1: has 1 field ('{line[..40]}…'): the line holds ';' but no ','; MOGONET CSV files are comma-separated.");
    }

    [Theory]
    [InlineData("label\n0\n1\n", "labels_te.csv, line 1: 'label' is not a number; " + HeaderHint + ".")]
    [InlineData("NC\nAD\n", "labels_te.csv, line 1: 'NC' is not a number; labels must be integer class indices 0..C-1 of the model " +
        "(class names such as 'NC' are not read here).")]
    [InlineData("label\n", "labels_te.csv, line 1: 'label' is not a number; " + HeaderHint + ".")]
    public void A_labels_file_with_a_header_or_class_names_is_reported_with_the_likely_cause(string labels, string expectedMessage)
    {
        var act = Loading(("1_te.csv", "1,2,3\n4,5,6\n"), ("labels_te.csv", labels));

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(expectedMessage);
    }

    [Fact]
    public void A_feature_name_file_with_one_name_too_many_is_reported_as_a_likely_header()
    {
        var act = Loading(("1_te.csv", "1,2,3\n"), ("1_featname.csv", "name\ng1\ng2\ng3\n"));

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "1_featname.csv lists 4 feature names but the model was trained on 3 features of modality '1'; one more name than features: " +
            "does the file have a header line ('name')? Remove it, the file lists one name per line.");
    }

    [Fact]
    public void A_sample_missing_in_every_modality_is_reported_by_files_and_1_based_line()
    {
        var act = Loading(("1_te.csv", "1,2,3\nNA,NA,NA\n4,5,6\n"), ("2_te.csv", "1,2\n,\n3,4\n"));

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "1_te.csv, 2_te.csv, line 2: the new sample is marked missing in every modality; each sample needs at least one modality " +
            "(give it the data of one, or remove line 2 from these files and from labels_te.csv, if present).");
    }

    [Fact]
    public void A_sample_missing_in_the_only_file_names_the_absent_files_too()
    {
        var act = Loading(("1_te.csv", "1,2,3\n4,5,6\nNA\n"));

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "1_te.csv, line 3: the new sample is marked missing in every modality (2_te.csv is absent: missing for every sample); each " +
            "sample needs at least one modality (give it the data of one, or remove line 3 from these files and from labels_te.csv, if present).");
    }
}
