using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

public class GaussianMutualInformationEstimatorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    public void Bias_over_20_samples_of_2000_is_within_0_02_nats_at_every_correlation(int d)
    {
        var estimator = new GaussianMutualInformationEstimator();
        foreach (double rho in new[] { 0.0, 0.5, 0.9 })
        {
            double mean = 0;
            for (int seed = 0; seed < 20; seed++)
            {
                using var scope = NewDisposeScope();
                var (x, y) = CorrelatedGaussian.Sample(2000, d, rho, seed: 100 + seed);
                mean += estimator.Estimate(x, y) / 20;
            }

            mean.Should().BeApproximately(CorrelatedGaussian.Truth(d, rho), 0.02, $"rho = {rho}");
        }
    }

    [Fact]
    public void Scalar_estimate_equals_minus_half_log_one_minus_squared_pearson_correlation()
    {
        var (x, y) = MiFixtures.Columns("cc_rho0.5.csv");
        int n = x.GetLength(0);
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[i, 0] / n; my += y[i, 0] / n; }
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (x[i, 0] - mx) * (y[i, 0] - my);
            sxx += (x[i, 0] - mx) * (x[i, 0] - mx);
            syy += (y[i, 0] - my) * (y[i, 0] - my);
        }
        double r = sxy / Math.Sqrt(sxx * syy);
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = 0, BiasCorrection = false });

        estimator.Estimate(x, y).Should().BeApproximately(-0.5 * Math.Log(1 - r * r), 1e-12);
    }

    [Fact]
    public void Bias_correction_lowers_the_estimate_on_independent_high_dimensional_data()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(2000, 10, 0.0, seed: 12);
        double plain = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false }).Estimate(x, y);
        double corrected = new GaussianMutualInformationEstimator().Estimate(x, y);

        // Expected upward bias of the plain form is about d_x d_y / (2n) = 0.025 nats.
        (plain - corrected).Should().BeApproximately(0.025, 0.002);
    }

    [Fact]
    public void Bias_correction_with_no_more_samples_than_joint_dimensions_is_rejected_naming_both_counts()
    {
        // n = 4 = d_x + d_y: the joint block's correction psi((n - 4)/2) is undefined, the marginal ones are not.
        var x = new double[,] { { 1, 0.5 }, { 2, 0.1 }, { 3, 0.9 }, { 4, 0.3 } };
        var y = new double[,] { { 1, 2 }, { 3, 1 }, { 2, 4 }, { 5, 3 } };

        var act = () => new GaussianMutualInformationEstimator().Estimate(x, y);

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("*n = 4 and d_x + d_y = 4*BiasCorrection = false*");
    }

    [Fact]
    public void Without_bias_correction_as_few_samples_as_joint_dimensions_still_give_an_estimate()
    {
        var x = new double[,] { { 1, 0.5 }, { 2, 0.1 }, { 3, 0.9 }, { 4, 0.3 } };
        var y = new double[,] { { 1, 2 }, { 3, 1 }, { 2, 4 }, { 5, 3 } };

        double estimate = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false }).Estimate(x, y);

        // With n = 4 the joint correlation matrix has rank 3: the ridge (1e-8) alone keeps ln det R finite, so the
        // estimate is large. Reference, numpy: R = corrcoef([x, y]) + 1e-8 I,
        // 0.5 * (slogdet(R[:2, :2]) + slogdet(R[2:, 2:]) - slogdet(R)) = 10.719496587053566.
        estimate.Should().BeApproximately(10.719496587053566, 1e-6);
    }

    [Fact]
    public void A_constant_column_is_rejected_without_ridge()
    {
        var x = new double[,] { { 1, 5 }, { 2, 5 }, { 3, 5 }, { 4, 5 } };
        var y = new double[,] { { 1 }, { 3 }, { 2 }, { 5 } };
        var act = () => new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = 0 }).Estimate(x, y);

        act.Should().Throw<ArgumentException>().WithMessage("*x column 1 is constant*");
    }

    [Fact]
    public void A_constant_column_contributes_nothing_with_the_default_ridge()
    {
        var x = new double[,] { { 1, 5 }, { 2, 5 }, { 3, 5 }, { 4, 5 }, { 6, 5 } };
        var xWithout = new double[,] { { 1 }, { 2 }, { 3 }, { 4 }, { 6 } };
        var y = new double[,] { { 1 }, { 3 }, { 2 }, { 5 }, { 4 } };
        // Plain form: the bias correction depends on the dimension, so it would differ by design.
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false });

        estimator.Estimate(x, y).Should().BeApproximately(estimator.Estimate(xWithout, y), 1e-12);
    }

    [Fact]
    public void A_negative_ridge_is_rejected_naming_the_option()
    {
        var act = () => new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = -1 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*Ridge*");
    }
}
