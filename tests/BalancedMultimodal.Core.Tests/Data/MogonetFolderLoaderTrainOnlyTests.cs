using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>A MOGONET folder without a test split (one labelled cohort): no test file at all loads the training rows
/// only; some test files but not all is an error naming those present and those missing.</summary>
public class MogonetFolderLoaderTrainOnlyTests
{
    private static readonly string Mini = TestData.Fixture("mogonet_mini");

    private static readonly string[] TestFiles = ["1_te.csv", "2_te.csv", "labels_te.csv"];

    private static TemporaryFolder TrainOnly()
    {
        var folder = new TemporaryFolder(Mini);
        foreach (var file in TestFiles) folder.Delete(file);
        return folder;
    }

    [Fact]
    public void Without_any_test_file_the_folder_loads_as_its_training_rows_only()
    {
        using var folder = TrainOnly();

        var data = MogonetFolderLoader.Load(folder.Path);

        data.SampleCount.Should().Be(4);
        data.ClassCount.Should().Be(3);
        data.Labels.Should().Equal(0, 1, 2, 1);
        data.TrainIndices.Should().Equal(0, 1, 2, 3);
        data.ValidationIndices.Should().BeEmpty();
        data.TestIndices.Should().BeEmpty();
        data.Modalities[0].ToArray().Should().BeEquivalentTo(new double[,] { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 }, { 10, 11, 12 } });
        data.Modalities[1].ToArray().Should().BeEquivalentTo(new double[,] { { 0.5, 1.5 }, { 2.5, 3.5 }, { 4.5, 5.5 }, { 6.5, 7.5 } });
        data.Modalities[0].FeatureNames.Should().Equal("geneA", "geneB", "geneC");
        data.Modalities.Should().OnlyContain(m => !m.HasMissingRows);
    }

    [Fact]
    public void Without_a_test_split_class_names_are_checked_against_the_training_labels_alone()
    {
        using var folder = TrainOnly();

        MogonetFolderLoader.Load(folder.Path, classNames: ["a", "b", "c"]).ClassNames.Should().Equal("a", "b", "c");
        var act = () => MogonetFolderLoader.Load(folder.Path, classNames: ["a", "b"]);

        act.Should().Throw<ArgumentException>().WithParameterName("classNames")
            .WithMessage("2 class names were given, but labels_tr.csv holds 3 classes (0..2).*");
    }

    [Fact]
    public void Without_a_test_split_a_class_index_without_samples_names_the_training_label_file()
    {
        using var folder = TrainOnly();
        File.WriteAllText(Path.Combine(folder.Path, "labels_tr.csv"), "0\n2\n2\n0\n");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().WithMessage("labels_tr.csv holds no sample of class 1 (labels present: 0, 2); the MOGONET*");
    }

    [Theory]
    [InlineData("labels_te.csv", "1_te.csv, 2_te.csv exist, but labels_te.csv is missing")]
    [InlineData("1_te.csv", "2_te.csv, labels_te.csv exist, but 1_te.csv is missing")]
    [InlineData("1_te.csv,labels_te.csv", "2_te.csv exists, but 1_te.csv, labels_te.csv are missing")]
    [InlineData("1_te.csv,2_te.csv", "labels_te.csv exists, but 1_te.csv, 2_te.csv are missing")]
    public void Some_test_files_without_the_others_are_refused_naming_those_present_and_those_missing(string deleted, string which)
    {
        using var folder = new TemporaryFolder(Mini);
        var missing = deleted.Split(',');
        foreach (var file in missing) folder.Delete(file);

        var act = () => MogonetFolderLoader.Load(folder.Path);

        var error = act.Should().Throw<FileNotFoundException>().Which;
        error.Message.Should().Be($"Folder '{folder.Path}' holds part of a test split: {which}. The test files (labels_te.csv and " +
            "{m}_te.csv for every modality m = 1..2) must either all exist or all be absent: add the missing ones, or remove the others " +
            "to load the training rows only (no test split).");
        error.FileName.Should().Be(Path.Combine(folder.Path, TestFiles.First(missing.Contains)));
    }
}
