using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>Rows of missing-value markers in the MOGONET folder format (mogonet_mini: 4 training rows, 2 test rows;
/// modality 1 has 3 features, modality 2 has 2).</summary>
public class MogonetFolderLoaderMissingRowTests
{
    private static readonly string Mini = TestData.Fixture("mogonet_mini");

    private const string PartlyMissing = "a partly missing row is not supported: a sample either has the whole modality " +
        "(every field a number) or none of it (every field empty, NA or NaN).";

    private static void Write(TemporaryFolder folder, string file, string content) =>
        File.WriteAllText(Path.Combine(folder.Path, file), content);

    [Fact]
    public void A_row_of_markers_in_a_training_or_test_file_makes_that_row_unavailable_and_keeps_the_other_values()
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, "1_tr.csv", "1,2,3\nNA,NA,NA\n7,8,9\n10,11,12\n");
        Write(folder, "2_te.csv", "8.5,9.5\nnan,\n");

        var data = MogonetFolderLoader.Load(folder.Path);

        data.Modalities[0].Availability.Should().Equal(true, false, true, true, true, true);
        data.Modalities[1].Availability.Should().Equal(true, true, true, true, true, false);
        data.Modalities.Select(m => (m.HasMissingRows, m.AvailableCount)).Should().Equal((true, 5), (true, 5));
        data.Modalities[0].GetRow(0).ToArray().Should().Equal(1, 2, 3);
        data.Modalities[0].GetRow(2).ToArray().Should().Equal(7, 8, 9);
        data.Modalities[0].GetRow(3).ToArray().Should().Equal(10, 11, 12);
        data.Modalities[0].GetRow(4).ToArray().Should().Equal(-1.5, 0.25, 0.25);
        data.Modalities[0].GetRow(5).ToArray().Should().Equal(13, 14, 15);
        data.Modalities[0].GetRow(1).ToArray().Should().OnlyContain(v => double.IsNaN(v));
        data.Modalities[1].GetRow(4).ToArray().Should().Equal(8.5, 9.5);
        data.Modalities[1].GetRow(3).ToArray().Should().Equal(6.5, 7.5);
        data.Labels.Should().Equal(0, 1, 2, 1, 2, 0);
        data.TrainIndices.Should().Equal(0, 1, 2, 3);
        data.TestIndices.Should().Equal(4, 5);
    }

    [Theory]
    [InlineData("NA")]
    [InlineData("na,NaN,nan")]
    [InlineData(",,")]
    [InlineData(" \"NA\" , NaN ,\"\"")]
    [InlineData("NA,NA,NA,NA,NA")]
    public void Any_spelling_and_count_of_markers_marks_the_row_missing(string markers)
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, "1_tr.csv", $"1,2,3\n4,5,6\n{markers}\n10,11,12\n");

        var data = MogonetFolderLoader.Load(folder.Path);

        data.Modalities[0].Availability.Should().Equal(true, true, false, true, true, true);
        data.Modalities[0].FeatureCount.Should().Be(3);
    }

    [Fact]
    public void Complete_files_have_every_row_available()
    {
        var data = MogonetFolderLoader.Load(Mini);

        data.Modalities.Should().OnlyContain(m => !m.HasMissingRows && m.AvailableCount == 6);
    }

    [Fact]
    public void A_test_file_of_markers_only_leaves_the_modality_without_test_rows()
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, "2_te.csv", "NA\nNA\n");

        var data = MogonetFolderLoader.Load(folder.Path);

        data.Modalities[1].Availability.Should().Equal(true, true, true, true, false, false);
        data.Modalities[1].FeatureCount.Should().Be(2);
        data.Modalities[1].GetRow(3).ToArray().Should().Equal(6.5, 7.5);
    }

    [Theory]
    [InlineData("1_tr.csv", "1,2,3\nNA,5,6\n7,8,9\n10,11,12\n", "1_tr.csv, line 2: column 1: 'NA' is not a number but a missing-value marker, while other fields of the line hold numbers; ")]
    [InlineData("1_te.csv", "1,2,NaN\n13,14,15\n", "1_te.csv, line 1: column 3: 'NaN' is not a finite number but a missing-value marker, while other fields of the line hold numbers; ")]
    [InlineData("2_tr.csv", "0.5,1.5\n2.5,3.5\n4.5,5.5\n6.5, na \n", "2_tr.csv, line 4: column 2: 'na' is not a number but a missing-value marker, while other fields of the line hold numbers; ")]
    public void A_partly_missing_row_is_refused_naming_the_file_line_and_column(string file, string content, string expectedStart)
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, file, content);

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(expectedStart + PartlyMissing);
    }

    [Fact]
    public void A_training_sample_missing_in_every_modality_is_refused_naming_the_files_and_line()
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, "1_tr.csv", "1,2,3\n4,5,6\nNA,NA,NA\n10,11,12\n");
        Write(folder, "2_tr.csv", "0.5,1.5\n2.5,3.5\nNA\n6.5,7.5\n");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "1_tr.csv, 2_tr.csv, line 3: the sample is marked missing in every modality; each sample needs at least one modality " +
            "(remove line 3 from these files and from labels_tr.csv).");
    }

    [Fact]
    public void A_test_sample_missing_in_every_modality_is_refused_naming_the_files_and_line()
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, "1_te.csv", "-1.5,0.25,0.25\nNA\n");
        Write(folder, "2_te.csv", "8.5,9.5\n,\n");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "1_te.csv, 2_te.csv, line 2: the sample is marked missing in every modality; each sample needs at least one modality " +
            "(remove line 2 from these files and from labels_te.csv).");
    }

    [Fact]
    public void A_modality_without_an_available_training_row_is_refused()
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, "2_tr.csv", "NA\nNA,NA\n,\nNaN\n");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "2_tr.csv marks every line missing, so modality 2 has no available training row; a modality needs at least one " +
            "training sample that has it (give it training data, or leave the modality out).");
    }

    [Fact]
    public void A_ragged_row_after_a_missing_first_row_names_the_line_that_set_the_column_count()
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, "1_tr.csv", "NA\n4,5,6\n7,8\n10,11,12\n");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be("1_tr.csv, line 3: has 2 values but line 2 has 3.");
    }

    [Fact]
    public void A_row_of_markers_still_counts_towards_the_row_count_checked_against_the_labels()
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, "1_te.csv", "-1.5,0.25,0.25\n13,14,15\nNA\n");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be("1_te.csv has 3 rows but labels_te.csv has 2 labels.");
    }

    [Fact]
    public void A_blank_line_is_not_a_row_of_markers()
    {
        using var folder = new TemporaryFolder(Mini);
        Write(folder, "1_tr.csv", "1,2,3\n \n7,8,9\n10,11,12\n");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            "1_tr.csv, line 2: is empty; blank lines are only allowed at the end of the file.");
    }
}
