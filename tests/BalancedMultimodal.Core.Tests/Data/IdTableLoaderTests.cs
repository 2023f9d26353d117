using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

public class IdTableLoaderTests
{
    private static string Table(string name) => TestData.Fixture("idtables", name);

    private static IdTableLoadResult LoadMrnaMeth() => IdTableLoader.Load(new[] { Table("mrna.csv"), Table("meth.csv") }, Table("labels.csv"));

    [Fact]
    public void Samples_are_the_id_intersection_in_label_table_order()
    {
        var data = LoadMrnaMeth().Dataset;

        data.SampleIds.Should().Equal("P5", "P3", "P2", "P4");
        data.Modalities[0].ToArray().Should().BeEquivalentTo(new double[,] { { 9, 10 }, { 5, 6 }, { 3, 4 }, { 7, 8 } });
        data.Modalities[1].GetRow(0).ToArray().Should().Equal(0.5, 0.05, 5);
        data.Modalities[1].GetRow(2).ToArray().Should().Equal(0.2, 0.02, 2);
    }

    [Fact]
    public void Modalities_are_named_after_their_files_with_header_feature_names()
    {
        var data = LoadMrnaMeth().Dataset;

        data.Modalities.Select(m => m.Name).Should().Equal("mrna", "meth");
        data.Modalities[1].FeatureNames.Should().Equal("cg1", "cg2", "cg3");
    }

    [Fact]
    public void Text_labels_become_class_names_in_ordinal_order()
    {
        var data = LoadMrnaMeth().Dataset;

        data.ClassNames.Should().Equal("AD", "NC");
        data.Labels.Should().Equal(1, 0, 1, 0);
    }

    [Fact]
    public void Dropped_ids_are_reported_with_the_tables_that_lack_them()
    {
        var result = LoadMrnaMeth();

        result.DroppedIds.Should().Equal("P7", "P1", "P6");
        result.DroppedSamples[0].MissingFrom.Should().Equal("mrna", "meth");
        result.DroppedSamples[1].MissingFrom.Should().Equal("meth");
        result.DroppedSamples[2].MissingFrom.Should().Equal("labels", "mrna");
    }

    [Fact]
    public void Tab_separated_tables_with_numeric_labels_load()
    {
        var data = IdTableLoader.Load(new[] { Table("mrna.tsv") }, Table("labels.tsv"), delimiter: '\t').Dataset;

        data.Labels.Should().Equal(1, 0, 1);
        data.ClassNames.Should().BeNull();
        data.Modalities[0].ToArray().Should().BeEquivalentTo(new double[,] { { 1.5 }, { 2.5 }, { 3.5 } });
    }

    [Theory]
    [InlineData("mrna_duplicate_id.csv", "mrna_duplicate_id.csv, line 4: sample ID 'P2' appears a second time*")]
    [InlineData("mrna_short_row.csv", "mrna_short_row.csv, line 3: has 2 fields but the header has 3*")]
    [InlineData("mrna_nan.csv", "mrna_nan.csv, line 3: column 3: 'NaN' is not a finite number*")]
    public void A_malformed_table_is_reported_with_its_name_and_line(string file, string expectedMessage)
    {
        var act = () => IdTableLoader.Load(new[] { TestData.Fixture("malformed", file) }, Table("labels.csv"));

        act.Should().Throw<InvalidDataException>().WithMessage(expectedMessage);
    }

    [Fact]
    public void Numeric_labels_starting_at_one_are_reported_with_the_fix_instead_of_leaving_class_0_empty()
    {
        using var folder = new TemporaryFolder();
        var (table, labels) = Write(folder, "P1,1\nP2,2\nP3,1\nP4,2\n");

        var act = () => IdTableLoader.Load(new[] { table }, labels);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("Among the kept samples, labels.csv holds no sample of class 0 (labels present: 1, 2)*start at 1; subtract 1*");
    }

