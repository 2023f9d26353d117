using BalancedMultimodal.Cli.Commands;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

public class InfoCommandTests
{
    private static readonly ICliCommand[] Commands = { new InfoCommand() };

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, Commands, "info", output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void Without_arguments_info_describes_the_bundled_rosmap_data()
    {
        var (code, output, error) = Run();

        code.Should().Be(0);
        error.Should().BeEmpty();
        output.Should().Contain("samples: 351   classes: 2   modalities: 3");
    }

    [Fact]
    public void Info_prints_each_modality_with_its_shape()
    {
        var lines = Lines(Run("info").Output);

        foreach (var modality in new[] { "1 ", "2 ", "3 " })
            lines.Should().Contain(l => l.StartsWith(modality) && l.Contains(" 351 ") && l.Contains(" 200 "));
    }

    [Fact]
    public void Info_prints_class_counts_per_split()
    {
        var lines = Lines(Run("info").Output).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();

        lines.Should().Contain("0 118 0 51 169");
        lines.Should().Contain("1 127 0 55 182");
        lines.Should().Contain("all 245 0 106 351");
    }

    [Fact]
    public void Info_prints_each_modality_s_minimum_maximum_mean_and_missing_count_over_all_rows()
    {
        // Two training rows and one test row; hand values: modality 1 min -6, max 5, mean (1 + 2 + 3 + 4 + 5 - 6) / 6 =
        // 1.5; modality 2 min 0.25, max 1, mean 1.75 / 3 = 0.58333 (G5).
        var folder = Path.Combine(Path.GetTempPath(), "bmm-info-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllLines(Path.Combine(folder, "1_tr.csv"), ["1,2", "3,4"]);
            File.WriteAllLines(Path.Combine(folder, "1_te.csv"), ["5,-6"]);
            File.WriteAllLines(Path.Combine(folder, "2_tr.csv"), ["0.5", "0.25"]);
            File.WriteAllLines(Path.Combine(folder, "2_te.csv"), ["1"]);
            File.WriteAllLines(Path.Combine(folder, "labels_tr.csv"), ["0", "1"]);
            File.WriteAllLines(Path.Combine(folder, "labels_te.csv"), ["1"]);

            var (code, output, _) = Run("info", "--data", folder);

            code.Should().Be(0);
            var rows = Lines(output).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
            rows.Should().Contain("modality samples features min max mean missing");
            rows.Should().Contain("1 3 2 -6 5 1.5 0");
            rows.Should().Contain("2 3 1 0.25 1 0.58333 0");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_option_gives_a_one_line_error_and_exit_code_2()
    {
        var (code, output, error) = Run("info", "--bogus", "1");

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        Lines(error).Should().Equal("bmm info: unknown option --bogus");
    }

    [Fact]
    public void A_missing_data_folder_gives_a_one_line_error_and_exit_code_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-bmm-data-" + Guid.NewGuid().ToString("N"));

        var (code, _, error) = Run("info", "--data", missing);

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().Equal($"bmm info: data folder '{missing}' does not exist");
    }

    [Fact]
    public void A_malformed_file_gives_a_one_line_error_naming_the_file_and_line()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "mogonet_bad");

        var (code, _, error) = Run("info", "--data", folder);

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().ContainSingle().Which.Should().StartWith("bmm info: 1_tr.csv, line 3: column 2: 'abc' is not a number");
    }

    [Fact]
    public void A_header_row_in_a_data_file_is_reported_with_the_hint_to_remove_it()
    {
        using var data = new SyntheticMogonetFolder();
        var file = Path.Combine(data.Path, "1_tr.csv");
        File.WriteAllText(file, "ENSG00000161896.6," + string.Join(',', Enumerable.Range(2, 9).Select(j => $"gene{j}")) + "\n" + File.ReadAllText(file));

        var (code, _, error) = Run("info", "--data", data.Path);

        code.Should().Be(CliApp.UsageError);
        Lines(error).Should().Equal("bmm info: 1_tr.csv, line 1: column 1: 'ENSG00000161896.6' is not a number; MOGONET CSV files have no " +
            "header row: if line 1 is one, remove it.");
    }

    [Fact]
    public void Help_for_info_shows_its_options()
    {
        var (code, output, _) = Run("info", "--help");

        code.Should().Be(0);
        output.Should().Contain("--data DIR");
    }

    [Fact]
    public void Help_lists_the_info_command()
    {
        var (code, output, _) = Run("--help");

        code.Should().Be(0);
        output.Should().Contain("info").And.Contain("describe a dataset");
    }
}
