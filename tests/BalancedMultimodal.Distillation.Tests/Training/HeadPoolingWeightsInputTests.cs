using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The argument checks of <see cref="HeadPoolingWeights"/>, each naming what is wrong.</summary>
public class HeadPoolingWeightsInputTests
{
    private static Tensor Good() => tensor(new[] { 1.0, 0, 0, 1 }, [2, 2]);

    [Fact]
    public void Null_arguments_are_rejected()
    {
        using var scope = NewDisposeScope();
        var nullHeads = () => HeadPoolingWeights.FromValidation(null!, tensor(new long[] { 0, 1 }));
        var nullLabels = () => HeadPoolingWeights.FromValidation([Good()], null!);

        nullHeads.Should().Throw<ArgumentNullException>().WithParameterName("validationLogits");
        nullLabels.Should().Throw<ArgumentNullException>().WithParameterName("validationLabels");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_null_head_is_rejected_naming_it(int missing)
    {
        using var scope = NewDisposeScope();
        Tensor?[] heads = [Good(), Good()];
        heads[missing] = null;

        var act = () => HeadPoolingWeights.FromValidation(heads!, tensor(new long[] { 0, 1 }));

        act.Should().Throw<ArgumentException>().WithParameterName("validationLogits").WithMessage($"Head {missing}'s logits are null.*");
    }

    public static TheoryData<long[]> BadFirstHeadShapes => new() { new long[] { 2 }, new long[] { 0, 2 }, new long[] { 2, 1 }, new long[] { 2, 2, 1 } };

    [Theory]
    [MemberData(nameof(BadFirstHeadShapes))]
    public void A_first_head_that_is_not_rows_by_at_least_two_classes_is_rejected(long[] shape)
    {
        using var scope = NewDisposeScope();
        var act = () => HeadPoolingWeights.FromValidation([zeros(shape, dtype: ScalarType.Float64)], tensor(new long[] { 0, 1 }));

        act.Should().Throw<ArgumentException>().WithParameterName("validationLogits").WithMessage("Head 0's logits must be (n_val > 0, C >= 2)*");
    }

    [Fact]
    public void A_head_with_another_class_count_is_rejected_naming_it()
    {
        using var scope = NewDisposeScope();
        var act = () => HeadPoolingWeights.FromValidation([Good(), zeros(2, 3, dtype: ScalarType.Float64)], tensor(new long[] { 0, 1 }));

        act.Should().Throw<ArgumentException>().WithMessage("Head 1's logits are (2, 3); head 0's are (2, 2)*");
    }

    [Fact]
    public void A_head_with_an_extra_dimension_is_rejected_naming_it()
    {
        using var scope = NewDisposeScope();
        var act = () => HeadPoolingWeights.FromValidation([Good(), zeros(2, 2, 1, dtype: ScalarType.Float64)], tensor(new long[] { 0, 1 }));

        act.Should().Throw<ArgumentException>().WithMessage("Head 1's logits are (2, 2, 1)*");
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(2, 2)]
    public void Labels_that_are_not_one_per_row_are_rejected(int length, int dimensions)
    {
        using var scope = NewDisposeScope();
        var labels = dimensions == 1 ? zeros(length, dtype: ScalarType.Int64) : zeros(2, 1, dtype: ScalarType.Int64);

        var act = () => HeadPoolingWeights.FromValidation([Good()], labels);

        act.Should().Throw<ArgumentException>().WithParameterName("validationLabels").WithMessage("The labels must be a vector of 2 class indices*");
    }

    [Fact]
    public void Labels_that_are_not_int64_are_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => HeadPoolingWeights.FromValidation([Good()], tensor(new[] { 0, 1 }));

        act.Should().Throw<ArgumentException>().WithParameterName("validationLabels").WithMessage("The labels must be int64, got Int32.*");
    }

    [Fact]
    public void A_negative_label_is_rejected_naming_it()
    {
        using var scope = NewDisposeScope();
        var act = () => HeadPoolingWeights.FromValidation([Good()], tensor(new long[] { -1, 1 }));

        act.Should().Throw<ArgumentException>().WithParameterName("validationLabels").WithMessage("Labels must lie in [0, 2), found -1.*");
    }

    [Fact]
    public void No_shrinkage_and_a_single_useful_head_give_it_all_the_weight()
    {
        using var scope = NewDisposeScope();
        var weights = HeadPoolingWeights.FromValidation([zeros(2, 2, dtype: ScalarType.Float64), Good()], tensor(new long[] { 0, 1 }), 0);

        weights.Should().Equal(0.0, 1.0);
    }
}
