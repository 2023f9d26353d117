using BalancedMultimodal.Core.Metrics;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Metrics;

public class ClassificationMetricsTests
{
    [Fact]
    public void Accuracy_is_the_fraction_of_matching_pairs()
    {
        ClassificationMetrics.Accuracy(new[] { 0, 1, 2, 1 }, new[] { 0, 2, 2, 1 }).Should().Be(0.75);
    }

    [Fact]
    public void Arg_max_finds_the_highest_score_in_any_column_including_negative_scores()
    {
        ClassificationMetrics.ArgMax(new double[,] { { -3, -1, -2 }, { -1, -5, 4 }, { 0, 0, 0 } }).Should().Equal(1, 2, 0);
    }

    [Fact]
    public void Arg_max_rejects_a_null_matrix()
    {
        var act = () => ClassificationMetrics.ArgMax(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("scores");
    }

    [Fact]
    public void Arg_max_rejects_a_matrix_without_columns()
    {
        var act = () => ClassificationMetrics.ArgMax(new double[2, 0]);

        act.Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("*no columns*");
    }

    [Fact]
    public void Arg_max_rejects_a_non_finite_score_naming_its_row_and_column()
    {
        var act = () => ClassificationMetrics.ArgMax(new double[,] { { 0.1, 0.9 }, { 0.5, double.PositiveInfinity } });

        act.Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("Score at row 1, column 1 is not finite*");
    }
}
