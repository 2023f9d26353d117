using BalancedMultimodal.Cli.Plotting;
using BalancedMultimodal.Core.Metrics;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Plotting;

public class ConfusionMatrixPlotTests
{
    // Truth 0,0,0,0,1,1,2 predicted 0,0,0,1,1,0,2: rows (3 1 0), (1 1 0), (0 0 1).
    private static readonly ConfusionMatrix Matrix = ConfusionMatrix.Compute([0, 0, 0, 0, 1, 1, 2], [0, 0, 0, 1, 1, 0, 2], 3);

    [Fact]
    public void Row_shares_divide_each_count_by_its_true_class_support()
    {
        var shares = ConfusionMatrixPlot.RowShares(Matrix);

        shares.Should().BeEquivalentTo(new double[,] { { 0.75, 0.25, 0 }, { 0.5, 0.5, 0 }, { 0, 0, 1 } });
    }

    [Fact]
    public void An_empty_true_class_row_has_zero_shares()
    {
        var matrix = ConfusionMatrix.Compute([0, 0], [0, 1], 3);

        var shares = ConfusionMatrixPlot.RowShares(matrix);

        shares[2, 0].Should().Be(0);
        shares[2, 2].Should().Be(0);
    }

    [Fact]
    public void Cell_text_shows_the_count_and_the_row_percentage()
    {
        ConfusionMatrixPlot.CellText(Matrix, 0, 0).Should().Be("3\n(75.0%)");
        ConfusionMatrixPlot.CellText(Matrix, 0, 2).Should().Be("0\n(0.0%)");
        ConfusionMatrixPlot.CellText(Matrix, 2, 2).Should().Be("1\n(100.0%)");
    }

    [Fact]
    public void A_class_without_test_rows_shows_no_share()
    {
        var matrix = ConfusionMatrix.Compute([0], [0], 3);

        ConfusionMatrixPlot.CellText(matrix, 1, 1).Should().Be("0\n(–)", "0 of 0 rows is undefined, not 0 %");
        ConfusionMatrixPlot.CellText(matrix, 0, 0).Should().Be("1\n(100.0%)");
    }
}
