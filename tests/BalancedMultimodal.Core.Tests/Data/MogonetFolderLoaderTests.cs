using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

public class MogonetFolderLoaderTests
{
    private static readonly string Mini = TestData.Fixture("mogonet_mini");

    [Fact]
    public void Rosmap_loads_with_three_modalities_of_351_by_200_and_its_train_test_split()
    {
        var data = MogonetFolderLoader.Load(TestData.RosmapFolder);

        data.ModalityCount.Should().Be(3);
        data.Modalities.Select(m => (m.Name, m.SampleCount, m.FeatureCount)).Should().Equal(("1", 351, 200), ("2", 351, 200), ("3", 351, 200));
        data.TrainIndices.Should().Equal(Enumerable.Range(0, 245));
        data.TestIndices.Should().Equal(Enumerable.Range(245, 106));
        data.ValidationIndices.Should().BeEmpty();
        data.CountClasses(data.TrainIndices).Should().Equal(118, 127);
        data.CountClasses(data.TestIndices).Should().Equal(51, 55);
    }

    [Fact]
    public void Rosmap_values_and_feature_names_match_the_files()
    {
        var data = MogonetFolderLoader.Load(TestData.RosmapFolder);

        data.Modalities[0][0, 0].Should().Be(1.813813162555837355e-01);
        data.Modalities[1][1, 4].Should().Be(3.628639442206737509e-01);
        data.Modalities[2][350, 199].Should().Be(3.177651478681665642e-01);
        data.Modalities[0].FeatureNames![0].Should().Be("ENSG00000161896.6");
        data.Modalities[1].FeatureNames![0].Should().Be("cg00095526");
    }

    [Fact]
    public void Train_rows_come_first_then_test_rows_with_float_written_labels_parsed_as_integers()
    {
        var data = MogonetFolderLoader.Load(Mini);

        data.SampleCount.Should().Be(6);
        data.ClassCount.Should().Be(3);
        data.Labels.Should().Equal(0, 1, 2, 1, 2, 0);
        data.TrainIndices.Should().Equal(0, 1, 2, 3);
        data.TestIndices.Should().Equal(4, 5);
        data.Modalities[0].ToArray().Should().BeEquivalentTo(new double[,]
        {
            { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 }, { 10, 11, 12 }, { -1.5, 0.25, 0.25 }, { 13, 14, 15 },
        });
        data.Modalities[0].FeatureNames.Should().Equal("geneA", "geneB", "geneC");
    }

    [Fact]
    public void Crlf_line_endings_and_trailing_blank_lines_are_accepted_and_feature_names_are_optional()
    {
        var data = MogonetFolderLoader.Load(Mini);

        data.Modalities[1].GetRow(3).ToArray().Should().Equal(6.5, 7.5);
        data.Modalities[1].GetRow(5).ToArray().Should().Equal(10.5, 11.5);
        data.Modalities[1].FeatureNames.Should().BeNull();
    }

    [Fact]
    public void Modality_and_class_names_can_be_given()
    {
        var data = MogonetFolderLoader.Load(Mini, new[] { "mRNA", "meth" }, new[] { "a", "b", "c" });

        data.Modalities.Select(m => m.Name).Should().Equal("mRNA", "meth");
        data.ClassNames.Should().Equal("a", "b", "c");
    }

