using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Information;

public class DiscreteMutualInformationEstimatorTests
{
    [Fact]
    public void Estimate_matches_the_hand_computed_plug_in_value()
    {
        // Joint counts: (0,0)=3, (0,1)=1, (1,0)=1, (1,1)=3 out of 8; marginals 1/2 each.
        int[] x = [0, 0, 0, 0, 1, 1, 1, 1];
        int[] y = [0, 0, 0, 1, 0, 1, 1, 1];
        double expected = 2 * (3.0 / 8 * Math.Log(3.0 / 8 / 0.25)) + 2 * (1.0 / 8 * Math.Log(1.0 / 8 / 0.25));

        new DiscreteMutualInformationEstimator().Estimate(x, y).Should().BeApproximately(expected, 1e-14);
    }

    [Fact]
    public void Tensor_rows_as_categories_give_the_label_vector_value()
    {
        int[] x = [2, 2, 7, 7, 7, 9, 9, 2];
        int[] y = [0, 1, 1, 1, 0, 0, 0, 1];
        var xa = new double[8, 1];
        var ya = new double[8, 1];
        for (int i = 0; i < 8; i++) { xa[i, 0] = x[i]; ya[i, 0] = y[i]; }
        var estimator = new DiscreteMutualInformationEstimator();

        estimator.Estimate(xa, ya).Should().BeApproximately(estimator.Estimate(x, y), 1e-14);
    }

    [Fact]
    public void Identical_variables_give_their_entropy()
    {
        int[] x = [0, 1, 2, 3, 0, 1, 2, 3];

        new DiscreteMutualInformationEstimator().Estimate(x, x).Should().BeApproximately(Math.Log(4), 1e-14);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        var act = () => new DiscreteMutualInformationEstimator().Estimate(new[] { 1, 2 }, new[] { 1 });

        act.Should().Throw<ArgumentException>().WithMessage("*x has 2 rows but y has 1*");
    }

    [Fact]
    public void Several_columns_form_one_joint_category_per_distinct_row()
    {
        // Four distinct rows of x, each paired with its own y: I = H(Y) = ln 4.
        var x = new double[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 }, { 0, 1 }, { 1, 1 } };
        var y = new double[,] { { 5 }, { 6 }, { 7 }, { 8 }, { 6 }, { 8 } };
        double h = -(2 * (1.0 / 6) * Math.Log(1.0 / 6) + 2 * (2.0 / 6) * Math.Log(2.0 / 6));

        new DiscreteMutualInformationEstimator().Estimate(x, y).Should().BeApproximately(h, 1e-14);
    }

    [Fact]
    public void The_estimate_is_symmetric_in_x_and_y_with_different_category_counts()
    {
        int[] x = [2, 2, 7, 7, 7, 9, 9, 2, 4];
        int[] y = [0, 1, 1, 1, 0, 0, 0, 1, 1];
        var xa = new double[9, 1];
        var ya = new double[9, 1];
        for (int i = 0; i < 9; i++) { xa[i, 0] = x[i]; ya[i, 0] = y[i]; }
        var estimator = new DiscreteMutualInformationEstimator();
        double expected = estimator.Estimate(x, y);

        expected.Should().BeGreaterThan(0);
        estimator.Estimate(y, x).Should().BeApproximately(expected, 1e-14);
        estimator.Estimate(ya, xa).Should().BeApproximately(expected, 1e-14);
        estimator.Estimate(xa, ya).Should().BeApproximately(expected, 1e-14);
    }

    [Fact]
    public void Independent_labels_give_zero()
    {
        int[] x = [0, 0, 1, 1];
        int[] y = [0, 1, 0, 1];

        new DiscreteMutualInformationEstimator().Estimate(x, y).Should().BeApproximately(0.0, 1e-15);
    }

    [Fact]
    public void Null_or_empty_label_vectors_are_rejected_naming_them()
    {
        var estimator = new DiscreteMutualInformationEstimator();

        FluentActions.Invoking(() => estimator.Estimate((int[])null!, new[] { 1 })).Should().Throw<ArgumentNullException>().WithParameterName("x");
        FluentActions.Invoking(() => estimator.Estimate(new[] { 1 }, (int[])null!)).Should().Throw<ArgumentNullException>().WithParameterName("y");
        FluentActions.Invoking(() => estimator.Estimate(Array.Empty<int>(), Array.Empty<int>()))
            .Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("discrete: needs at least 1 sample, got 0*");
        estimator.Name.Should().Be("discrete");
    }
}
