using System.Globalization;
using BalancedMultimodal.Cli.Commands;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Commands;

public class MiCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bmm-mi-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int ExitCode, string[] Output, string Error) Run(params string[] args) => CliRunner.Run(new MiCommand(), args);

    /// <summary>Splits a two-column fixture (x, y) into two headerless one-column files.</summary>
    private (string X, string Y) Columns(string fixture)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mi", fixture)).Where(l => l.Length > 0).ToArray();
        var x = Path.Combine(_folder, "x.csv");
        var y = Path.Combine(_folder, "y.csv");
        File.WriteAllLines(x, lines.Select(l => l.Split(',')[0]));
        File.WriteAllLines(y, lines.Select(l => l.Split(',')[1]));
        return (x, y);
    }

    private static double Value(string line, string key)
    {
        line.Should().StartWith(key + "=");
        return double.Parse(line[(key.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Ksg_prints_scikit_learns_estimate_as_the_last_line()
    {
        var (x, y) = Columns("cc_rho0.5.csv");
        var (code, output, error) = Run("--x", x, "--y", y, "--k", "3");

        code.Should().Be(0, error);
        Value(output[^1], "mi_nats").Should().BeApproximately(0.14491691773446425, 1e-10);
    }

    [Fact]
    public void The_mixed_estimator_matches_scikit_learns_continuous_discrete_estimate()
    {
        var (x, y) = Columns("cd.csv");
        File.WriteAllLines(y, File.ReadAllLines(y).Select(v => ((int)double.Parse(v, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture)));
        var (code, output, error) = Run("--x", x, "--y", y, "--estimator", "mixed", "--k", "5");

        code.Should().Be(0, error);
        Value(output[^1], "mi_nats").Should().BeApproximately(0.10482353376583164, 1e-10);
    }

    [Fact]
    public void With_permutations_the_p_value_is_printed_just_before_the_estimate()
    {
        var (x, y) = Columns("cc_rho0.5.csv");
        var (code, output, _) = Run("--x", x, "--y", y, "--estimator", "gaussian", "--permutations", "99", "--seed", "1");

        code.Should().Be(0);
        Value(output[^2], "p_value").Should().Be(0.01, "rho = 0.5 over 300 rows is far beyond every shuffled pairing");
        // The estimate printed with the p-value is the plain Gaussian estimate of the same columns, to the last digit.
        static double[,] Column(string path)
        {
            var values = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => double.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var matrix = new double[values.Length, 1];
            for (int i = 0; i < values.Length; i++) matrix[i, 0] = values[i];
            return matrix;
        }
        Value(output[^1], "mi_nats").Should().Be(new BalancedMultimodal.Core.Information.GaussianMutualInformationEstimator().Estimate(Column(x), Column(y)));
    }

    [Fact]
    public void Mismatched_row_counts_give_a_one_line_error_and_exit_code_2()
    {
        var (x, y) = Columns("cc_rho0.5.csv");
        File.WriteAllLines(y, File.ReadAllLines(y).Take(100));
        var (code, _, error) = Run("--x", x, "--y", y);

        code.Should().Be(2);
        error.Trim().Should().Be("bmm mi: ksg: x has 300 rows but y has 100; rows are paired samples and must match.");
    }

    [Fact]
    public void A_non_numeric_cell_gives_a_one_line_error_and_exit_code_2()
    {
        var (x, y) = Columns("cc_rho0.5.csv");
        var lines = File.ReadAllLines(x);
        lines[7] = "abc";
        File.WriteAllLines(x, lines);
        var (code, _, error) = Run("--x", x, "--y", y);

        code.Should().Be(2);
        error.Trim().Should().Be($"bmm mi: --x: '{x}' line 8, column 1: 'abc' is not a number");
    }

    [Fact]
    public void A_negative_seed_is_rejected_instead_of_repeating_the_positive_one()
    {
        var (x, y) = Columns("cc_rho0.5.csv");

        var (code, output, error) = Run("--x", x, "--y", y, "--estimator", "gaussian", "--permutations", "3", "--seed", "-5");

        code.Should().Be(2);
        output.Should().BeEmpty();
        error.Trim().Should().Be("bmm mi: option --seed must be non-negative, got -5");
    }

    [Theory]
    [InlineData("--permutations", "0")]
    [InlineData("--permutations", "0", "--seed", "4")]
    [InlineData("--permutations", "-1")]
    public void A_permutation_count_below_1_is_rejected_with_or_without_a_seed(params string[] options)
    {
        var (x, y) = Columns("cc_rho0.5.csv");

        var (code, output, error) = Run(["--x", x, "--y", y, .. options]);

        code.Should().Be(2);
        output.Should().BeEmpty();
        error.Trim().Should().Be($"bmm mi: option --permutations must be at least 1, got {options[1]} (leave it out to run no permutation test)");
    }

    [Theory]
    [InlineData("KSG")]
    [InlineData("Ksg")]
    public void Estimator_names_are_case_insensitive(string name)
    {
        var (x, y) = Columns("cc_rho0.5.csv");
        var (code, output, error) = Run("--x", x, "--y", y, "--estimator", name, "--k", "3");

        code.Should().Be(0, error);
        Value(output[^1], "mi_nats").Should().BeApproximately(0.14491691773446425, 1e-10);
    }

    [Fact]
    public void An_unknown_estimator_is_rejected()
    {
        var (x, y) = Columns("cc_rho0.5.csv");
        var (code, _, error) = Run("--x", x, "--y", y, "--estimator", "magic");

        code.Should().Be(2);
        error.Should().Contain("magic");
    }

    [Fact]
    public void An_unknown_estimator_is_echoed_as_typed_not_lower_cased()
    {
        var (x, y) = Columns("cc_rho0.5.csv");
        var (code, _, error) = Run("--x", x, "--y", y, "--estimator", "Magic");

        code.Should().Be(2);
        error.Trim().Should().Be("bmm mi: option --estimator must be ksg, gaussian, mixed or infonce (in any case), got 'Magic'");
    }

    [Fact]
    public void A_non_finite_cell_is_rejected_naming_the_option_file_line_and_column()
    {
        var (x, y) = Columns("cc_rho0.5.csv");
        var lines = File.ReadAllLines(y);
        lines[4] = "NaN";
        File.WriteAllLines(y, lines);

        var (code, _, error) = Run("--x", x, "--y", y);

        code.Should().Be(2);
        error.Should().Be($"bmm mi: --y: '{y}' line 5, column 1: 'NaN' is not finite" + Environment.NewLine);
    }

    [Theory]
    [InlineData("gaussian", "--k", "5", "option --k does not apply to the gaussian estimator")]
    [InlineData("infonce", "--k", "5", "option --k does not apply to the infonce estimator")]
    [InlineData("ksg", "--seed", "3", "option --seed does not apply to the ksg estimator without --permutations")]
    [InlineData("gaussian", "--seed", "3", "option --seed does not apply to the gaussian estimator without --permutations")]
    public void An_option_the_estimator_does_not_use_is_rejected_naming_option_and_estimator(string estimator, string option, string value, string message)
    {
        var (x, y) = Columns("cc_rho0.5.csv");

        var (code, output, error) = Run("--x", x, "--y", y, "--estimator", estimator, option, value);

        code.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().StartWith("bmm mi: " + message);
        error.Trim().Split('\n').Should().ContainSingle();
    }
}