    [Fact]
    public void A_numeric_class_carried_only_by_dropped_samples_inside_the_range_is_reported()
    {
        using var folder = new TemporaryFolder();
        var (table, labels) = Write(folder, "P1,0\nP2,2\nP3,0\nP4,2\nQ9,1\n"); // Q9 has no features: dropped

        var act = () => IdTableLoader.Load(new[] { table }, labels);

        act.Should().Throw<InvalidDataException>().WithMessage("*labels.csv holds no sample of class 1 (labels present: 0, 2)*");
    }

    [Fact]
    public void The_largest_numeric_class_carried_only_by_dropped_samples_is_not_a_class()
    {
        using var folder = new TemporaryFolder();
        var (table, labels) = Write(folder, "P1,0\nP2,1\nP3,0\nP4,1\nQ9,2\n");

        var result = IdTableLoader.Load(new[] { table }, labels);

        result.Dataset.ClassCount.Should().Be(2);
        result.DroppedIds.Should().Equal("Q9");
    }

    [Fact]
    public void A_class_name_carried_only_by_dropped_samples_is_not_a_class()
    {
        using var folder = new TemporaryFolder();
        var (table, labels) = Write(folder, "P1,LumA\nP2,Basal\nP3,LumA\nP4,Basal\nQ9,Her2\n");

        var data = IdTableLoader.Load(new[] { table }, labels).Dataset;

        data.ClassNames.Should().Equal("Basal", "LumA");
        data.Labels.Should().Equal(1, 0, 1, 0);
    }

    [Fact]
    public void A_single_class_among_the_kept_samples_is_reported_naming_the_label_file()
    {
        using var folder = new TemporaryFolder();
        var (table, labels) = Write(folder, "P1,LumA\nP2,LumA\nQ9,Basal\n");

        var act = () => IdTableLoader.Load(new[] { table }, labels);

        act.Should().Throw<InvalidDataException>().WithMessage("Among the kept samples, labels.csv names a single class 'LumA'*");
    }

    [Theory]
    [InlineData(null, "The path of modality table 1 is null*")]
    [InlineData(" ", "The path of modality table 1 is empty*")]
    public void A_missing_table_path_is_rejected_naming_its_index_before_any_file_is_read(string? path, string message)
    {
        var act = () => IdTableLoader.Load(new[] { Table("mrna.csv"), path! }, "no-such-labels.csv");

        act.Should().Throw<ArgumentException>().WithParameterName("modalityFiles").WithMessage(message);
    }

    [Theory]
    [InlineData(null, "Modality name 1 is null*")]
    [InlineData("", "Modality name 1 is empty*")]
    [InlineData("mrna", "Modality name 1 ('mrna') repeats modality name 0*")]
    public void A_bad_modality_name_is_rejected_naming_its_index_before_any_file_is_read(string? name, string message)
    {
        var act = () => IdTableLoader.Load(new[] { Table("mrna.csv"), Table("meth.csv") }, "no-such-labels.csv", modalityNames: new[] { "mrna", name! });

        act.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage(message);
    }

    [Fact]
    public void Tables_whose_file_names_coincide_are_rejected_with_a_hint_to_name_them()
    {
        var act = () => IdTableLoader.Load(new[] { Table("mrna.csv"), Table("mrna.tsv") }, Table("labels.csv"));

        act.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("Modality name 1 ('mrna') repeats*pass modalityNames*");
    }

    /// <summary>Writes a one-feature table for P1..P4 and a label table with the given lines; returns both paths.</summary>
    [Fact]
    public void A_quoted_id_is_read_the_same_way_in_the_label_table_and_the_modality_tables()
    {
        using var folder = new TemporaryFolder();
        var table = Path.Combine(folder.Path, "mrna.csv");
        var labels = Path.Combine(folder.Path, "labels.csv");
        File.WriteAllText(table, "id,f1\n\" A \",1\n\" B \",2\n\" C \",3\n\" D \",4\n");
        File.WriteAllText(labels, "id,label\n\" A \",0\n\" B \",1\n\" C \",0\n\" D \",1\n");

        var result = IdTableLoader.Load(new[] { table }, labels);

        result.Dataset.SampleIds.Should().Equal(" A ", " B ", " C ", " D ");
        result.DroppedSamples.Should().BeEmpty();
    }