    [Theory]
    [InlineData(null, "Modality name 1 is null*")]
    [InlineData(" ", "Modality name 1 is empty*")]
    [InlineData("mRNA", "Modality name 1 ('mRNA') repeats modality name 0*")]
    public void A_bad_modality_name_is_rejected_naming_its_index(string? name, string message)
    {
        var act = () => MogonetFolderLoader.Load(Mini, new[] { "mRNA", name! });

        act.Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage(message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Class_names_that_do_not_number_the_classes_of_the_labels_are_rejected(int count)
    {
        var names = Enumerable.Range(0, count).Select(c => $"class{c}").ToArray();

        var act = () => MogonetFolderLoader.Load(Mini, classNames: names);

        act.Should().Throw<ArgumentException>().WithParameterName("classNames").WithMessage($"{count} class names were given, but labels_tr.csv and labels_te.csv hold 3 classes (0..2)*");
    }

    [Theory]
    [InlineData("1_tr.csv", "1_tr_not_a_number.csv", "1_tr.csv, line 3: column 2: 'abc' is not a number*")]
    [InlineData("1_tr.csv", "1_tr_ragged_row.csv", "1_tr.csv, line 4: has 2 values but line 1 has 3*")]
    [InlineData("1_tr.csv", "1_tr_blank_line.csv", "1_tr.csv, line 2: is empty*")]
    [InlineData("labels_tr.csv", "labels_tr_fractional.csv", "labels_tr.csv, line 2: label 1.5 is not a whole number*")]
    [InlineData("labels_tr.csv", "labels_tr_too_few.csv", "1_tr.csv has 4 rows but labels_tr.csv has 3 labels*")]
    public void A_malformed_file_is_reported_with_its_name_and_line(string target, string malformed, string expectedMessage)
    {
        using var folder = new TemporaryFolder(Mini);
        folder.Replace(target, TestData.Fixture("malformed", malformed));

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().WithMessage(expectedMessage);
    }

    [Theory]
    [InlineData("1\n2\n3\n2\n", "3\n1\n",
        "labels_tr.csv and labels_te.csv hold no sample of class 0 (labels present: 1, 2, 3)*start at 1; subtract 1*0..2.")]
    [InlineData("0\n3\n3\n0\n", "0\n3\n",
        "*no sample of class 1, 2 (labels present: 0, 3)*Renumber the labels consecutively from 0.")]
    [InlineData("0\n1\n2147483647\n0\n", "0\n1\n",
        "*no sample of class 2, 3, 4, 5, 6, ... (labels present: 0, 1, 2147483647)*")]  // listed lazily: no 2^31-entry array, no overflow
    [InlineData("0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n12\n", "0\n1\n",
        "labels_tr.csv and labels_te.csv hold no sample of class 11 (labels present: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...); " +
        "the MOGONET format numbers the classes 0..C-1 and every class needs a sample. Renumber the labels consecutively from 0.")]
    [InlineData("0\n6\n6\n0\n", "0\n6\n", "*no sample of class 1, 2, 3, 4, 5 (labels present: 0, 6); the MOGONET*")]
    [InlineData("0\n1\n2\n3\n4\n5\n6\n7\n8\n10\n", "0\n1\n", "*no sample of class 9 (labels present: 0, 1, 2, 3, 4, 5, 6, 7, 8, 10); the MOGONET*")]
    public void Labels_that_leave_a_class_index_without_samples_are_reported_with_the_fix(string trainLabels, string testLabels, string expectedMessage)
    {
        using var folder = new TemporaryFolder(Mini);
        File.WriteAllText(Path.Combine(folder.Path, "labels_tr.csv"), trainLabels);
        File.WriteAllText(Path.Combine(folder.Path, "labels_te.csv"), testLabels);

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().WithMessage(expectedMessage);
    }

    [Fact]
    public void A_missing_test_file_is_reported_by_name()
    {
        using var folder = new TemporaryFolder(Mini);
        folder.Delete("2_te.csv");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        var error = act.Should().Throw<FileNotFoundException>().Which;
        error.FileName.Should().Be(Path.Combine(folder.Path, "2_te.csv"));
        error.Message.Should().Be($"Folder '{folder.Path}' holds part of a test split: 1_te.csv, labels_te.csv exist, but 2_te.csv is missing. " +
            "The test files (labels_te.csv and {m}_te.csv for every modality m = 1..2) must either all exist or all be absent: add the missing " +
            "ones, or remove the others to load the training rows only (no test split).");
    }

    [Fact]
    public void A_modality_numbered_after_a_gap_is_reported_instead_of_being_dropped()
    {
        using var folder = new TemporaryFolder(Mini);
        foreach (var suffix in new[] { "tr", "te" })
        {
            File.Move(System.IO.Path.Combine(folder.Path, $"2_{suffix}.csv"), System.IO.Path.Combine(folder.Path, $"3_{suffix}.csv"));
        }

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().WithMessage("*'3_t?.csv'*without gaps*'2_tr.csv' is missing*");
    }

    [Fact]
    public void A_missing_folder_is_reported()
    {
        // A fresh name: a leftover folder from an earlier run cannot make it exist.
        var missing = Path.Combine(Path.GetTempPath(), "no-such-bmm-folder-" + Guid.NewGuid().ToString("N"));
        var act = () => MogonetFolderLoader.Load(missing);

        act.Should().Throw<DirectoryNotFoundException>().WithMessage($"*{missing}*does not exist*");
    }

    [Fact]
    public void A_folder_without_modality_files_is_reported()
    {
        using var folder = new TemporaryFolder();

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<FileNotFoundException>().WithMessage("*no '1_tr.csv'*MOGONET*");
    }
    [Fact]
    public void A_blank_folder_argument_is_rejected()
    {
        var act = () => MogonetFolderLoader.Load(" ");

        act.Should().Throw<ArgumentException>().WithParameterName("folder");
    }

    [Fact]
    public void A_null_class_name_is_rejected_naming_its_index_before_the_folder_is_read()
    {
        var act = () => MogonetFolderLoader.Load("no-such-folder", classNames: new[] { "a", null!, "c" });

        act.Should().Throw<ArgumentException>().WithParameterName("classNames").WithMessage("Class name 1 is null.*");
    }

    [Fact]
    public void Modality_names_that_do_not_number_the_modalities_are_rejected()
    {
        var act = () => MogonetFolderLoader.Load(Mini, new[] { "mRNA" });

        act.Should().Throw<ArgumentException>().WithParameterName("modalityNames")
            .WithMessage("Folder '*mogonet_mini' holds 2 modalities but 1 names were given.*");
    }

    [Fact]
    public void The_class_name_count_error_states_the_class_range_of_the_labels()
    {
        var act = () => MogonetFolderLoader.Load(Mini, classNames: new[] { "a", "b" });

        act.Should().Throw<ArgumentException>().WithParameterName("classNames")
            .WithMessage("2 class names were given, but labels_tr.csv and labels_te.csv hold 3 classes (0..2).*");
    }

    // Each case replaces one file of the mini folder (4 training rows, 2 test rows, modality 1 has 3 columns).
    [Theory]
    [InlineData("labels_tr.csv", "0\n1,1\n2\n1\n", "labels_tr.csv, line 2: expected one label per line.")]
    [InlineData("labels_tr.csv", "0\n-1\n2\n1\n", "labels_tr.csv, line 2: label -1 is not a whole number >= 0.")]
    [InlineData("labels_tr.csv", "0\n1\n2\n3e9\n", "labels_tr.csv, line 4: label 3000000000 is too large (labels are class indices 0..C-1).")]
    [InlineData("labels_te.csv", "", "labels_te.csv holds no labels.")]
    [InlineData("labels_te.csv", "\n \n", "labels_te.csv holds no labels.")]
    [InlineData("1_te.csv", "1,2\n3,4\n", "1_tr.csv has 3 columns but 1_te.csv has 2; both must hold the same features.")]
    [InlineData("1_te.csv", "", "1_te.csv is empty.")]
    [InlineData("1_te.csv", "1,2,3\n4,5,6\n7,8,9\n", "1_te.csv has 3 rows but labels_te.csv has 2 labels.")]
    [InlineData("1_featname.csv", "geneA\ngeneB\n", "1_featname.csv lists 2 feature names but the data have 3 columns.")]
    [InlineData("1_te.csv", "1,2,3\n4,-Infinity,6\n", "1_te.csv, line 2: column 2: '-Infinity' is not a finite number.")]
    [InlineData("1_te.csv", "1,2,3\n4,,6\n", "1_te.csv, line 2: column 2: '' is not a number but a missing-value marker, while other " +
        "fields of the line hold numbers; a partly missing row is not supported: a sample either has the whole modality " +
        "(every field a number) or none of it (every field empty, NA or NaN).")]
    [InlineData("1_te.csv", "\n1,2,3\n4,5,6\n", "1_te.csv, line 1: is empty; blank lines are only allowed at the end of the file.")]
    [InlineData("1_te.csv", "1,2,3\r\n\r\n4,5,6\r\n", "1_te.csv, line 2: is empty; blank lines are only allowed at the end of the file.")]
    public void A_malformed_file_is_reported_with_the_exact_problem(string target, string content, string expectedMessage)
    {
        using var folder = new TemporaryFolder(Mini);
        File.WriteAllText(Path.Combine(folder.Path, target), content);

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(expectedMessage);
    }

    private const string HeaderHint = "MOGONET CSV files have no header row: if line 1 is one, remove it.";

    private const string PartlyMissingTail = ", while other fields of the line hold numbers; a partly missing row is not supported: a sample " +
        "either has the whole modality (every field a number) or none of it (every field empty, NA or NaN).";

    // Each case replaces one file of the mini folder (4 training rows, labels 0, 1, 2, 1; modality 1 has 3 columns) with
    // a common mistake; the message names the likely cause.
    [Theory]
    [InlineData("1_tr.csv", "geneA,geneB,geneC\n1,2,3\n4,5,6\n7,8,9\n10,11,12\n", "1_tr.csv, line 1: column 1: 'geneA' is not a number; " + HeaderHint)]
    [InlineData("1_tr.csv", ",geneA,geneB\n1,2,3\n4,5,6\n7,8,9\n", "1_tr.csv, line 1: column 2: 'geneA' is not a number; " + HeaderHint)]
    [InlineData("labels_tr.csv", "label\n0\n1\n2\n1\n", "labels_tr.csv, line 1: label 'label' is not a number; " + HeaderHint)]
    [InlineData("labels_tr.csv", "NC\nAD\nMCI\nAD\n", "labels_tr.csv, line 1: label 'NC' is not a number; labels must be integer class " +
        "indices 0..C-1 (class names such as 'NC' need the ID-table format: IdTableLoader).")]
    [InlineData("labels_tr.csv", "0\n1\nAD\n1\n", "labels_tr.csv, line 3: label 'AD' is not a number; labels must be integer class " +
        "indices 0..C-1 (class names such as 'AD' need the ID-table format: IdTableLoader).")]
    [InlineData("1_tr.csv", "1;2;3\n4;5;6\n7;8;9\n10;11;12\n", "1_tr.csv, line 1: column 1: '1;2;3' is not a number; the line holds ';' " +
        "but no ','; MOGONET CSV files are comma-separated.")]
    [InlineData("1_te.csv", "1,2,3\n4\t5\t6\n", "1_te.csv, line 2: column 1: '4\t5\t6' is not a number; the line holds a tab but no ','; " +
        "MOGONET CSV files are comma-separated.")]
    [InlineData("1_tr.csv", "1,2,3,\n4,5,6,\n7,8,9,\n10,11,12,\n", "1_tr.csv, line 1: column 4: '' is not a number but a missing-value " +
        "marker (it is the last field of the line: a trailing comma at the end of the line? If so, remove it; if not, the value is missing)" + PartlyMissingTail)]
    [InlineData("1_tr.csv", "1,2,3\n4,5,6,\n7,8,9\n10,11,12\n", "1_tr.csv, line 2: column 4: '' is not a number but a missing-value " +
        "marker (it is one field more than the earlier lines have: a trailing comma at the end of the line? Remove it)" + PartlyMissingTail)]
    [InlineData("1_tr.csv", "1,2,3\n4,5,6,,\n7,8,9\n10,11,12\n", "1_tr.csv, line 2: has 5 fields but the earlier lines have 3, and the ones after " +
        "column 3 are empty: trailing commas at the end of the line? Remove them.")]
    // A value after the empty extra fields: not trailing commas, a partly missing row.
    [InlineData("1_tr.csv", "1,2,3\n4,5,6,,9\n7,8,9\n10,11,12\n", "1_tr.csv, line 2: column 4: '' is not a number but a missing-value marker" + PartlyMissingTail)]
    // An emptied last value of a line with the file's column count is a missing value, not a trailing comma.
    [InlineData("1_tr.csv", "1,2,3\n4,5,\n7,8,9\n10,11,12\n", "1_tr.csv, line 2: column 3: '' is not a number but a missing-value marker" + PartlyMissingTail)]
    [InlineData("1_tr.csv", "1,2,\"\"\n4,5,6\n7,8,9\n10,11,12\n", "1_tr.csv, line 1: column 3: '' is not a number but a missing-value marker" + PartlyMissingTail)]
    [InlineData("1_tr.csv", "1,,3\n4,5,6\n7,8,9\n10,11,12\n", "1_tr.csv, line 1: column 2: '' is not a number but a missing-value marker" + PartlyMissingTail)]
    [InlineData("1_featname.csv", "name\ngeneA\ngeneB\ngeneC\n", "1_featname.csv lists 4 feature names but the data have 3 columns; one more " +
        "name than columns: does the file have a header line ('name')? Remove it, the file lists one name per line.")]
    [InlineData("1_tr.csv", "1,2,3\nx,5,6\n7,8,9\n10,11,12\n", "1_tr.csv, line 2: column 1: 'x' is not a number.")]
    [InlineData("1_tr.csv", "1,2,3\n4,5;6,7\n7,8,9\n10,11,12\n", "1_tr.csv, line 2: column 2: '5;6' is not a number.")]
    [InlineData("1_tr.csv", "1,2,3\nabcdefghijabcdefghijabcdefghijabcdefghij,5,6\n7,8,9\n10,11,12\n",
        "1_tr.csv, line 2: column 1: 'abcdefghijabcdefghijabcdefghijabcdefghij' is not a number.")]
    [InlineData("labels_tr.csv", "0;\n1;\n2;\n1;\n", "labels_tr.csv, line 1: column 1: '0;' is not a number; the line holds ';' but no ','; " +
        "MOGONET CSV files are comma-separated.")]
    public void A_common_mistake_is_reported_with_its_likely_cause(string target, string content, string expectedMessage)
    {
        using var folder = new TemporaryFolder(Mini);
        File.WriteAllText(Path.Combine(folder.Path, target), content);

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(expectedMessage);
    }

    [Fact]
    public void A_line_read_as_one_field_is_echoed_cut_to_40_characters()
    {
        using var folder = new TemporaryFolder(Mini);
        var line = string.Join(';', Enumerable.Range(0, 500).Select(j => "0.123456789"));
        File.WriteAllText(Path.Combine(folder.Path, "1_tr.csv"), string.Join('\n', Enumerable.Repeat(line, 4)));

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            $"1_tr.csv, line 1: column 1: '{line[..40]}…' is not a number; the line holds ';' but no ','; MOGONET CSV files are comma-separated.");
    }

    [Fact]
    public void Padded_and_quoted_numbers_and_a_last_line_of_spaces_without_a_line_break_are_read()
    {
        using var folder = new TemporaryFolder(Mini);
        File.WriteAllText(Path.Combine(folder.Path, "1_te.csv"), " \"-1.5\" , 2E-1,+3\n13,14,15\n   ");
        File.WriteAllText(Path.Combine(folder.Path, "1_featname.csv"), " geneA \r\ngeneB\r\n\tgeneC");

        var data = MogonetFolderLoader.Load(folder.Path);

        data.Modalities[0].GetRow(4).ToArray().Should().Equal(-1.5, 0.2, 3);
        data.Modalities[0].GetRow(5).ToArray().Should().Equal(13, 14, 15);
        data.Modalities[0].FeatureNames.Should().Equal("geneA", "geneB", "geneC");
    }

    [Fact]
    public void A_missing_label_file_is_reported_with_its_path()
    {
        using var folder = new TemporaryFolder(Mini);
        folder.Delete("labels_te.csv");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        var error = act.Should().Throw<FileNotFoundException>().Which;
        error.FileName.Should().Be(Path.Combine(folder.Path, "labels_te.csv"));
        error.Message.Should().Be($"Folder '{folder.Path}' holds part of a test split: 1_te.csv, 2_te.csv exist, but labels_te.csv is missing. " +
            "The test files (labels_te.csv and {m}_te.csv for every modality m = 1..2) must either all exist or all be absent: add the missing " +
            "ones, or remove the others to load the training rows only (no test split).");
    }

    [Fact]
    public void A_missing_training_label_file_is_reported_with_its_path()
    {
        using var folder = new TemporaryFolder(Mini);
        folder.Delete("labels_tr.csv");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        var error = act.Should().Throw<FileNotFoundException>().Which;
        error.FileName.Should().Be(Path.Combine(folder.Path, "labels_tr.csv"));
        error.Message.Should().Be($"File '{Path.Combine(folder.Path, "labels_tr.csv")}' does not exist.");
    }

    [Fact]
    public void A_feature_name_file_numbered_after_the_last_modality_is_reported_by_name()
    {
        using var folder = new TemporaryFolder(Mini);
        File.WriteAllText(Path.Combine(folder.Path, "3_featname.csv"), "x\n");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().Which.Message.Should().Be(
            $"Folder '{folder.Path}' holds '3_featname.csv', but modality files must be numbered 1, 2, ... without gaps and " +
            "'3_tr.csv' is missing; rename the files or add modality 3.");
    }

    [Fact]
    public void The_first_file_after_a_gap_in_ordinal_order_is_the_one_reported()
    {
        using var folder = new TemporaryFolder(Mini);
        foreach (var name in new[] { "5_tr.csv", "4_te.csv", "4_tr.csv" }) File.WriteAllText(Path.Combine(folder.Path, name), "1\n");

        var act = () => MogonetFolderLoader.Load(folder.Path);

        act.Should().Throw<InvalidDataException>().WithMessage("*holds '4_te.csv'*");
    }

    [Theory]
    [InlineData("x3_tr.csv")]
    [InlineData("3_tr_old.csv")]
    [InlineData("3_train.csv")]
    [InlineData("labels_3.csv")]
    public void Csv_files_that_are_not_named_like_modality_files_are_ignored(string name)
    {
        using var folder = new TemporaryFolder(Mini);
        File.WriteAllText(Path.Combine(folder.Path, name), "1\n");

        var data = MogonetFolderLoader.Load(folder.Path);

        data.ModalityCount.Should().Be(2);
    }
    [Fact]
    public void A_folder_without_modality_files_names_the_first_missing_file()
    {
        using var folder = new TemporaryFolder();

        var act = () => MogonetFolderLoader.Load(folder.Path);

        var error = act.Should().Throw<FileNotFoundException>().Which;
        error.FileName.Should().Be(Path.Combine(folder.Path, "1_tr.csv"));
        error.Message.Should().Be($"Folder '{folder.Path}' holds no '1_tr.csv'; it is not in the MOGONET format.");
    }

    // The class count is the largest label of both files, whichever file holds it.
    [Theory]
    [InlineData("0\n1\n0\n1\n", "2\n0\n")]
    [InlineData("0\n1\n2\n1\n", "0\n1\n")]
    public void Class_names_number_the_largest_label_of_either_file_plus_one(string trainLabels, string testLabels)
    {
        using var folder = new TemporaryFolder(Mini);
        File.WriteAllText(Path.Combine(folder.Path, "labels_tr.csv"), trainLabels);
        File.WriteAllText(Path.Combine(folder.Path, "labels_te.csv"), testLabels);

        var data = MogonetFolderLoader.Load(folder.Path, classNames: new[] { "a", "b", "c" });

        data.ClassCount.Should().Be(3);
        data.ClassNames.Should().Equal("a", "b", "c");
    }
}
