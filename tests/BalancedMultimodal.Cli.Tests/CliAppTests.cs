using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Cli.Tests;

/// <summary>How <see cref="CliApp.Run"/> turns a command's exceptions into one line on stderr and exit code 2.</summary>
public sealed class CliAppTests
{
    /// <summary>A command that throws the given exception.</summary>
    private sealed class Throwing(Exception exception) : ICliCommand
    {
        public string Name => "boom";

        public string Summary => "throws";

        public string Usage => "usage: bmm boom";

        public int Run(CliArguments args, TextWriter output) => throw exception;
    }

    private static (int ExitCode, string Output, string Error) Run(Exception exception)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(["boom"], [new Throwing(exception)], "boom", output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void An_options_validation_exception_is_a_usage_error_not_a_crash()
    {
        var (code, output, error) = Run(new OptionsValidationException("K", typeof(object), ["KsgEstimatorOptions.K must be at least 1, got 0."]));

        code.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().Be("bmm boom: KsgEstimatorOptions.K must be at least 1, got 0." + Environment.NewLine);
    }

    [Fact]
    public void Only_the_first_line_of_a_message_is_printed_without_the_parameter_name()
    {
        var (code, _, error) = Run(new ArgumentOutOfRangeException("similarity", 500, "k = 500 neighbours per node needs more than 500 nodes, got 110."));

        code.Should().Be(CliApp.UsageError);
        error.Should().Be("bmm boom: k = 500 neighbours per node needs more than 500 nodes, got 110." + Environment.NewLine,
            "\"(Parameter 'similarity')\" and the second line \"Actual value was 500.\" are internal details");
    }

    [Theory]
    [InlineData("boom", "-h")]
    [InlineData("boom", "--flag", "-h")]
    [InlineData("boom", "word", "-h")]
    public void Dash_h_after_a_command_prints_that_commands_help(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int code = CliApp.Run(args, [new Throwing(new InvalidOperationException("must not run"))], "boom", output, error);

        code.Should().Be(0);
        error.ToString().Should().BeEmpty();
        output.ToString().Should().Be("usage: bmm boom" + Environment.NewLine);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    public void Version_prints_the_informational_version_of_the_tool_and_of_each_library(string argument)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int code = CliApp.Run([argument], [new Throwing(new InvalidOperationException("must not run"))], "boom", output, error);

        code.Should().Be(0);
        error.ToString().Should().BeEmpty();
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Select(l => l.Split(' ')[0]).Should().Equal("bmm", "BalancedMultimodal.Core", "BalancedMultimodal.Graph", "BalancedMultimodal.Distillation");
        var expected = typeof(BalancedMultimodal.Core.Data.MultimodalDataset).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        lines[1].Should().Be($"BalancedMultimodal.Core {expected}");
        lines.Should().OnlyContain(l => l.Split(' ').Length == 2 && l.Split(' ')[1].Length > 0);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    public void Version_with_an_argument_is_a_usage_error_naming_it(string argument)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int code = CliApp.Run([argument, "extra"], [new Throwing(new InvalidOperationException("must not run"))], "boom", output, error);

        code.Should().Be(CliApp.UsageError);
        output.ToString().Should().BeEmpty();
        error.ToString().Should().Be($"bmm {argument}: unexpected argument 'extra' ({argument} takes none)" + Environment.NewLine);
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("ab", "xab", 1)]
    [InlineData("traim", "train", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("trian", "train", 1)]
    [InlineData("im", "mi", 1)]
    [InlineData("MI", "mi", 0)]
    [InlineData("Trian", "train", 1)]
    [InlineData("ca", "abc", 3)]
    public void Edit_distance_counts_each_insertion_deletion_substitution_and_swap_of_neighbours_as_one_edit_ignoring_case(string a, string b, int distance)
    {
        EditDistance.Between(a, b).Should().Be(distance);
        EditDistance.Between(b, a).Should().Be(distance);
    }

    [Fact]
    public void The_suggestion_is_the_closest_candidate_not_the_first_within_reach()
    {
        // "abxy" is 2 edits from "abc" but listed first; "abd" is 1 edit away.
        EditDistance.Closest("abc", ["abxy", "abd"], 2).Should().Be("abd");
        EditDistance.Closest("abc", ["abxy", "abd", "abc"], 2).Should().Be("abc");
        EditDistance.Closest("abc", ["xyz"], 2).Should().BeNull();
    }

    private sealed class Named(string name) : ICliCommand
    {
        public string Name => name;

        public string Summary => name;

        public string Usage => name;

        public int Run(CliArguments args, TextWriter output) => 0;
    }

    [Theory]
    [InlineData("trian", "bmm: unknown command 'trian' (did you mean 'train'? bmm --help lists the commands)")]
    [InlineData("predcit", "bmm: unknown command 'predcit' (did you mean 'predict'? bmm --help lists the commands)")]
    [InlineData("inf", "bmm: unknown command 'inf' (did you mean 'info'? bmm --help lists the commands)")]
    [InlineData("versoin", "bmm: unknown command 'versoin' (did you mean 'version'? bmm --help lists the commands)")]
    [InlineData("plot", "bmm: unknown command 'plot' (bmm --help lists the commands)")]
    [InlineData("benchmark", "bmm: unknown command 'benchmark' (bmm --help lists the commands)")]
    // A two-letter command is suggested within one edit only (every one- or two-character word was "close" to 'mi'),
    // and an option-like token is no mistyped command (only the version flags get a suggestion).
    [InlineData("mii", "bmm: unknown command 'mii' (did you mean 'mi'? bmm --help lists the commands)")]
    [InlineData("im", "bmm: unknown command 'im' (did you mean 'mi'? bmm --help lists the commands)")]
    [InlineData("MI", "bmm: unknown command 'MI' (did you mean 'mi'? bmm --help lists the commands)")]
    [InlineData("ls", "bmm: unknown command 'ls' (bmm --help lists the commands)")]
    [InlineData("x", "bmm: unknown command 'x' (bmm --help lists the commands)")]
    [InlineData("-x", "bmm: unknown command '-x' (bmm --help lists the commands)")]
    [InlineData("-v", "bmm: unknown command '-v' (did you mean '--version'? bmm --help lists the commands)")]
    public void An_unknown_command_suggests_the_closest_command_within_two_edits(string typed, string message)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        ICliCommand[] commands = [new Named("info"), new Named("bench"), new Named("train"), new Named("predict"), new Named("mi")];

        int code = CliApp.Run([typed], commands, "train", output, error);

        code.Should().Be(CliApp.UsageError);
        output.ToString().Should().BeEmpty();
        error.ToString().Should().Be(message + Environment.NewLine);
    }

    [Theory]
    [InlineData("99999999999", "option --seed is out of range: 99999999999 is not in 0..2147483647")]
    [InlineData("-2147483649", "option --seed is out of range: -2147483649 is not in 0..2147483647")]
    [InlineData("1e3", "option --seed expects an integer, got '1e3'")]
    public void An_integer_option_outside_the_32_bit_range_is_reported_as_out_of_range_not_as_no_integer(string value, string message)
    {
        var parsed = new CliArguments(["--seed", value]);

        var act = () => parsed.GetInt("seed", 0, minimum: 0);

        act.Should().Throw<CliUsageException>().WithMessage(message);
    }

    [Fact]
    public void Dash_h_is_never_taken_as_an_options_value()
    {
        var parsed = new CliArguments(["--plots", "-h", "--out", "dir"]);

        parsed.WantsHelp.Should().BeTrue();
        parsed.GetBool("plots", false).Should().BeTrue();
        parsed.GetString("out").Should().Be("dir");
    }
}
