using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

public class HeadPoolingWeightsTests
{
    // Two validation rows with labels (0, 1).
    private static Tensor Labels() => tensor(new long[] { 0, 1 });

    private static Tensor Logits(double a, double b, double c, double d, ScalarType dtype = ScalarType.Float64) =>
        tensor(new[] { a, b, c, d }, [2, 2], dtype: dtype);

    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    [InlineData(ScalarType.Float32, 1e-6)]
    public void Weights_are_the_heads_information_gains_over_the_uniform_guess_normalised(ScalarType dtype, double tolerance)
    {
        // Head 0: logits (2, 0) / (0, 2), right with p = e^2 / (e^2 + 1): CE = ln(1 + e^-2), gain ln 2 - ln(1 + e^-2).
        // Head 1: logits (1, 0) / (0, 1): CE = ln(1 + e^-1). Head 2: all zero, CE = ln 2, gain 0.
        using var labels = Labels();
        using var head0 = Logits(2, 0, 0, 2, dtype);
        using var head1 = Logits(1, 0, 0, 1, dtype);
        using var head2 = Logits(0, 0, 0, 0, dtype);

        var weights = HeadPoolingWeights.FromValidation([head0, head1, head2], labels);

        double gain0 = Math.Log(2) - Math.Log(1 + Math.Exp(-2)), gain1 = Math.Log(2) - Math.Log(1 + Math.Exp(-1));
        weights.Should().HaveCount(3);
        weights[0].Should().BeApproximately(gain0 / (gain0 + gain1), tolerance);
        weights[1].Should().BeApproximately(gain1 / (gain0 + gain1), tolerance);
        weights[2].Should().Be(0);
    }

