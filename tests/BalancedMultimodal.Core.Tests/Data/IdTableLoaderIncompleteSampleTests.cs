using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>Samples lacking a modality in ID-keyed tables: absent IDs and rows of missing-value markers.</summary>
public class IdTableLoaderIncompleteSampleTests
{
    // P1, P2: both modalities. P3: a marker row in mrna, absent from meth (no values anywhere). P4: mrna only.
    // P5: meth only. P6: label only. X9: no label.
    private const string Mrna = "sample,g1,g2\nP1,1,2\nP2,3,4\nP3,NA,NA\nP4,7,8\n";
    private const string Meth = "sample,c1\nP2,20\nP1,10\nP5,50\nX9,90\n";
    private const string Labels = "id,label\nP4,0\nP3,1\nP2,0\nP1,1\nP5,0\nP6,1\n";

    private static readonly IdTableLoadOptions Keep = new() { KeepIncompleteSamples = true };

    private static (string[] Tables, string Labels) Write(TemporaryFolder folder, string mrna = Mrna, string meth = Meth, string labels = Labels)
    {
        var paths = new[] { "mrna.csv", "meth.csv", "labels.csv" }.Select(f => Path.Combine(folder.Path, f)).ToArray();
        File.WriteAllText(paths[0], mrna);
        File.WriteAllText(paths[1], meth);
        File.WriteAllText(paths[2], labels);
        return (paths[..2], paths[2]);
    }

    [Fact]
    public void By_default_incomplete_samples_and_marker_rows_are_dropped_and_reported()
    {
        using var folder = new TemporaryFolder();
        var (tables, labels) = Write(folder);

        var result = IdTableLoader.Load(tables, labels);

        result.Dataset.SampleIds.Should().Equal("P2", "P1");
        result.Dataset.Labels.Should().Equal(0, 1);
        result.Dataset.Modalities[0].ToArray().Should().BeEquivalentTo(new double[,] { { 3, 4 }, { 1, 2 } });
        result.Dataset.Modalities[1].Values.ToArray().Should().Equal(20, 10);
        result.Dataset.Modalities.Should().OnlyContain(m => !m.HasMissingRows);
        result.DroppedIds.Should().Equal("P4", "P3", "P5", "P6", "X9");
        result.DroppedSamples.Select(d => string.Join("+", d.MissingFrom)).Should().Equal("meth", "mrna+meth", "mrna", "mrna+meth", "labels+mrna");
        result.IncompleteRows.Should().BeEmpty();
    }

    [Fact]
    public void The_default_options_load_as_the_default_overload()
    {
        using var folder = new TemporaryFolder();
        var (tables, labels) = Write(folder);

        var result = IdTableLoader.Load(tables, labels, new IdTableLoadOptions());

        result.Dataset.SampleIds.Should().Equal("P2", "P1");
        result.DroppedIds.Should().Equal("P4", "P3", "P5", "P6", "X9");
    }

    [Fact]
    public void Keeping_incomplete_samples_keeps_every_labelled_id_with_values_in_some_table_in_label_order()
    {
        using var folder = new TemporaryFolder();
        var (tables, labels) = Write(folder);

        var result = IdTableLoader.Load(tables, labels, Keep);
        var data = result.Dataset;

        data.SampleIds.Should().Equal("P4", "P2", "P1", "P5");
        data.Labels.Should().Equal(0, 0, 1, 0);
        data.Modalities[0].Availability.Should().Equal(true, true, true, false);
        data.Modalities[1].Availability.Should().Equal(false, true, true, true);
        data.Modalities[0].GetRow(0).ToArray().Should().Equal(7, 8);
        data.Modalities[0].GetRow(1).ToArray().Should().Equal(3, 4);
        data.Modalities[0].GetRow(2).ToArray().Should().Equal(1, 2);
        data.Modalities[1].GetRow(1).ToArray().Should().Equal(20);
        data.Modalities[1].GetRow(2).ToArray().Should().Equal(10);
        data.Modalities[1].GetRow(3).ToArray().Should().Equal(50);
        data.Modalities[0].FeatureNames.Should().Equal("g1", "g2");
        result.IncompleteRows.Should().Equal(0, 3);
        result.DroppedIds.Should().Equal("P3", "P6", "X9");
        result.DroppedSamples.Select(d => string.Join("+", d.MissingFrom)).Should().Equal("mrna+meth", "mrna+meth", "labels+mrna");
    }

