using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

public class PermutationTestTests
{
    private static readonly PermutationTestOptions Options = new() { Permutations = 199, Seed = 1 };

    [Fact]
    public void Independent_data_give_a_p_value_above_0_05()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(400, 1, 0.0, seed: 21);

        new PermutationTest(new KsgEstimator(), Options).Run(x, y).PValue.Should().BeGreaterThan(0.05);
    }

    [Fact]
    public void Correlation_0_5_gives_a_p_value_below_0_01()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(400, 1, 0.5, seed: 22);

        var result = new PermutationTest(new KsgEstimator(), Options).Run(x, y);

        result.PValue.Should().BeLessThan(0.01);
        result.PValue.Should().Be(1.0 / 200, "no permutation reaches the observed estimate");
    }

    [Fact]
    public void Null_mean_is_near_zero_and_the_estimate_is_the_plain_estimate()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(400, 1, 0.5, seed: 22);
        var estimator = new GaussianMutualInformationEstimator();

        var result = new PermutationTest(estimator, Options).Run(x, y);

        result.Estimate.Should().Be(estimator.Estimate(x, y));
        result.NullMean.Should().BeApproximately(0.0, 0.01);
        result.Permutations.Should().Be(199);
    }

    [Fact]
    public void The_same_seed_gives_the_same_result()
    {
        var (x, y) = MiFixtures.Columns("cc_rho0.0.csv");
        var options = new PermutationTestOptions { Permutations = 30, Seed = 5 };

        new PermutationTest(new KsgEstimator(), options).Run(x, y)
            .Should().Be(new PermutationTest(new KsgEstimator(), options).Run(x, y));
    }

    [Fact]
    public void Zero_permutations_are_rejected_naming_the_option()
    {
        var act = () => new PermutationTest(new KsgEstimator(), new PermutationTestOptions { Permutations = 0 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*Permutations*");
    }
}
