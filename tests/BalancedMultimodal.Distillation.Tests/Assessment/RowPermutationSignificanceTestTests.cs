using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using FluentAssertions;
using MathNet.Numerics.Distributions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

public class RowPermutationSignificanceTestTests
{
    /// <summary>Core's closed-form Gaussian estimator without the bias correction, whose null bias is known.</summary>
    private static GaussianMutualInformationEstimator Gaussian() => new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false });

    private static (double[,] X, double[,] Y) Pairs(double rho, int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 1];
        var y = new double[n, 1];
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = Normal.Sample(random, 0, 1);
            y[i, 0] = rho * x[i, 0] + Math.Sqrt(1 - rho * rho) * Normal.Sample(random, 0, 1);
        }
        return (x, y);
    }

    [Fact]
    public void Dependent_data_get_the_smallest_p_value_one_over_one_plus_p()
    {
        var (x, y) = Pairs(0.5, 300, 1);
        var result = new RowPermutationSignificanceTest().Test(Gaussian(), x, y, 99, 3);

        result.PValue.Should().Be(0.01);
        result.Observed.Should().Be(Gaussian().Estimate(x, y), "the observed value is the estimator's value on the original pairing");
        result.Permutations.Should().Be(99);
    }

    [Fact]
    public void Independent_data_get_a_large_p_value_and_a_null_mean_near_the_observed_value()
    {
        var (x, y) = Pairs(0, 300, 2);
        var result = new RowPermutationSignificanceTest().Test(Gaussian(), x, y, 199, 3);

        result.PValue.Should().BeGreaterThan(0.05);
        result.Observed.Should().Be(Gaussian().Estimate(x, y));
        // Each null value is -1/2 ln(1 - r^2) ~ r^2 / 2 with E[r^2] = 1 / (n - 1) under permutation, so the null mean is
        // about d_x d_y / (2n) = 0.00167; one null value has sd ~ sqrt(2) / (2n) = 0.0024, the mean of 199 about
        // 0.00017. 0.0006 is 3.5 of those standard errors (a null mean of 0, or the bias-corrected estimator's, fails).
        result.NullMean.Should().BeApproximately(0.5 / 300, 0.0006, "the Gaussian estimator's bias under independence is about d_x d_y / (2n)");
    }

    [Fact]
    public void The_p_value_counts_null_values_at_least_the_observed_one_with_add_one_smoothing()
    {
        // An estimator returning the first column's first value of y: observed 3, nulls are the shuffled first values.
        var y = new double[,] { { 3 }, { 1 }, { 5 }, { 2 } };
        var result = new RowPermutationSignificanceTest().Test(new FirstValueEstimator(), new double[4, 1], y, 1000, 1);

        // Under shuffling y[0] is 3 or 5 (>= 3) with probability 1/2.
        result.PValue.Should().BeApproximately(0.5, 0.05);
        result.Permutations.Should().Be(1000);
    }

    [Fact]
    public void Mismatched_row_counts_are_rejected()
    {
        var act = () => new RowPermutationSignificanceTest().Test(Gaussian(), new double[5, 1], new double[4, 1], 9, 0);

        act.Should().Throw<ArgumentException>().WithParameterName("y");
    }

    private sealed class FirstValueEstimator : IMutualInformationEstimator
    {
        public string Name => "first-value";

        public double Estimate(Tensor x, Tensor y) => y[0, 0].to(ScalarType.Float64).item<double>();

        public double Estimate(double[,] x, double[,] y) => y[0, 0];
    }

    [Fact]
    public void Null_arguments_are_rejected_naming_them()
    {
        var test = new RowPermutationSignificanceTest();
        var x = new double[4, 1];

        FluentActions.Invoking(() => test.Test(null!, x, x, 9, 0)).Should().Throw<ArgumentNullException>().WithParameterName("estimator");
        FluentActions.Invoking(() => test.Test(Gaussian(), null!, x, 9, 0)).Should().Throw<ArgumentNullException>().WithParameterName("x");
        FluentActions.Invoking(() => test.Test(Gaussian(), x, null!, 9, 0)).Should().Throw<ArgumentNullException>().WithParameterName("y");
    }

    [Fact]
    public void Fewer_than_one_permutation_is_rejected()
    {
        var x = new double[4, 1];

        var act = () => new RowPermutationSignificanceTest().Test(Gaussian(), x, x, 0, 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("permutations");
    }

    [Fact]
    public void Unpaired_rows_are_rejected_naming_both_counts()
    {
        var act = () => new RowPermutationSignificanceTest().Test(Gaussian(), new double[3, 1], new double[4, 1], 9, 0);

        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("x has 3 rows but y has 4; rows must be paired.*");
    }
}
