using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

public class BootstrapConfidenceIntervalTests
{
    [Fact]
    public void Gaussian_interval_covers_the_analytic_value()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(1000, 2, 0.5, seed: 31);
        var bootstrap = new BootstrapConfidenceInterval(new GaussianMutualInformationEstimator(), new BootstrapOptions { Resamples = 200, Seed = 3 });

        var interval = bootstrap.Compute(x, y);

        interval.Lower.Should().BeLessThan(CorrelatedGaussian.Truth(2, 0.5));
        interval.Upper.Should().BeGreaterThan(CorrelatedGaussian.Truth(2, 0.5));
        interval.Lower.Should().BeLessThan(interval.Estimate);
        interval.Upper.Should().BeGreaterThan(interval.Estimate);
    }

    [Fact]
    public void The_same_seed_gives_the_same_interval()
    {
        var (x, y) = MiFixtures.Columns("cc_rho0.5.csv");
        var options = new BootstrapOptions { Resamples = 20, Seed = 9 };

        new BootstrapConfidenceInterval(new KsgEstimator(), options).Compute(x, y)
            .Should().Be(new BootstrapConfidenceInterval(new KsgEstimator(), options).Compute(x, y));
    }

    [Fact]
    public void A_confidence_level_of_one_is_rejected_naming_the_option()
    {
        var act = () => new BootstrapConfidenceInterval(new KsgEstimator(), new BootstrapOptions { ConfidenceLevel = 1 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*ConfidenceLevel*");
    }
}