    [Fact]
    public void A_head_worse_than_the_uniform_guess_gets_weight_zero()
    {
        // Head 1 is confidently wrong: CE = ln(1 + e^3) > ln 2.
        using var labels = Labels();
        using var good = Logits(1, 0, 0, 1);
        using var wrong = Logits(0, 3, 3, 0);

        var weights = HeadPoolingWeights.FromValidation([good, wrong], labels);

        weights.Should().Equal(1.0, 0.0);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.25)]
    public void Shrinkage_pulls_the_gain_weights_towards_equal_weights(double lambda)
    {
        // Same heads as above: gain weights (g0, g1, 0) / (g0 + g1); shrunk: lambda / 3 + (1 - lambda) * gain weight.
        using var labels = Labels();
        using var head0 = Logits(2, 0, 0, 2);
        using var head1 = Logits(1, 0, 0, 1);
        using var head2 = Logits(0, 0, 0, 0);

        var weights = HeadPoolingWeights.FromValidation([head0, head1, head2], labels, lambda);

        double gain0 = Math.Log(2) - Math.Log(1 + Math.Exp(-2)), gain1 = Math.Log(2) - Math.Log(1 + Math.Exp(-1));
        weights[0].Should().BeApproximately(lambda / 3 + (1 - lambda) * gain0 / (gain0 + gain1), 1e-12);
        weights[1].Should().BeApproximately(lambda / 3 + (1 - lambda) * gain1 / (gain0 + gain1), 1e-12);
        weights[2].Should().BeApproximately(lambda / 3, 1e-12, "a near-chance head keeps only the shrinkage share");
        weights.Sum().Should().BeApproximately(1, 1e-12);
    }

    [Fact]
    public void Full_shrinkage_gives_equal_weights()
    {
        using var labels = Labels();
        using var good = Logits(2, 0, 0, 2);
        using var wrong = Logits(0, 3, 3, 0);

        var weights = HeadPoolingWeights.FromValidation([good, wrong], labels, 1);

        weights.Should().Equal(0.5, 0.5);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Shrinkage_outside_zero_to_one_is_rejected_before_any_work(double lambda)
    {
        using var labels = Labels();
        using var good = Logits(1, 0, 0, 1);

        var act = () => HeadPoolingWeights.FromValidation([good], labels, lambda);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("shrinkage").WithMessage("*must lie in [0, 1]*");
    }

    [Fact]
    public void When_no_head_beats_chance_the_weights_are_uniform()
    {
        using var labels = Labels();
        using var flat = Logits(0, 0, 0, 0);
        using var wrong = Logits(0, 1, 1, 0);

        var weights = HeadPoolingWeights.FromValidation([flat, wrong, flat], labels);

        weights.Should().Equal(1.0 / 3, 1.0 / 3, 1.0 / 3);
    }

    [Fact]
    public void Heads_of_different_shapes_are_rejected_naming_the_head()
    {
        using var labels = Labels();
        using var good = Logits(1, 0, 0, 1);
        using var threeRows = zeros(3, 2, dtype: ScalarType.Float64);

        var act = () => HeadPoolingWeights.FromValidation([good, threeRows], labels);

        act.Should().Throw<ArgumentException>().WithMessage("Head 1's logits are (3, 2); head 0's are (2, 2)*");
    }

    [Fact]
    public void Labels_out_of_range_are_rejected_naming_the_value()
    {
        using var labels = tensor(new long[] { 0, 2 });
        using var good = Logits(1, 0, 0, 1);

        var act = () => HeadPoolingWeights.FromValidation([good], labels);

        act.Should().Throw<ArgumentException>().WithMessage("Labels must lie in [0, 2), found 2*");
    }

    [Fact]
    public void Non_finite_logits_are_rejected_naming_the_head()
    {
        using var labels = Labels();
        using var good = Logits(1, 0, 0, 1);
        using var broken = Logits(double.NaN, 0, 0, 1);

        var act = () => HeadPoolingWeights.FromValidation([good, broken], labels);

        act.Should().Throw<ArgumentException>().WithMessage("Head 1's logits give a non-finite validation cross-entropy*");
    }

    [Fact]
    public void No_heads_are_rejected()
    {
        using var labels = Labels();

        var act = () => HeadPoolingWeights.FromValidation([], labels);

        act.Should().Throw<ArgumentException>().WithMessage("At least one head's logits are needed*");
    }

    [Fact]
    public void Half_precision_logits_are_scored_with_float32_cross_entropies()
    {
        // The same float16 values scored in float32 give the reference; float16 arithmetic would be off by ~1e-3.
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(7);
        var labels = randint(0, 5, [200], generator: generator);
        var strong = (randn(200, 5, generator: generator) + 3 * nn.functional.one_hot(labels, 5)).to(ScalarType.Float16);
        var weak = (randn(200, 5, generator: generator) + 0.5 * nn.functional.one_hot(labels, 5)).to(ScalarType.Float16);

        var half = HeadPoolingWeights.FromValidation([strong, weak], labels);
        var reference = HeadPoolingWeights.FromValidation([strong.to(ScalarType.Float32), weak.to(ScalarType.Float32)], labels);

        half.Should().Equal(reference);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 7)]
    [InlineData(ScalarType.Float32, 13)]
    [InlineData(ScalarType.Float64, 6)]
    [InlineData(ScalarType.Float64, 7)]
    public void A_head_exactly_at_chance_has_no_gain_whatever_the_rounding_of_ln_c(ScalarType dtype, int classes)
    {
        // Head 0 is worse than chance, head 1 has constant logits: its cross-entropy is ln C rounded in the dtype, which
        // fell a few ulps below Math.Log(C) and made that rounding the only positive gain (weights 0 and 1).
        using var scope = NewDisposeScope();
        var labels = tensor(Enumerable.Range(0, 8).Select(i => (long)(i % classes)).ToArray());
        var wrong = zeros(8, classes, dtype: dtype);
        for (int i = 0; i < 8; i++) wrong[i, (i + 1) % classes] = tensor(3.0).to(dtype);
        var constant = zeros(8, classes, dtype: dtype);

        var weights = HeadPoolingWeights.FromValidation([wrong, constant], labels, HeadPoolingRule.InformationGain, 0);

        weights.Should().Equal(0.5, 0.5);
    }
}

