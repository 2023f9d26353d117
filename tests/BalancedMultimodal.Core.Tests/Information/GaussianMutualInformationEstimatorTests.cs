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
    public void A_constant_column_contributes_nothing_with_the_bias_correction_either()
    {
        // The defaults (Ridge 1e-8, bias correction on): a constant column has no sampling variability, so the
        // Wishart correction does not count it (it did, and moved 0.203 to -0.104 here).
        var x = new double[,] { { 1, 5 }, { 2, 5 }, { 3, 5 }, { 4, 5 }, { 6, 5 } };
        var xWithout = new double[,] { { 1 }, { 2 }, { 3 }, { 4 }, { 6 } };
        var y = new double[,] { { 1, -2 }, { 3, -2 }, { 2, -2 }, { 5, -2 }, { 4, -2 } };
        var yWithout = new double[,] { { 1 }, { 3 }, { 2 }, { 5 }, { 4 } };
        var estimator = new GaussianMutualInformationEstimator();

        double expected = estimator.Estimate(xWithout, yWithout);
        estimator.Estimate(x, y).Should().BeApproximately(expected, 1e-12);
        estimator.Estimate(x, yWithout).Should().BeApproximately(expected, 1e-12);
        estimator.Estimate(xWithout, y).Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Constant_columns_do_not_count_towards_the_sample_check_of_the_bias_correction()
    {
        // n = 4 with one varying column on each side passes (4 > 2); the two constant columns would make it 4 > 4.
        var x = new double[,] { { 1, 7 }, { 2, 7 }, { 4, 7 }, { 3, 7 } };
        var y = new double[,] { { 2, 0 }, { 1, 0 }, { 3, 0 }, { 5, 0 } };
        var xWithout = new double[,] { { 1 }, { 2 }, { 4 }, { 3 } };
        var yWithout = new double[,] { { 2 }, { 1 }, { 3 }, { 5 } };
        var estimator = new GaussianMutualInformationEstimator();

        estimator.Estimate(x, y).Should().BeApproximately(estimator.Estimate(xWithout, yWithout), 1e-12);
        var tooFew = () => estimator.Estimate(new double[,] { { 1, 7 }, { 2, 7 } }, new double[,] { { 2, 0 }, { 1, 0 } });
        tooFew.Should().Throw<ArgumentException>().WithMessage("*constant columns not counted*n = 2 and d_x + d_y = 2*");
    }

    [Fact]
    public void A_negative_ridge_is_rejected_naming_the_option()
    {
        var act = () => new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = -1 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*Ridge*");
    }

    [Theory]
    [InlineData(1, 5, 0.19314718055994531)]   // 1/2 [psi(2) - psi(3/2)] = ln 2 - 1/2
    [InlineData(1, 3, 0.69314718055994531)]   // 1/2 [psi(1) - psi(1/2)] = ln 2
    [InlineData(2, 6, 0.33333333333333333)]   // 1/2 [psi(5/2) - psi(3/2)] = 1/3
    public void The_bias_correction_subtracts_the_expected_wishart_log_determinant_difference(int dx, int n, double expected)
    {
        // With d_y = 1 the correction is 1/2 [sum_{i <= d_x} psi((n - i)/2) + psi((n - 1)/2) - sum_{i <= d_x + 1} psi((n - i)/2)],
        // which does not depend on the data.
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var x = randn(new long[] { n, dx }, dtype: ScalarType.Float64, generator: generator);
        var y = randn(new long[] { n, 1 }, dtype: ScalarType.Float64, generator: generator);
        var options = new GaussianMutualInformationEstimatorOptions { Ridge = 0, BiasCorrection = false };
        double plain = new GaussianMutualInformationEstimator(options).Estimate(x, y);
        options.BiasCorrection = true;

        double corrected = new GaussianMutualInformationEstimator(options).Estimate(x, y);

        (plain - corrected).Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void The_estimate_does_not_depend_on_the_scale_or_offset_of_the_columns()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(200, 2, 0.6, seed: 13);
        var estimator = new GaussianMutualInformationEstimator();
        var scaled = x * tensor(new[] { 1000.0, 0.001 }) + 7.0;

        estimator.Estimate(scaled, y * -3.0).Should().BeApproximately(estimator.Estimate(x, y), 1e-10);
    }

    [Fact]
    public void The_options_are_copied_and_exposed()
    {
        var options = new GaussianMutualInformationEstimatorOptions { BiasCorrection = false };
        var estimator = new GaussianMutualInformationEstimator(options);
        options.BiasCorrection = true;

        estimator.BiasCorrection.Should().BeFalse();
        estimator.Name.Should().Be("gaussian");
        new GaussianMutualInformationEstimator().BiasCorrection.Should().BeTrue();
        new GaussianMutualInformationEstimator(Microsoft.Extensions.Options.Options.Create(options)).BiasCorrection.Should().BeTrue();
        FluentActions.Invoking(() => new GaussianMutualInformationEstimator((IOptions<GaussianMutualInformationEstimatorOptions>)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_finite_ridge_is_rejected_naming_the_option(double ridge)
    {
        var act = () => new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = ridge });

        act.Should().Throw<OptionsValidationException>().WithMessage("*Ridge must be finite and >= 0*");
    }

    [Fact]
    public void A_constant_y_column_is_rejected_without_ridge_naming_y()
    {
        var x = new double[,] { { 1 }, { 2 }, { 3 }, { 4 } };
        var y = new double[,] { { 1, 7 }, { 3, 7 }, { 2, 7 }, { 5, 7 } };
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = 0 });

        FluentActions.Invoking(() => estimator.Estimate(x, y))
            .Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("gaussian: y column 1 is constant*");
        FluentActions.Invoking(() => estimator.Estimate(y, x))
            .Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("gaussian: x column 1 is constant*");
    }

    [Fact]
    public void A_constant_first_y_column_is_named_as_y_column_0()
    {
        var x = new double[,] { { 1 }, { 2 }, { 3 }, { 4 } };
        var y = new double[,] { { 7, 1 }, { 7, 3 }, { 7, 2 }, { 7, 5 } };
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = 0 });

        FluentActions.Invoking(() => estimator.Estimate(x, y))
            .Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("gaussian: y column 0 is constant*");
    }

    [Fact]
    public void Collinear_columns_without_ridge_are_rejected_as_singular()
    {
        var x = new double[,] { { 1, 2 }, { 2, 4 }, { 3, 6 }, { 5, 10 }, { 4, 8 } };
        var y = new double[,] { { 1 }, { 3 }, { 2 }, { 5 }, { 4 } };
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = 0, BiasCorrection = false });

        var act = () => estimator.Estimate(x, y);

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("gaussian: the sample covariance is singular in x's block*");
    }

    [Fact]
    public void A_singular_block_of_y_is_reported_against_y()
    {
        // Before the fix every singular block was reported against x.
        var x = new double[,] { { 1 }, { 3 }, { 2 }, { 5 }, { 4 } };
        var y = new double[,] { { 1, 2 }, { 2, 4 }, { 3, 6 }, { 5, 10 }, { 4, 8 } };
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = 0, BiasCorrection = false });

        var act = () => estimator.Estimate(x, y);

        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("gaussian: the sample covariance is singular in y's block*");
    }

    [Fact]
    public void A_singular_joint_block_with_regular_margins_is_reported_against_y()
    {
        // y = 2 x: each block is regular (one varying column), the joint one is singular; a column of y depends on x.
        var x = new double[,] { { 1 }, { 2 }, { 3 }, { 5 }, { 4 } };
        var y = new double[,] { { 2 }, { 4 }, { 6 }, { 10 }, { 8 } };
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { Ridge = 0, BiasCorrection = false });

        var act = () => estimator.Estimate(x, y);

        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("gaussian: the sample covariance is singular in the joint block*");
    }

    [Theory]
    [InlineData(1, 0.5, 0.14384103622589045)]   // -1/2 ln 0.75
    [InlineData(3, -0.5, 0.43152310867767135)]  // -3/2 ln 0.75
    public void The_analytic_value_is_minus_half_d_log_one_minus_rho_squared(int d, double rho, double expected)
    {
        GaussianMutualInformationEstimator.AnalyticCorrelatedVectors(d, rho).Should().BeApproximately(expected, 1e-15);
    }

    [Fact]
    public void The_analytic_value_rejects_a_dimension_below_one_and_a_correlation_outside_minus_one_to_one()
    {
        FluentActions.Invoking(() => GaussianMutualInformationEstimator.AnalyticCorrelatedVectors(0, 0.5))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("dimension");
        FluentActions.Invoking(() => GaussianMutualInformationEstimator.AnalyticCorrelatedVectors(1, 1.0))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rho");
        FluentActions.Invoking(() => GaussianMutualInformationEstimator.AnalyticCorrelatedVectors(1, -1.0))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rho");
        FluentActions.Invoking(() => GaussianMutualInformationEstimator.AnalyticCorrelatedVectors(1, double.NaN))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rho");
    }
}