    [Fact]
    public void Options_carry_the_delimiter_and_the_modality_names()
    {
        using var folder = new TemporaryFolder();
        var (tables, labels) = Write(folder, Mrna.Replace(',', '\t'), Meth.Replace(',', '\t'), Labels.Replace(',', '\t'));

        var data = IdTableLoader.Load(tables, labels, new IdTableLoadOptions { Delimiter = '\t', ModalityNames = ["rna", "cpg"], KeepIncompleteSamples = true }).Dataset;

        data.Modalities.Select(m => m.Name).Should().Equal("rna", "cpg");
        data.SampleIds.Should().Equal("P4", "P2", "P1", "P5");
        data.Modalities[1].Availability.Should().Equal(false, true, true, true);
    }

    [Fact]
    public void A_partly_missing_row_is_refused_naming_the_file_line_and_column()
    {
        using var folder = new TemporaryFolder();
        var (tables, labels) = Write(folder, mrna: "sample,g1,g2\nP1,1,2\nP2,3,NA\n");

        var act = () => IdTableLoader.Load(tables, labels, Keep);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "mrna.csv, line 3: column 3: 'NA' is not a number but a missing-value marker, while other fields of the line hold numbers; " +
            "a partly missing row is not supported: a sample either has the whole modality (every field a number) or none of it " +
            "(every field empty, NA or NaN).");
    }

    [Fact]
    public void An_empty_last_field_of_a_tab_separated_table_is_reported_as_a_likely_trailing_tab()
    {
        // One field more than the header's columns: a trailing tab. The header's count of fields: a missing value.
        using var trailing = new TemporaryFolder();
        var (trailingTables, trailingLabels) = Write(trailing, "sample\tg1\tg2\nP1\t1\t2\nP2\t3\t4\t\n", Meth.Replace(',', '\t'), Labels.Replace(',', '\t'));
        using var missing = new TemporaryFolder();
        var (missingTables, missingLabels) = Write(missing, "sample\tg1\tg2\nP1\t1\t2\nP2\t3\t\n", Meth.Replace(',', '\t'), Labels.Replace(',', '\t'));
        var options = new IdTableLoadOptions { Delimiter = '\t', KeepIncompleteSamples = true };

        var withTrailingTab = () => IdTableLoader.Load(trailingTables, trailingLabels, options);
        var withMissingValue = () => IdTableLoader.Load(missingTables, missingLabels, options);

        withTrailingTab.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "mrna.csv, line 3: column 4: '' is not a number but a missing-value marker (it is one field more than the earlier lines have: " +
            "a trailing tab at the end of the line? Remove it), while other fields of the line hold numbers; a partly missing row is not " +
            "supported: a sample either has the whole modality (every field a number) or none of it (every field empty, NA or NaN).");
        using var everyLine = new TemporaryFolder();
        var (everyLineTables, everyLineLabels) = Write(everyLine, "sample\tg1\tg2\t\nP1\t1\t2\t\nP2\t3\t4\t\n", Meth.Replace(',', '\t'), Labels.Replace(',', '\t'));
        FluentActions.Invoking(() => IdTableLoader.Load(everyLineTables, everyLineLabels, options)).Should().Throw<InvalidDataException>()
            .Which.Message.Should().Contain("line 2: column 4: '' is not a number but a missing-value marker (it is one field more than the earlier " +
                "lines have: a trailing tab at the end of the line? Remove it)", "the header ends in a tab too: its empty last name is no column");
        // The header's unnamed last column held a value on an earlier row: a column, so an empty field there is missing.
        using var unnamedColumn = new TemporaryFolder();
        var (unnamedTables, unnamedLabels) = Write(unnamedColumn, "sample\tg1\tg2\t\nP1\t1\t2\t9\nP2\t3\t4\t\n", Meth.Replace(',', '\t'), Labels.Replace(',', '\t'));
        FluentActions.Invoking(() => IdTableLoader.Load(unnamedTables, unnamedLabels, options)).Should().Throw<InvalidDataException>()
            .Which.Message.Should().Contain("line 3: column 4: '' is not a number but a missing-value marker, while other fields");
        // Several empty fields beyond the header: counted with the ID column, as the loader's other messages count.
        using var several = new TemporaryFolder();
        var (severalTables, severalLabels) = Write(several, "sample\tg1\tg2\nP1\t1\t2\nP2\t3\t4\t\t\n", Meth.Replace(',', '\t'), Labels.Replace(',', '\t'));
        FluentActions.Invoking(() => IdTableLoader.Load(severalTables, severalLabels, options)).Should().Throw<InvalidDataException>()
            .Which.Message.Should().Be("mrna.csv, line 3: has 5 fields but the earlier lines have 3, and the ones after column 3 are empty: " +
                "trailing tabs at the end of the line? Remove them.");
        withMissingValue.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "mrna.csv, line 3: column 3: '' is not a number but a missing-value marker, while other fields of the line hold numbers; " +
            "a partly missing row is not supported: a sample either has the whole modality (every field a number) or none of it " +
            "(every field empty, NA or NaN).");
    }

    [Fact]
    public void A_table_whose_rows_with_values_belong_to_no_kept_sample_is_refused_naming_it()
    {
        using var folder = new TemporaryFolder();
        var (tables, labels) = Write(folder, meth: "sample,c1\nP1,NaN\nX9,90\n");

        var act = () => IdTableLoader.Load(tables, labels, Keep);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "meth.csv: no kept sample has values in this table (its IDs are not in labels.csv, or their rows are marked missing), " +
            "so modality 'meth' would be missing for every sample.");
    }

    [Fact]
    public void Without_any_labelled_id_with_values_nothing_can_be_kept()
    {
        using var folder = new TemporaryFolder();
        var (tables, labels) = Write(folder, mrna: "sample,g1\nP1,NA\nQ2,1\n", meth: "sample,c1\nP2,\nQ3,2\n");

        var keep = () => IdTableLoader.Load(tables, labels, Keep);
        var intersect = () => IdTableLoader.Load(tables, labels);

        keep.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "No sample ID appears in labels.csv and, with values, in at least one modality table.");
        intersect.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "No sample ID appears in labels.csv and in every modality table.");
    }

    [Fact]
    public void A_repeated_id_is_refused_even_when_one_of_its_rows_is_markers()
    {
        using var folder = new TemporaryFolder();
        var (tables, labels) = Write(folder, mrna: "sample,g1\nP1,NA\nP2,1\nP1,3\n");

        var act = () => IdTableLoader.Load(tables, labels, Keep);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be("mrna.csv, line 4: sample ID 'P1' appears a second time.");
    }

    [Fact]
    public void Null_options_and_bad_options_are_reported_against_the_options_argument()
    {
        using var folder = new TemporaryFolder();
        var (tables, labels) = Write(folder);

        var noOptions = () => IdTableLoader.Load(tables, labels, (IdTableLoadOptions)null!);
        var badDelimiter = () => IdTableLoader.Load(tables, labels, new IdTableLoadOptions { Delimiter = '"' });
        var badNames = () => IdTableLoader.Load(tables, labels, new IdTableLoadOptions { ModalityNames = ["a"] });

        noOptions.Should().Throw<ArgumentNullException>().WithParameterName("options");
        badDelimiter.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("'\"' cannot be a field delimiter.*");
        badNames.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("1 modality names were given for 2 tables.*");
    }
}
