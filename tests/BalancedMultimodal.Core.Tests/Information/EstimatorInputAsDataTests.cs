using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

/// <summary>The estimators read their inputs as data: a requires-grad input gives the estimate of its detached values
/// and receives no gradient; half precision trains the neural critic in float32; integer codes stay integers.</summary>
public class EstimatorInputAsDataTests
{
    private static InfoNceEstimatorOptions Fast() => new() { Steps = 40, BatchSize = 64, HiddenSize = 16, Seed = 3 };

    [Fact]
    public void A_requires_grad_input_to_the_neural_estimator_gives_the_detached_estimate_and_no_gradient()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(200, 2, 0.8, seed: 5);
        double expected = new InfoNceEstimator(Fast()).Estimate(x, y);
        var tracked = x.clone().requires_grad_(true);

        double estimate = new InfoNceEstimator(Fast()).Estimate(tracked, y);

        estimate.Should().Be(expected);
        tracked.grad.Should().BeNull("the estimator's own training must not write into the caller's gradient");
    }

    [Fact]
    public void A_requires_grad_input_through_the_permutation_test_gives_the_detached_result()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(120, 1, 0.7, seed: 6);
        var test = new PermutationTest(new InfoNceEstimator(Fast()), new PermutationTestOptions { Permutations = 3, Seed = 1 });
        var expected = test.Run(x, y);

        var result = test.Run(x.clone().requires_grad_(true), y.clone().requires_grad_(true));

        result.Estimate.Should().Be(expected.Estimate);
        result.NullMean.Should().Be(expected.NullMean);
        result.PValue.Should().Be(expected.PValue);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void Half_precision_inputs_are_estimated_in_float32(ScalarType half)
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(200, 1, 0.9, seed: 7);
        var xh = x.to(half);
        var yh = y.to(half);

        double estimate = new InfoNceEstimator(Fast()).Estimate(xh, yh);

        double.IsFinite(estimate).Should().BeTrue("float16 Adam would turn the critic to NaN");
        estimate.Should().Be(new InfoNceEstimator(Fast()).Estimate(xh.to(ScalarType.Float32), yh.to(ScalarType.Float32)));
    }

    [Fact]
    public void Int64_codes_above_two_to_the_53_stay_distinct_in_the_discrete_estimator()
    {
        using var scope = NewDisposeScope();
        // 2^53 and 2^53 + 1 are one float64 value; as integers they are two categories, each with its own label.
        var x = tensor(new[] { 1L << 53, (1L << 53) + 1, 1L << 53, (1L << 53) + 1 });
        var y = tensor(new[] { 0L, 1L, 0L, 1L });

        new DiscreteMutualInformationEstimator().Estimate(x, y).Should().BeApproximately(Math.Log(2), 1e-12);
        new DiscreteMutualInformationEstimator().Estimate(x.to(ScalarType.Float64), y).Should().Be(0, "the float64 copy merges the codes");
    }
}
