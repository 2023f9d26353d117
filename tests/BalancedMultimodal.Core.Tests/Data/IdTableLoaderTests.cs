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
    public void Tables_without_a_common_id_are_rejected()
    {
        using var folder = new TemporaryFolder();
        var other = Path.Combine(folder.Path, "other.csv");
        File.WriteAllText(other, "sample,g1\nQ1,1\nQ2,2\n");

        var act = () => IdTableLoader.Load(new[] { other }, Table("labels.csv"));

        act.Should().Throw<InvalidDataException>().WithMessage("No sample ID appears in labels.csv and in every modality table*");
    }
}
