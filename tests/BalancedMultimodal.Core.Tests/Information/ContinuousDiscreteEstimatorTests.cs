using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Information;

public class ContinuousDiscreteEstimatorTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Estimate_matches_scikit_learn_compute_mi_cd_to_1e10(int k)
    {
        var (c, labels) = MiFixtures.Columns("cd.csv");
        var estimator = new ContinuousDiscreteEstimator(new ContinuousDiscreteEstimatorOptions { K = k });

        estimator.Estimate(c, labels).Should().BeApproximately(MiFixtures.Expected("cd.csv", k), 1e-10);
    }

    [Fact]
    public void Typed_label_overload_gives_the_same_value_as_the_label_column()
    {
        var (c, labels) = MiFixtures.Columns("cd.csv");
        var typed = Enumerable.Range(0, labels.GetLength(0)).Select(i => (int)labels[i, 0]).ToArray();
        var estimator = new ContinuousDiscreteEstimator();

        estimator.Estimate(c, typed).Should().Be(estimator.Estimate(c, labels));
    }

    [Fact]
    public void Singleton_labels_are_dropped_as_in_scikit_learn()
    {
        var (c, labels) = MiFixtures.Columns("cd.csv");
        int n = c.GetLength(0);
        var typed = Enumerable.Range(0, n).Select(i => (int)labels[i, 0]).ToArray();
        var withSingleton = new double[n + 1, 1];
        for (int i = 0; i < n; i++) withSingleton[i, 0] = c[i, 0];
        withSingleton[n, 0] = 0.123;
        var estimator = new ContinuousDiscreteEstimator();

        estimator.Estimate(withSingleton, typed.Append(99).ToArray())
            .Should().BeApproximately(estimator.Estimate(c, typed), 1e-12);
    }

    [Fact]
    public void A_single_class_is_rejected()
    {
        var estimator = new ContinuousDiscreteEstimator();
        var act = () => estimator.Estimate(new double[,] { { 0.1 }, { 0.2 }, { 0.3 }, { 0.4 }, { 0.5 } }, new[] { 1, 1, 1, 1, 1 });

        act.Should().Throw<ArgumentException>().WithMessage("*single class*");
    }

    [Fact]
    public void Non_integer_labels_are_rejected_naming_the_row()
    {
        var estimator = new ContinuousDiscreteEstimator();
        var act = () => estimator.Estimate(new double[,] { { 0.1 }, { 0.2 }, { 0.3 }, { 0.4 } }, new double[,] { { 0 }, { 1 }, { 1.5 }, { 0 } });

        act.Should().Throw<ArgumentException>().WithMessage("*row 2*");
    }

    [Fact]
    public void Duplicated_feature_values_give_the_exact_value_of_the_formula_with_zero_radii()
    {
        // Values 0 and 2 carry label 0, values 1 and 3 label 1, ten rows each: every row has nine same-label
        // duplicates, so its k = 3rd same-label neighbour sits at distance d_i = 0 and m_i counts the ten rows at
        // distance exactly 0 (all of its own label). With N' = 40, k_i = 3, N_l = 20, m_i = 10 the formula gives
        // psi(40) + psi(3) - psi(20) - psi(10) = -0.6231648721755598 (scipy.special.digamma; scikit-learn 1.2.1's
        // _compute_mi_cd computes the same value before clipping it to 0). Not clipped here.
        var features = new double[40, 1];
        var labels = new int[40];
        for (int i = 0; i < 40; i++) { features[i, 0] = i % 4; labels[i] = i % 2; }
        var estimator = new ContinuousDiscreteEstimator();

        estimator.Estimate(features, labels).Should().BeApproximately(-0.6231648721755598, 1e-12);
    }
}
