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

    [Fact]
    public void The_interval_is_the_linearly_interpolated_percentiles_of_the_resampled_estimates()
    {
        using var scope = NewDisposeScope();
        // Observed 2.5, then eleven resampled estimates 0..10 in scrambled order; level 0.8 takes the 10th and 90th
        // percentiles: R type 7 on 0..10 gives 1 and 9 (up to the rounding of 1 - 0.8).
        var estimator = new ScriptedEstimator(2.5, 7, 3, 10, 0, 5, 1, 9, 2, 8, 4, 6);
        var bootstrap = new BootstrapConfidenceInterval(estimator, new BootstrapOptions { Resamples = 11, ConfidenceLevel = 0.8 });

        var interval = bootstrap.Compute(arange(6.0), arange(6.0));

        interval.Estimate.Should().Be(2.5);
        interval.Lower.Should().BeApproximately(1.0, 1e-12);
        interval.Upper.Should().BeApproximately(9.0, 1e-12);
        interval.ConfidenceLevel.Should().Be(0.8);
        interval.Resamples.Should().Be(11);
    }

    [Fact]
    public void Percentiles_between_two_estimates_are_interpolated()
    {
        using var scope = NewDisposeScope();
        // Estimates 0, 1, 2, 3 at level 0.5: R type 7 puts the 25th percentile at 0.75 and the 75th at 2.25.
        var bootstrap = new BootstrapConfidenceInterval(new ScriptedEstimator(9, 3, 0, 2, 1), new BootstrapOptions { Resamples = 4, ConfidenceLevel = 0.5 });

        var interval = bootstrap.Compute(arange(5.0), arange(5.0));

        interval.Lower.Should().BeApproximately(0.75, 1e-15);
        interval.Upper.Should().BeApproximately(2.25, 1e-15);
    }

    [Fact]
    public void Resamples_draw_whole_rows_with_replacement_keeping_x_and_y_paired()
    {
        using var scope = NewDisposeScope();
        var estimator = new ScriptedEstimator();
        var x = arange(10.0);

        var interval = new BootstrapConfidenceInterval(estimator, new BootstrapOptions { Resamples = 30, Seed = 4 }).Compute(x, x * 10);

        estimator.SeenX.Should().HaveCount(31);
        estimator.SeenX[0].Should().Equal(Enumerable.Range(0, 10).Select(i => (double)i));
        var resampled = estimator.SeenX.Skip(1).ToArray();
        for (int b = 0; b < resampled.Length; b++)
        {
            resampled[b].Should().HaveCount(10).And.OnlyContain(v => v >= 0 && v <= 9 && v == Math.Floor(v));
            estimator.SeenY[b + 1].Should().Equal(resampled[b].Select(v => 10 * v), "row i of y goes with row i of x");
        }
        resampled.Should().Contain(r => r.Distinct().Count() < 10, "drawing with replacement repeats rows");
        resampled.SelectMany(r => r).Distinct().Should().HaveCount(10, "every row can be drawn");
        resampled.Select(r => string.Join(",", r)).Distinct().Should().HaveCount(30);
        interval.Resamples.Should().Be(30);
        interval.ConfidenceLevel.Should().Be(0.95);
    }

    [Fact]
    public void The_default_options_draw_200_resamples_at_level_0_95()
    {
        using var scope = NewDisposeScope();
        var estimator = new ScriptedEstimator();

        var interval = new BootstrapConfidenceInterval(estimator).Compute(arange(4.0), arange(4.0));

        interval.Should().Be(new ConfidenceInterval(0, 0, 0, 0.95, 200));
        estimator.SeenX.Should().HaveCount(201);
    }

    [Fact]
    public void Array_input_computes_the_interval_of_the_same_values()
    {
        var estimator = new ScriptedEstimator(1.5, 1, 2);

        var interval = new BootstrapConfidenceInterval(estimator, new BootstrapOptions { Resamples = 2, ConfidenceLevel = 0.5 })
            .Compute(new double[,] { { 1 }, { 2 } }, new double[,] { { 3 }, { 4 } });

        interval.Should().Be(new ConfidenceInterval(1.5, 1.25, 1.75, 0.5, 2));
        estimator.SeenX[0].Should().Equal(1, 2);
        estimator.SeenY[0].Should().Equal(3, 4);
    }

    [Fact]
    public void Null_arguments_and_invalid_options_are_rejected_naming_them()
    {
        using var scope = NewDisposeScope();
        var bootstrap = new BootstrapConfidenceInterval(new ScriptedEstimator());

        FluentActions.Invoking(() => bootstrap.Compute(null!, zeros(3))).Should().Throw<ArgumentNullException>().WithParameterName("x");
        FluentActions.Invoking(() => bootstrap.Compute(zeros(3), null!)).Should().Throw<ArgumentNullException>().WithParameterName("y");
        FluentActions.Invoking(() => new BootstrapConfidenceInterval(null!)).Should().Throw<ArgumentNullException>().WithParameterName("estimator");
        FluentActions.Invoking(() => new BootstrapConfidenceInterval(new ScriptedEstimator(), (IOptions<BootstrapOptions>)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new BootstrapConfidenceInterval(new ScriptedEstimator(), new BootstrapOptions { Resamples = 1 }))
            .Should().Throw<OptionsValidationException>().WithMessage("*Resamples must be at least 2, got 1*");
        FluentActions.Invoking(() => new BootstrapConfidenceInterval(new ScriptedEstimator(), new BootstrapOptions { ConfidenceLevel = 0 }))
            .Should().Throw<OptionsValidationException>().WithMessage("*ConfidenceLevel must lie in (0, 1), got 0*");
        new BootstrapConfidenceInterval(new ScriptedEstimator(), Microsoft.Extensions.Options.Options.Create(new BootstrapOptions { Resamples = 2 }))
            .Compute(zeros(3), zeros(3)).Resamples.Should().Be(2);
    }

    [Fact]
    public void A_non_finite_estimate_is_refused_naming_the_estimator_and_the_resample()
    {
        // A NaN resample made the interval NaN.
        using var scope = NewDisposeScope();
        var bootstrap = new BootstrapConfidenceInterval(new ScriptedEstimator(1, 2, double.NaN, 3), new BootstrapOptions { Resamples = 3 });

        var act = () => bootstrap.Compute(randn(10, 1, dtype: ScalarType.Float64), randn(10, 1, dtype: ScalarType.Float64));

        act.Should().Throw<InvalidOperationException>().WithMessage("The estimator 'scripted' returned NaN for resample 2 of 3*");
        var observedNaN = new BootstrapConfidenceInterval(new ScriptedEstimator(double.NegativeInfinity), new BootstrapOptions { Resamples = 3 });
        FluentActions.Invoking(() => observedNaN.Compute(randn(10, 1, dtype: ScalarType.Float64), randn(10, 1, dtype: ScalarType.Float64)))
            .Should().Throw<InvalidOperationException>().WithMessage("*returned -Infinity for the original sample*");
    }
}
