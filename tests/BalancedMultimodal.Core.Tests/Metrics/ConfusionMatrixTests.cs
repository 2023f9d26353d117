using BalancedMultimodal.Core.Metrics;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Metrics;

public class ConfusionMatrixTests
{
    // Rows truth, columns prediction: [[1 1 0] [0 2 0] [1 0 0]].
    private static ConfusionMatrix Matrix() => ConfusionMatrix.Compute(new[] { 0, 0, 1, 1, 2 }, new[] { 0, 1, 1, 1, 0 });

    [Fact]
    public void Row_sums_are_supports_and_column_sums_are_predicted_counts()
    {
        var matrix = Matrix();

        matrix.ClassCount.Should().Be(3);
        matrix.Total.Should().Be(5);
        Enumerable.Range(0, 3).Select(matrix.Support).Should().Equal(2, 2, 1);
        Enumerable.Range(0, 3).Select(matrix.PredictedCount).Should().Equal(2, 3, 0);
        Enumerable.Range(0, 3).Select(matrix.TruePositives).Should().Equal(1, 2, 0);
        matrix[2, 0].Should().Be(1);
    }

    [Theory]
    [InlineData(3, 0, "actual")]
    [InlineData(-1, 0, "actual")]
    [InlineData(0, 3, "predicted")]
    [InlineData(0, -1, "predicted")]
    public void A_class_outside_the_matrix_is_rejected_naming_the_index(int actual, int predicted, string parameter)
    {
        var matrix = Matrix();

        var act = () => matrix[actual, predicted];

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter).WithMessage("Class must lie in [0, 3)*");
    }

    [Fact]
    public void Support_and_predicted_count_of_a_class_outside_the_matrix_are_rejected()
    {
        var matrix = Matrix();

        FluentActions.Invoking(() => matrix.Support(3)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => matrix.PredictedCount(3)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Null_labels_or_predictions_are_rejected_naming_them()
    {
        FluentActions.Invoking(() => ConfusionMatrix.Compute(null!, new[] { 0 }))
            .Should().Throw<ArgumentNullException>().WithParameterName("labels");
        FluentActions.Invoking(() => ConfusionMatrix.Compute(new[] { 0 }, null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("predictions");
    }

    [Fact]
    public void Empty_inputs_are_rejected()
    {
        var act = () => ConfusionMatrix.Compute(Array.Empty<int>(), Array.Empty<int>());

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("No samples to score*");
    }

    [Fact]
    public void A_negative_label_or_prediction_is_rejected_naming_its_position()
    {
        FluentActions.Invoking(() => ConfusionMatrix.Compute(new[] { 0, -1 }, new[] { 0, 1 }))
            .Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at position 1 is -1; classes must be >= 0*");
        FluentActions.Invoking(() => ConfusionMatrix.Compute(new[] { 0, 1 }, new[] { -2, 1 }))
            .Should().Throw<ArgumentException>().WithParameterName("predictions").WithMessage("Prediction at position 0 is -2; classes must be >= 0*");
    }

    [Fact]
    public void A_class_count_below_one_is_rejected()
    {
        var act = () => ConfusionMatrix.Compute(new[] { 0 }, new[] { 0 }, classCount: 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("classCount").WithMessage("classCount must lie in [1, 46340]*");
    }

    [Fact]
    public void A_class_index_too_large_for_the_matrix_is_rejected_naming_its_position()
    {
        // max + 1 overflowed (OverflowException) and large indices failed to allocate the C x C counts.
        FluentActions.Invoking(() => ConfusionMatrix.Compute(new[] { 0, int.MaxValue }, new[] { 0, 1 }))
            .Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at position 1 is 2147483647; class indices must be below 46340*");
        FluentActions.Invoking(() => ConfusionMatrix.Compute(new[] { 0, 1 }, new[] { 46340, 1 }))
            .Should().Throw<ArgumentException>().WithParameterName("predictions").WithMessage("Prediction at position 0 is 46340*");
        FluentActions.Invoking(() => ConfusionMatrix.Compute(new[] { 0 }, new[] { 0 }, classCount: int.MaxValue))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("classCount");
        FluentActions.Invoking(() => ClassificationMetrics.MacroF1(new[] { 0, int.MaxValue }, new[] { 0, 1 }))
            .Should().Throw<ArgumentException>().WithParameterName("labels");
    }

    [Fact]
    public void A_label_equal_to_the_class_count_is_rejected_naming_its_position()
    {
        var act = () => ConfusionMatrix.Compute(new[] { 0, 2 }, new[] { 0, 1 }, classCount: 2);

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at position 1 is 2; classes must lie in [0, 2)*");
    }

    [Fact]
    public void The_counts_copy_is_independent_of_the_matrix()
    {
        var matrix = Matrix();
        var copy = matrix.ToArray();

        copy[0, 0] = 99;

        matrix[0, 0].Should().Be(1);
    }
}
