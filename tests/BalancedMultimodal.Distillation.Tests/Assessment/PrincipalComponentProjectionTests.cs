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
}