    private static (string Table, string Labels) Write(TemporaryFolder folder, string labelLines)
    {
        var table = Path.Combine(folder.Path, "mrna.csv");
        var labels = Path.Combine(folder.Path, "labels.csv");
        File.WriteAllText(table, "sample,g1\nP1,1\nP2,2\nP3,3\nP4,4\n");
        File.WriteAllText(labels, "id,label\n" + labelLines);
        return (table, labels);
    }

    [Fact]
    public void Tables_without_a_common_id_are_rejected()
    {
        using var folder = new TemporaryFolder();
        var other = Path.Combine(folder.Path, "other.csv");
        File.WriteAllText(other, "sample,g1\nQ1,1\nQ2,2\n");

        var act = () => IdTableLoader.Load(new[] { other }, Table("labels.csv"));

        act.Should().Throw<InvalidDataException>().WithMessage("No sample ID appears in labels.csv and in every modality table*");
    }
    [Fact]
    public void Null_or_empty_table_lists_and_a_blank_label_path_are_rejected_naming_the_argument()
    {
        var noList = () => IdTableLoader.Load(null!, Table("labels.csv"));
        var noTable = () => IdTableLoader.Load(Array.Empty<string>(), Table("labels.csv"));
        var noLabels = () => IdTableLoader.Load(new[] { Table("mrna.csv") }, " ");

        noList.Should().Throw<ArgumentNullException>().WithParameterName("modalityFiles");
        noTable.Should().Throw<ArgumentException>().WithParameterName("modalityFiles").WithMessage("At least one modality table is needed.*");
        noLabels.Should().Throw<ArgumentException>().WithParameterName("labelFile");
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\r')]
    [InlineData('\n')]
    public void A_delimiter_that_cannot_separate_fields_is_rejected_before_any_file_is_read(char delimiter)
    {
        var act = () => IdTableLoader.Load(new[] { "no-such-table.csv" }, "no-such-labels.csv", delimiter);

        act.Should().Throw<ArgumentException>().WithParameterName("delimiter").WithMessage($"'{delimiter}' cannot be a field delimiter.*");
    }

    [Fact]
    public void A_name_count_other_than_the_table_count_is_rejected_before_any_file_is_read()
    {
        var act = () => IdTableLoader.Load(new[] { "a.csv", "b.csv" }, "no-such-labels.csv", modalityNames: new[] { "a" });

        act.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("1 modality names were given for 2 tables.*");
    }

    [Fact]
    public void Repeated_given_names_are_reported_without_the_hint_about_default_names()
    {
        var act = () => IdTableLoader.Load(new[] { "a.csv", "b.csv" }, "no-such-labels.csv", modalityNames: new[] { "x", "x" });

        act.Should().Throw<ArgumentException>()
            .WithMessage("Modality name 1 ('x') repeats modality name 0; names must be distinct. (Parameter 'modalityNames')");
    }

    [Fact]
    public void Given_names_replace_the_file_names()
    {
        var data = IdTableLoader.Load(new[] { Table("mrna.csv"), Table("meth.csv") }, Table("labels.csv"), modalityNames: new[] { "rna", "cpg" }).Dataset;

        data.Modalities.Select(m => m.Name).Should().Equal("rna", "cpg");
    }

    [Fact]
    public void A_missing_table_is_reported_with_its_path()
    {
        var missing = Table("no-such-table.csv");

        var act = () => IdTableLoader.Load(new[] { missing }, Table("labels.csv"));

        act.Should().Throw<FileNotFoundException>().Which.FileName.Should().Be(missing);
    }

    // The modality table is the valid one of Write (P1..P4, one feature); only the label table is malformed.
    [Theory]
    [InlineData("", "labels.csv is empty.")]
    [InlineData("id,label\n", "labels.csv has a header but no labels.")]
    [InlineData("id,label,extra\nP1,0\n", "labels.csv, line 1: the header of a label table needs exactly two fields: ID and label.")]
    [InlineData("id,label\nP1,0,9\n", "labels.csv, line 2: has 3 fields but a label table needs 2 (ID, label).")]
    [InlineData("id,label\nP1\n", "labels.csv, line 2: has 1 fields but a label table needs 2 (ID, label).")]
    [InlineData("id,label\nP1,0\nP2,1\n P1 ,1\n", "labels.csv, line 4: sample ID 'P1' appears a second time.")]
    [InlineData("id,label\nP1,0\nP2, \n", "labels.csv, line 3: sample 'P2' has an empty label.")]
    [InlineData("id,label\nP1,\"\"\n", "labels.csv, line 2: sample 'P1' has an empty label.")]
    // A marker read as a class name added a class "NA" and renumbered the numeric labels in ordinal order (2 after 10).
    [InlineData("id,label\nP1,0\nP2,NA\n", "labels.csv, line 3: sample 'P2' has the missing-value marker 'NA' as its label; a label table lists labelled samples only: remove the line (the sample is then dropped, or predict it with a trained model).")]
    [InlineData("id,label\nP1,nan\n", "labels.csv, line 2: sample 'P1' has the missing-value marker 'nan' as its label; a label table lists labelled samples only: remove the line (the sample is then dropped, or predict it with a trained model).")]
    [InlineData("id,label\n ,0\n", "labels.csv, line 2: the sample ID is empty.")]
    [InlineData("id,label\n,0\n", "labels.csv, line 2: the sample ID is empty.")]
    [InlineData("id,label\n\"\",0\n", "labels.csv, line 2: the sample ID is empty.")]
    [InlineData("id,label\nP1,0\nP2,0\nQ9,1\n", "Among the kept samples, labels.csv holds a single class 0; at least two are needed.")]
    public void A_malformed_label_table_is_reported_with_the_exact_problem(string content, string expectedMessage)
    {
        using var folder = new TemporaryFolder();
        var (table, labels) = Write(folder, "");
        File.WriteAllText(labels, content);

        var act = () => IdTableLoader.Load(new[] { table }, labels);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(expectedMessage);
    }

    [Theory]
    [InlineData("", "mrna.csv is empty.")]
    [InlineData("sample\nP1\n", "mrna.csv, line 1: the header needs an ID column and at least one feature column.")]
    [InlineData("sample,g1\n", "mrna.csv has a header but no samples.")]
    [InlineData("sample,g1,g2\nP1,1,2\nP2\n", "mrna.csv, line 3: has 1 field but the header has 3.")]
    [InlineData("sample,g1\nP1,1,2\n", "mrna.csv, line 2: has 3 fields but the header has 2.")]
    [InlineData("sample,g1\n \"\" ,1\n", "mrna.csv, line 2: the sample ID is empty.")]
    [InlineData("sample,g1\n,1\n", "mrna.csv, line 2: the sample ID is empty.")]
    [InlineData("sample,g1,g2\nP1,1,x\n", "mrna.csv, line 2: column 3: 'x' is not a number.")]
    [InlineData("sample,g1\nP1,1\n\nP2,2\n", "mrna.csv, line 3: is empty; blank lines are only allowed at the end of the file.")]
    public void A_malformed_modality_table_is_reported_with_the_exact_problem(string content, string expectedMessage)
    {
        using var folder = new TemporaryFolder();
        var (table, labels) = Write(folder, "P1,0\nP2,1\n");
        File.WriteAllText(table, content);

        var act = () => IdTableLoader.Load(new[] { table }, labels);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(expectedMessage);
    }

    // Labels that are not all whole numbers in [0, int.MaxValue] are class names, numbered in ordinal order.
    [Theory]
    [InlineData("-1", "1", new[] { "-1", "1" }, new[] { 0, 1, 0, 1 })]
    [InlineData("0.5", "1", new[] { "0.5", "1" }, new[] { 0, 1, 0, 1 })]
    [InlineData("3000000000", "0", new[] { "0", "3000000000" }, new[] { 1, 0, 1, 0 })]
    [InlineData("a", "B", new[] { "B", "a" }, new[] { 1, 0, 1, 0 })]
    [InlineData("1", "x", new[] { "1", "x" }, new[] { 0, 1, 0, 1 })]
    public void Labels_that_are_not_all_class_indices_become_class_names(string first, string second, string[] classNames, int[] labels)
    {
        using var folder = new TemporaryFolder();
        var (table, labelFile) = Write(folder, $"P1,{first}\nP2,{second}\nP3,{first}\nP4,{second}\n");

        var data = IdTableLoader.Load(new[] { table }, labelFile).Dataset;

        data.ClassNames.Should().Equal(classNames);
        data.Labels.Should().Equal(labels);
        data.ClassCount.Should().Be(classNames.Length);
    }

    [Fact]
    public void Whole_numbers_written_as_floats_are_class_indices_and_the_class_count_is_the_largest_plus_one()
    {
        using var folder = new TemporaryFolder();
        var (table, labelFile) = Write(folder, "P1,2.0e+00\nP2,0\nP3,1.0\nP4,2\n");

        var data = IdTableLoader.Load(new[] { table }, labelFile).Dataset;

        data.ClassNames.Should().BeNull();
        data.Labels.Should().Equal(2, 0, 1, 2);
        data.ClassCount.Should().Be(3);
    }

    [Fact]
    public void Padded_ids_header_names_and_values_are_trimmed_and_unquoted()
    {
        using var folder = new TemporaryFolder();
        var (table, labelFile) = Write(folder, "P1,0\nP2,1\n");
        File.WriteAllText(table, "sample, \"g 1\" ,g2\n P2 ,\"3\", 4 \n\"P1\",1,2\n");

        var data = IdTableLoader.Load(new[] { table }, labelFile).Dataset;

        data.SampleIds.Should().Equal("P1", "P2");
        data.Modalities[0].FeatureNames.Should().Equal("g 1", "g2");
        data.Modalities[0].ToArray().Should().BeEquivalentTo(new double[,] { { 1, 2 }, { 3, 4 } });
    }

    [Fact]
    public void An_id_missing_only_from_the_labels_is_reported_once_even_when_several_tables_hold_it()
    {
        using var folder = new TemporaryFolder();
        var (table, labelFile) = Write(folder, "P1,0\nP2,1\nP3,0\nP4,1\n");
        var second = Path.Combine(folder.Path, "meth.csv");
        File.WriteAllText(second, "sample,c1\nP4,1\nX1,2\nP3,3\nP2,4\nP1,5\n");
        File.AppendAllText(table, "X1,5\n");

        var result = IdTableLoader.Load(new[] { table, second }, labelFile);

        result.DroppedSamples.Should().ContainSingle();
        result.DroppedSamples[0].Id.Should().Be("X1");
        result.DroppedSamples[0].MissingFrom.Should().Equal("labels");
        result.Dataset.Modalities[1].Values.ToArray().Should().Equal(5, 4, 3, 1);
    }
    [Fact]
    public void An_empty_header_field_is_an_empty_feature_name()
    {
        using var folder = new TemporaryFolder();
        var (table, labelFile) = Write(folder, "P1,0\nP2,1\n");
        File.WriteAllText(table, "sample,,g2\nP1,1,2\nP2,3,4\n");

        var data = IdTableLoader.Load(new[] { table }, labelFile).Dataset;

        data.Modalities[0].FeatureNames.Should().Equal("", "g2");
    }

    [Fact]
    public void The_largest_int_as_a_label_is_a_class_index_whose_gaps_are_reported()
    {
        using var folder = new TemporaryFolder();
        var (table, labelFile) = Write(folder, "P1,0\nP2,2147483647\nP3,0\nP4,2147483647\n");

        var act = () => IdTableLoader.Load(new[] { table }, labelFile);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "Among the kept samples, labels.csv holds no sample of class 1, 2, 3, 4, 5, ... (labels present: 0, 2147483647); " +
            "numeric labels are the class indices 0..C-1 (C = max + 1) and every class needs a sample. Renumber the labels consecutively from 0.");
    }
}
