using BalancedMultimodal.Distillation.Assessment;
using FluentAssertions;
using MathNet.Numerics.Distributions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

public class PrincipalComponentProjectionTests
{
    [Fact]
    public void Rank_one_data_project_onto_one_component_with_the_full_spread()
    {
        // Rows t_i * (1, 2, 2) / 3 + offset: the first score is t_i - mean(t) up to sign, the second is zero.
        double[] t = [-2, -1, 0, 0.5, 3];
        var x = new double[5, 3];
        for (int i = 0; i < 5; i++)
        {
            x[i, 0] = t[i] / 3 + 1;
            x[i, 1] = 2 * t[i] / 3 - 4;
            x[i, 2] = 2 * t[i] / 3 + 0.5;
        }
        var scores = PrincipalComponentProjection.Project(x, 2);
        double mean = t.Average();

        for (int i = 0; i < 5; i++)
        {
            scores[i, 0].Should().BeApproximately(t[i] - mean, 1e-12);
            scores[i, 1].Should().BeApproximately(0, 1e-7);
        }
    }

    [Fact]
    public void Wide_data_give_the_scores_u_s_of_the_svd_of_the_centred_data()
    {
        var random = new Random(4);
        var wide = new double[6, 20];
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 20; j++)
                wide[i, j] = Normal.Sample(random, 0, 1);
        var centred = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(wide);
        var means = centred.ColumnSums() / 6;
        for (int j = 0; j < 20; j++)
            centred.SetColumn(j, centred.Column(j) - means[j]);
        var svd = centred.Svd(computeVectors: true);

        var scores = PrincipalComponentProjection.Project(wide, 3);

        scores.GetLength(1).Should().Be(3);
        for (int c = 0; c < 3; c++)
        {
            var reference = svd.U.Column(c) * svd.S[c];
            if (reference[reference.AbsoluteMaximumIndex()] < 0)
                reference = -reference;
            for (int i = 0; i < 6; i++)
                scores[i, c].Should().BeApproximately(reference[i], 1e-10);
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_finite_value_is_rejected_naming_its_row_and_column(double bad)
    {
        var x = new double[,] { { 1, 2, 3 }, { 4, 5, 6 }, { 7, bad, 9 }, { 1, 0, 1 } };

        var act = () => PrincipalComponentProjection.Project(x, 2);

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("*row 2, column 1*");
    }

    [Fact]
    public void Components_are_ordered_by_variance_and_signed_so_the_largest_score_is_positive()
    {
        // Centred, orthogonal columns with sums of squares 6 and 0.5: the scores are the columns themselves, up to the sign rule.
        var x = new double[,] { { -2, 0.1 }, { 1, 0.2 }, { 1, 0 }, { 0, -0.6 }, { 0, 0.3 } };

        var scores = PrincipalComponentProjection.Project(x, 2);

        Enumerable.Range(0, 5).Select(i => scores[i, 0]).Should().Equal([2, -1, -1, 0, 0], (a, b) => Math.Abs(a - b) < 1e-12);
        Enumerable.Range(0, 5).Select(i => scores[i, 1]).Should().Equal([-0.1, -0.2, 0, 0.6, -0.3], (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Column_means_are_removed_before_projecting()
    {
        var x = new double[,] { { 10, 5 }, { 11, 5 }, { 15, 5 } };

        var scores = PrincipalComponentProjection.Project(x, 1);

        scores.GetLength(1).Should().Be(1);
        Enumerable.Range(0, 3).Select(i => scores[i, 0]).Should().Equal([-2, -1, 3], (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Theory]
    [InlineData(5, 2)]
    [InlineData(1, 1)]
    public void At_most_min_of_rows_columns_and_components_are_returned(int components, int expected)
    {
        var x = new double[,] { { 1, 2 }, { 3, 1 }, { 0, 5 } };

        PrincipalComponentProjection.Project(x, components).GetLength(1).Should().Be(expected);
    }

    [Fact]
    public void Wide_data_with_two_rows_give_one_spread_component_and_a_zero_one()
    {
        var x = new double[,] { { 1, 2, 3 }, { 3, 2, 1 } };

        var scores = PrincipalComponentProjection.Project(x, 5);

        scores.GetLength(1).Should().Be(2);
        // Centred rows (-1, 0, 1) and (1, 0, -1): singular values 2 and 0, first scores +-sqrt(2).
        Math.Abs(scores[0, 0]).Should().BeApproximately(Math.Sqrt(2), 1e-12);
        scores[1, 0].Should().BeApproximately(-scores[0, 0], 1e-12);
        scores[0, 1].Should().BeApproximately(0, 1e-7);
        scores[1, 1].Should().BeApproximately(0, 1e-7);
    }

    [Fact]
    public void Fewer_than_one_component_is_rejected()
    {
        var act = () => PrincipalComponentProjection.Project(new double[3, 2], 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("components");
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(3, 0)]
    public void Fewer_than_two_rows_or_no_column_is_rejected(int rows, int columns)
    {
        var act = () => PrincipalComponentProjection.Project(new double[rows, columns], 1);

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage($"PCA needs at least 2 rows and 1 column; x is {rows} x {columns}.*");
    }

    [Theory]
    [InlineData(2)]   // d <= n: the columns route
    [InlineData(7)]   // d > n: the rows route
    public void A_component_far_below_the_largest_keeps_its_scores(int columns)
    {
        // Centred rows (2, -1, -1) e_1 and (2, -1, -1) 1e-9 e_2: singular values sqrt 6 and sqrt 6 1e-9. Through the
        // scatter matrix (whose eigenvalues are their squares) the second component came out a factor 2 off, or 0.
        var x = new double[6, columns];
        x[0, 0] = 2; x[1, 0] = -1; x[2, 0] = -1; x[3, 1] = 2e-9; x[4, 1] = -1e-9; x[5, 1] = -1e-9;

        var scores = PrincipalComponentProjection.Project(x, 2);

        Enumerable.Range(0, 6).Select(i => scores[i, 0]).Should().Equal([2, -1, -1, 0, 0, 0], (a, b) => Math.Abs(a - b) < 1e-14);
        Enumerable.Range(0, 6).Select(i => scores[i, 1]).Should().Equal([0, 0, 0, 2e-9, -1e-9, -1e-9], (a, b) => Math.Abs(a - b) < 1e-22);
    }
}

