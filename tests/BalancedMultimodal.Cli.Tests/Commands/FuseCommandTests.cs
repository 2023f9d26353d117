using System.Globalization;
using BalancedMultimodal.Cli.Commands;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

public class FuseCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bmm-fuse-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "snf", name);

    private static string Views => string.Join(",", new[] { "view1.csv", "view2.csv", "view3.csv" }.Select(Fixture));

    private static (int ExitCode, string[] Output, string Error) Run(params string[] args) => CliRunner.Run(new FuseCommand(), args);

    private static double[][] Read(string path) => File.ReadAllLines(path).Where(l => l.Length > 0)
        .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_fused_matrix_matches_snfpy_to_1e10_and_the_last_line_reports_the_time(bool dense)
    {
        var outPath = Path.Combine(_folder, "fused.csv");
        var args = new List<string> { "--views", Views, "--K", "20", "--mu", "0.5", "--t", "20", "--out", outPath };
        if (dense) args.Add("--dense");
        var (code, output, error) = Run(args.ToArray());

        code.Should().Be(0, error);
        output[^1].Should().StartWith("fuse_ms=");
        // Printed with one decimal, so a fast machine can print 0.0: only a finite, non-negative time is asserted.
        double fuseMs = double.Parse(output[^1]["fuse_ms=".Length..], CultureInfo.InvariantCulture);
        double.IsFinite(fuseMs).Should().BeTrue();
        fuseMs.Should().BeGreaterThanOrEqualTo(0);
        var actual = Read(outPath);
        var expected = Read(Fixture("fused_K20_mu0.5_t20.csv"));
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < expected.Length; i++)
            for (int j = 0; j < expected[i].Length; j++)
                actual[i][j].Should().BeApproximately(expected[i][j], 1e-10, $"entry ({i}, {j})");
    }

    [Fact]
    public void A_single_view_is_rejected_with_exit_code_2()
    {
        var (code, _, error) = Run("--views", Fixture("view1.csv"), "--out", Path.Combine(_folder, "f.csv"));
        code.Should().Be(2);
        error.Trim().Should().Be("bmm fuse: --views needs at least two files, got 1");
    }

    [Fact]
    public void K_not_below_the_sample_count_is_rejected_with_exit_code_2()
    {
        var (code, _, error) = Run("--views", Views, "--K", "60", "--out", Path.Combine(_folder, "f.csv"));
        code.Should().Be(2);
        error.Trim().Should().Be("bmm fuse: --K 60 must be below the number of samples (60)");
    }

    [Fact]
    public void Ragged_rows_are_rejected_with_exit_code_2()
    {
        var ragged = Path.Combine(_folder, "ragged.csv");
        var lines = File.ReadAllLines(Fixture("view2.csv"));
        lines[4] = lines[4] + ",1.0";
        File.WriteAllLines(ragged, lines);
        var (code, _, error) = Run("--views", Fixture("view1.csv") + "," + ragged, "--out", Path.Combine(_folder, "f.csv"));
        code.Should().Be(2);
        error.Trim().Should().Be($"bmm fuse: {ragged}: row 5 has 13 values but row 1 has 12 (ragged rows)");
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void A_non_finite_cell_is_rejected_naming_the_file_row_and_column(string value)
    {
        var bad = Path.Combine(_folder, "bad.csv");
        var lines = File.ReadAllLines(Fixture("view2.csv"));
        var cells = lines[2].Split(',');
        cells[1] = value;
        lines[2] = string.Join(',', cells);
        File.WriteAllLines(bad, lines);

        var (code, output, error) = Run("--views", Fixture("view1.csv") + "," + bad, "--out", Path.Combine(_folder, "f.csv"));

        code.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().Be($"bmm fuse: {bad}: row 3, column 2 is not finite: '{value}'" + Environment.NewLine,
            "the affinity code's \"Modality 0: Sample 0, feature 0\" named neither the file nor its row");
    }

    [Fact]
    public void An_output_in_a_folder_that_does_not_exist_yet_is_written_there()
    {
        var outPath = Path.Combine(_folder, "new", "deeper", "fused.csv");

        var (code, _, error) = Run("fuse", "--views", Views, "--K", "20", "--out", outPath);

        code.Should().Be(0, error);
        File.Exists(outPath).Should().BeTrue();
    }

    [Fact]
    public void An_output_folder_that_cannot_be_created_is_a_usage_error_before_the_fusion()
    {
        var (code, output, error) = Run("fuse", "--views", Views, "--K", "20", "--out", "/proc/bmm-cannot-exist/fused.csv");

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty("nothing is fused before the error");
        error.Should().StartWith("bmm fuse: option --out: cannot write the folder of '/proc/bmm-cannot-exist/fused.csv'");
    }
}
