using System.Text;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>Real-world text variants the loaders meet: files that are not UTF-8 (Excel's Windows-1252), classic Mac
/// line endings (a lone CR), and quoted feature names (R's write.csv).</summary>
public class TextFileVariantTests
{
    private static readonly System.Text.Encoding Latin1 = System.Text.Encoding.Latin1;

    [Fact]
    public void An_id_table_that_is_not_utf8_is_refused_naming_the_line_instead_of_merging_accented_ids()
    {
        // Möller_1 and Müller_1, saved as Latin-1: decoded with replacement both became "M\uFFFDller_1", and Möller's row
        // silently took Müller's label.
        using var folder = new TemporaryFolder();
        var table = Path.Combine(folder.Path, "m.csv");
        var labels = Path.Combine(folder.Path, "labels.csv");
        File.WriteAllText(table, "ID,f1\nMöller_1,2\nP2,3\nP3,5\n", Latin1);
        File.WriteAllText(labels, "ID,label\nMüller_1,0\nP2,1\nP3,0\n", Latin1);

        var act = () => IdTableLoader.Load([table], labels);

        act.Should().Throw<InvalidDataException>().WithMessage("*.csv, line 2: byte 0x* is not valid UTF-8; save the file as UTF-8*");
    }

    [Fact]
    public void The_same_table_in_utf8_with_or_without_a_byte_order_mark_loads_its_accented_ids()
    {
        using var folder = new TemporaryFolder();
        var table = Path.Combine(folder.Path, "m.csv");
        var labels = Path.Combine(folder.Path, "labels.csv");
        File.WriteAllText(table, "ID,f1\nMöller_1,2\nP2,3\nP3,5\n", new UTF8Encoding(true));
        File.WriteAllText(labels, "ID,label\nMöller_1,0\nP2,1\nP3,0\n", new UTF8Encoding(false));

        var data = IdTableLoader.Load([table], labels).Dataset;

        data.SampleIds.Should().Contain("Möller_1");
    }

    private static void WriteFolder(string path, string lineEnd, string featureNames)
    {
        File.WriteAllText(Path.Combine(path, "1_tr.csv"), string.Join(lineEnd, "1,2", "3,4", "5,6", "7,8") + lineEnd);
        File.WriteAllText(Path.Combine(path, "1_te.csv"), string.Join(lineEnd, "9,10", "11,12") + lineEnd);
        File.WriteAllText(Path.Combine(path, "2_tr.csv"), string.Join(lineEnd, "0.5", "1.5", "2.5", "3.5") + lineEnd);
        File.WriteAllText(Path.Combine(path, "2_te.csv"), string.Join(lineEnd, "4.5", "5.5") + lineEnd);
        File.WriteAllText(Path.Combine(path, "labels_tr.csv"), string.Join(lineEnd, "0", "1", "0", "1") + lineEnd);
        File.WriteAllText(Path.Combine(path, "labels_te.csv"), string.Join(lineEnd, "0", "1") + lineEnd);
        File.WriteAllText(Path.Combine(path, "1_featname.csv"), featureNames.Replace("\n", lineEnd));
    }

    [Theory]
    [InlineData("\r")]     // classic Mac: read as one line before, "'2<CR>3' is not a number"
    [InlineData("\r\n")]
    public void Lone_cr_and_crlf_line_endings_load_as_lf_does(string lineEnd)
    {
        using var lf = new TemporaryFolder();
        using var other = new TemporaryFolder();
        WriteFolder(lf.Path, "\n", "TP53\nBRCA1\n");
        WriteFolder(other.Path, lineEnd, "TP53\nBRCA1\n");

        var expected = MogonetFolderLoader.Load(lf.Path);
        var data = MogonetFolderLoader.Load(other.Path);

        data.Labels.Should().Equal(expected.Labels);
        for (int m = 0; m < 2; m++)
            data.Modalities[m].Values.ToArray().Should().Equal(expected.Modalities[m].Values.ToArray());
        data.Modalities[0].FeatureNames.Should().Equal("TP53", "BRCA1");
    }

    [Fact]
    public void Quoted_feature_names_lose_their_enclosing_quotes()
    {
        using var folder = new TemporaryFolder();
        WriteFolder(folder.Path, "\n", "\"TP53\"\n BRCA1 \n");

        MogonetFolderLoader.Load(folder.Path).Modalities[0].FeatureNames.Should().Equal("TP53", "BRCA1");
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void An_invalid_byte_is_reported_on_its_line_whatever_the_line_endings(string lineEnd)
    {
        using var folder = new TemporaryFolder();
        var table = Path.Combine(folder.Path, "m.csv");
        var labels = Path.Combine(folder.Path, "labels.csv");
        var bytes = System.Text.Encoding.UTF8.GetBytes($"ID,f1{lineEnd}P1,2{lineEnd}").Concat(new byte[] { 0xE9 })
            .Concat(System.Text.Encoding.UTF8.GetBytes($",3{lineEnd}")).ToArray();
        File.WriteAllBytes(table, bytes);
        File.WriteAllText(labels, "ID,label\nP1,0\nP2,1\n");

        var act = () => IdTableLoader.Load([table], labels);

        act.Should().Throw<InvalidDataException>().WithMessage("m.csv, line 3: byte 0xE9 is not valid UTF-8*");
    }
}

