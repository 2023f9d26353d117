using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

/// <summary>The input checks every estimator runs before any work (shared by all of them; exercised through public estimators).</summary>
public class MutualInformationInputTests
{
    [Fact]
    public void Null_tensors_are_rejected_naming_them()
    {
        using var scope = NewDisposeScope();
        var estimator = new KsgEstimator();

        FluentActions.Invoking(() => estimator.Estimate(null!, zeros(5))).Should().Throw<ArgumentNullException>().WithParameterName("x");
        FluentActions.Invoking(() => estimator.Estimate(zeros(5), null!)).Should().Throw<ArgumentNullException>().WithParameterName("y");
    }

    [Fact]
    public void Null_or_empty_arrays_are_rejected_naming_them_and_the_estimator()
    {
        var estimator = new GaussianMutualInformationEstimator();

        FluentActions.Invoking(() => estimator.Estimate(null!, new double[3, 1])).Should().Throw<ArgumentNullException>().WithParameterName("x");
        FluentActions.Invoking(() => estimator.Estimate(new double[3, 1], null!)).Should().Throw<ArgumentNullException>().WithParameterName("y");
        FluentActions.Invoking(() => estimator.Estimate(new double[0, 1], new double[3, 1]))
            .Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("gaussian: x must have at least one row and one column, got 0 x 1*");
        FluentActions.Invoking(() => estimator.Estimate(new double[3, 1], new double[3, 0]))
            .Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("gaussian: y must have at least one row and one column, got 3 x 0*");
    }

    [Fact]
    public void A_three_dimensional_y_is_rejected_naming_y_and_its_dimension_count()
    {
        using var scope = NewDisposeScope();

        var act = () => new DiscreteMutualInformationEstimator().Estimate(zeros(4), zeros(4, 1, 1));

        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("discrete: y must have shape (n) or (n, d), got 3 dimensions*");
    }

    [Fact]
    public void A_scalar_tensor_is_rejected()
    {
        using var scope = NewDisposeScope();

        var act = () => new DiscreteMutualInformationEstimator().Estimate(tensor(1.0), zeros(1));

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("*got 0 dimensions*");
    }

    [Fact]
    public void A_matrix_without_columns_is_rejected()
    {
        using var scope = NewDisposeScope();

        var act = () => new KsgEstimator().Estimate(zeros(6, 1), zeros(6, 0));

        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("ksg: y has no columns*");
    }

    [Theory]
    [InlineData(ScalarType.Bool)]
    [InlineData(ScalarType.ComplexFloat32)]
    [InlineData(ScalarType.ComplexFloat64)]
    public void Boolean_and_complex_tensors_are_rejected(ScalarType dtype)
    {
        using var scope = NewDisposeScope();

        var act = () => new DiscreteMutualInformationEstimator().Estimate(ones(4, dtype: dtype), zeros(4));

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage($"discrete: x must hold real numbers, got {dtype}*");
    }

    [Fact]
    public void Integer_tensors_are_accepted_as_their_float64_values()
    {
        using var scope = NewDisposeScope();
        var estimator = new DiscreteMutualInformationEstimator();

        estimator.Estimate(tensor(new long[] { 0, 0, 1, 1 }), tensor(new int[] { 3, 3, 5, 5 })).Should().BeApproximately(Math.Log(2), 1e-15);
    }

    [Fact]
    public void An_infinity_in_x_is_rejected_naming_x_its_row_and_column()
    {
        using var scope = NewDisposeScope();
        var x = zeros(5, 3, dtype: ScalarType.Float64);
        x[3, 2] = tensor(double.NegativeInfinity);

        var act = () => new KsgEstimator().Estimate(x, zeros(5));

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("ksg: x has a non-finite value (-*) at row 3, column 2*");
    }

    [Fact]
    public void Too_few_rows_are_rejected_naming_x_and_the_minimum()
    {
        var act = () => new GaussianMutualInformationEstimator().Estimate(new double[,] { { 1 } }, new double[,] { { 2 } });

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("gaussian: needs at least 2 samples (rows), got 1*");
    }

    [Fact]
    public void Exactly_the_minimum_number_of_rows_is_accepted()
    {
        // The discrete estimator's minimum is one row; a single joint category carries no information.
        double estimate = new DiscreteMutualInformationEstimator().Estimate(new double[,] { { 3 } }, new double[,] { { 5 } });

        estimate.Should().Be(0);
    }

    [Fact]
    public void Mismatched_rows_are_rejected_naming_y()
    {
        var act = () => new DiscreteMutualInformationEstimator().Estimate(new double[3, 1], new double[2, 1]);

        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("discrete: x has 3 rows but y has 2*");
    }
}
