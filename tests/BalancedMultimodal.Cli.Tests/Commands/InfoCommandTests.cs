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

        lines.Should().Contain(l => l.StartsWith("1 ") && l.Contains(" 351 ") && l.Contains(" 200 "));
        lines.Should().Contain(l => l.StartsWith("3 ") && l.Contains(" 351 ") && l.Contains(" 200 "));
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
    public void Info_prints_value_ranges_of_each_modality()
    {
        var header = Lines(Run("info").Output).Single(l => l.StartsWith("modality"));

        header.Should().Contain("min").And.Contain("max").And.Contain("mean");
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
