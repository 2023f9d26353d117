using BalancedMultimodal.Core.Optimization;
using FluentAssertions;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Optimization;

/// <summary>
/// <see cref="ExplicitScalarAdam"/> rejects at construction a weight decay, first step size lr / (1 - β1) or ε that
/// the parameters' dtype cannot hold (libtorch would throw "value cannot be converted to type float without overflow"
/// inside the first step), and accepts the same values for a dtype that holds them.
/// </summary>
public class ExplicitScalarAdamDtypeRangeTests
{
    private static Parameter NewParameter(ScalarType dtype) => new(zeros(3, dtype: dtype));

    [Theory]
    [InlineData(ScalarType.Float32, 1e39)]
    [InlineData(ScalarType.BFloat16, 1e39)]
    [InlineData(ScalarType.Float16, 65505.0)]   // float16's largest finite value is 65504
    public void A_weight_decay_above_the_dtypes_range_names_the_parameter_and_dtype(ScalarType dtype, double decay)
    {
        using var scope = NewDisposeScope();
        var parameters = new[] { NewParameter(ScalarType.Float64), NewParameter(dtype) };

        var act = () => new ExplicitScalarAdam(parameters, weightDecay: decay);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "parameters")
            .WithMessage($"Parameter 1 is {dtype}, whose largest finite value is *; its weight decay * cannot be represented*");
    }

    [Fact]
    public void A_group_decay_above_the_range_is_reported_with_the_position_over_all_groups()
    {
        using var scope = NewDisposeScope();
        var groups = new[]
        {
            new ParameterGroup([NewParameter(ScalarType.Float32), NewParameter(ScalarType.Float32)], 1e-2),
            new ParameterGroup([NewParameter(ScalarType.Float32)], 3.5e38),
        };

        var act = () => new ExplicitScalarAdam(groups);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "groups")
            .WithMessage("Parameter 2 is Float32, whose largest finite value is 3.40282347E+38; its weight decay 3.5E+38*");
    }

    [Theory]
    [InlineData(ScalarType.Float32, (double)float.MaxValue)]   // the largest float32 itself is representable
    [InlineData(ScalarType.Float64, 1e300)]
    [InlineData(ScalarType.Float16, 65504.0)]
    public void A_decay_at_or_inside_the_range_is_accepted(ScalarType dtype, double decay)
    {
        using var scope = NewDisposeScope();
        using var optimizer = new ExplicitScalarAdam([NewParameter(dtype)], epsilon: 1e-4, weightDecay: decay);   // 1e-8 would round to 0 in float16

        optimizer.WeightDecays.Should().Equal(decay);
    }

    [Fact]
    public void A_first_step_size_above_the_range_is_rejected_naming_the_learning_rate()
    {
        // lr / (1 - beta1) = 4e37 / 0.1 = 4e38 > 3.4e38; with beta1 = 0 the same lr is a step of 4e37 and fits.
        using var scope = NewDisposeScope();

        var act = () => new ExplicitScalarAdam([NewParameter(ScalarType.Float32)], learningRate: 4e37);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "learningRate")
            .WithMessage("The first step's size lr / (1 - beta1) = 4E+38 exceeds the largest finite Float32 value 3.40282347E+38 (parameter 0)*");
        using var fits = new ExplicitScalarAdam([NewParameter(ScalarType.Float32)], learningRate: 4e37, beta1: 0);
        fits.Parameters.Should().HaveCount(1);
    }

    [Fact]
    public void A_first_step_size_and_an_epsilon_equal_to_the_largest_finite_value_are_accepted()
    {
        // With beta1 = 0 the first step's size is lr itself: float32's largest value is representable, as is ε = it.
        using var scope = NewDisposeScope();
        const double largest = float.MaxValue;

        using var optimizer = new ExplicitScalarAdam([NewParameter(ScalarType.Float32)], learningRate: largest, beta1: 0, epsilon: largest);

        optimizer.Parameters.Should().HaveCount(1);
    }

    [Fact]
    public void An_epsilon_above_the_range_is_rejected_naming_epsilon()
    {
        using var scope = NewDisposeScope();

        var act = () => new ExplicitScalarAdam([NewParameter(ScalarType.Float16)], epsilon: 1e5);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "epsilon")
            .WithMessage("epsilon exceeds the largest finite Float16 value 65504 (parameter 0)*");
    }

    [Fact]
    public void A_float64_parameter_takes_a_decay_that_float32_cannot_and_steps_with_it()
    {
        // g' = g + λ p with g = 0 (a zero loss term) and p = 1e-100: g' = 1e39 x 1e-100 = 1e-61, finite; at t = 1 the
        // bias-corrected m / sqrt(v) is g' / |g'| = 1 (ε = 0), so p moves by exactly lr.
        using var scope = NewDisposeScope();
        var parameter = new Parameter(full(1, 1e-100, dtype: ScalarType.Float64));
        using var optimizer = new ExplicitScalarAdam([parameter], learningRate: 0.5, epsilon: 0, weightDecay: 1e39);
        (parameter * 0).sum().backward();

        optimizer.Step();

        parameter.item<double>().Should().BeApproximately(-0.5, 1e-15);
    }

    [Fact]
    public void An_epsilon_that_rounds_to_zero_in_the_parameters_dtype_is_rejected_naming_epsilon()
    {
        // float16's smallest positive value is about 6e-8: Adam's usual 1e-8 becomes 0, and a zero gradient would step by 0 / 0.
        using var scope = NewDisposeScope();

        var act = () => new ExplicitScalarAdam([NewParameter(ScalarType.Float32), NewParameter(ScalarType.Float16)]);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "epsilon")
            .WithMessage("epsilon = 1E-08 rounds to 0 in Float16 (parameter 1): a zero gradient would then step by 0 / 0 = NaN*");
        using var representable = new ExplicitScalarAdam([NewParameter(ScalarType.Float16)], epsilon: 1e-4);
        using var noEpsilon = new ExplicitScalarAdam([NewParameter(ScalarType.Float16)], epsilon: 0);
        using var bfloat = new ExplicitScalarAdam([NewParameter(ScalarType.BFloat16)]);
        representable.Parameters.Should().HaveCount(1);
    }

    [Fact]
    public void A_float16_parameter_with_a_representable_epsilon_stays_finite_on_a_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var parameter = new Parameter(ones(3, dtype: ScalarType.Float16));
        using var optimizer = new ExplicitScalarAdam([parameter], epsilon: 1e-4);

        (parameter * tensor(new float[] { 0, 1e-5f, 1 }).to(ScalarType.Float16)).sum().backward();
        optimizer.Step();

        parameter.isfinite().all().item<bool>().Should().BeTrue();
    }
}
