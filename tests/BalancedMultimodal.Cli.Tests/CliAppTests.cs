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

    [Fact]
    public void Dash_h_is_never_taken_as_an_options_value()
    {
        var parsed = new CliArguments(["--plots", "-h", "--out", "dir"]);

        parsed.WantsHelp.Should().BeTrue();
        parsed.GetBool("plots", false).Should().BeTrue();
        parsed.GetString("out").Should().Be("dir");
    }
}
