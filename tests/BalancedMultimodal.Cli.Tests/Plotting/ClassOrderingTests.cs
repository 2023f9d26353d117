using BalancedMultimodal.Cli.Plotting;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Plotting;

public class ClassOrderingTests
{
    private static readonly int[] Labels = [1, 0, 2, 1, 0, 1];

    [Fact]
    public void Rows_are_grouped_by_class_keeping_their_order_within_a_class()
    {
        var ordering = ClassOrdering.ByClass(Labels, 3);

        ordering.Order.Should().Equal(1, 4, 0, 3, 5, 2);
        ordering.Starts.Should().Equal(0, 2, 5, 6);
    }

    [Fact]
    public void An_empty_class_gets_an_empty_block()
    {
        var ordering = ClassOrdering.ByClass([2, 0, 2], 3);

        ordering.Order.Should().Equal(1, 0, 2);
        ordering.Starts.Should().Equal(0, 1, 1, 3);
    }

    [Fact]
    public void Reorder_permutes_rows_and_columns_together()
    {
        var ordering = ClassOrdering.ByClass([1, 0, 1], 2);
        // m[i, j] = 10 i + j makes every entry name its origin.
        var matrix = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                matrix[i, j] = 10 * i + j;

        var reordered = ordering.Reorder(matrix);

        reordered.Should().BeEquivalentTo(new double[,] { { 11, 10, 12 }, { 1, 0, 2 }, { 21, 20, 22 } });
    }

    [Fact]
    public void Block_means_leave_out_the_diagonal()
    {
        var ordering = ClassOrdering.ByClass([0, 0, 1], 2);
        var matrix = new double[,] { { 100, 2, 5 }, { 4, 100, 7 }, { 9, 11, 100 } };

        var means = ordering.BlockMeans(matrix);

        // Class 0 with itself: (2 + 4) / 2; 0 -> 1: (5 + 7) / 2; 1 -> 0: (9 + 11) / 2; class 1 alone has no off-diagonal pair.
        means[0, 0].Should().Be(3);
        means[0, 1].Should().Be(6);
        means[1, 0].Should().Be(10);
        means[1, 1].Should().Be(double.NaN);
    }

    [Fact]
    public void A_label_outside_the_classes_is_rejected_naming_the_row()
    {
        var act = () => ClassOrdering.ByClass([0, 3, 1], 2);

        act.Should().Throw<ArgumentException>().WithMessage("Row 1 has label 3, outside [0, 2)*");
    }

    [Fact]
    public void Reorder_rejects_a_matrix_of_the_wrong_size()
    {
        var ordering = ClassOrdering.ByClass([0, 1], 2);

        var act = () => ordering.Reorder(new double[3, 3]);

        act.Should().Throw<ArgumentException>().WithMessage("The matrix is 3 x 3 but the ordering has 2 rows*");
    }
}
