using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

public class ClassWeightsTests
{
    [Fact]
    public void Inverse_frequency_weights_are_n_over_c_times_the_class_count()
    {
        // 6 rows: class 0 three times, class 1 twice, class 2 once -> 6 / (3 * 3), 6 / (3 * 2), 6 / (3 * 1).
        var weights = ClassWeights.InverseFrequency([0, 1, 0, 2, 1, 0], [0, 1, 2, 3, 4, 5], 3);

        weights.Should().Equal([6.0 / 9, 1.0, 2.0], (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void Only_the_given_rows_are_counted_and_each_class_then_carries_the_same_total_weight()
    {
        int[] labels = [1, 0, 0, 0, 1, 0, 0, 1];
        int[] rows = [0, 1, 2, 3, 4];   // class 0: rows 1-3, class 1: rows 0 and 4
        var weights = ClassWeights.InverseFrequency(labels, rows, 2);

        weights.Should().Equal([5.0 / 6, 5.0 / 4], (a, b) => Math.Abs(a - b) < 1e-15);
        (3 * weights[0]).Should().BeApproximately(2 * weights[1], 1e-15);
        (3 * weights[0] + 2 * weights[1]).Should().BeApproximately(rows.Length, 1e-14);
    }

    [Fact]
    public void Balanced_classes_get_weight_one()
    {
        ClassWeights.InverseFrequency([0, 1, 2, 2, 1, 0], [0, 1, 2, 3, 4, 5], 3).Should().Equal(1.0, 1.0, 1.0);
    }

    [Fact]
    public void A_class_without_rows_is_refused_naming_it()
    {
        var act = () => ClassWeights.InverseFrequency([0, 2, 0, 2], [0, 1, 2, 3], 3);

        act.Should().Throw<ArgumentException>().WithMessage("Class 1 has none of the 4 rows*infinite*").Which.ParamName.Should().Be("rows");
    }

    [Theory]
    [InlineData(new[] { 0, 4 }, "Row 4 is outside [0, 4)*", "rows")]
    [InlineData(new[] { 0, -1 }, "Row -1 is outside [0, 4)*", "rows")]
    [InlineData(new[] { 1, 1 }, "Row 1 is listed twice*", "rows")]
    [InlineData(new[] { 0, 3 }, "The label of row 3 is 5, outside [0, 2)*", "labels")]
    [InlineData(new int[0], "No row*", "rows")]
    public void Bad_rows_and_labels_are_refused_naming_them(int[] rows, string message, string parameter)
    {
        var act = () => ClassWeights.InverseFrequency([0, 1, 1, 5], rows, 2);

        act.Should().Throw<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be(parameter);
    }

    [Fact]
    public void Null_arguments_and_a_class_count_below_one_are_refused()
    {
        FluentActions.Invoking(() => ClassWeights.InverseFrequency(null!, [0], 1)).Should().Throw<ArgumentNullException>().WithParameterName("labels");
        FluentActions.Invoking(() => ClassWeights.InverseFrequency([0], null!, 1)).Should().Throw<ArgumentNullException>().WithParameterName("rows");
        FluentActions.Invoking(() => ClassWeights.InverseFrequency([0], [0], 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("classCount");
    }
}
