using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

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

    [Fact]
    public void A_small_example_gives_the_hand_computed_value_with_k_capped_at_the_label_size_minus_one()
    {
        // Label 0 at 0, 1, 3 (N_0 = 3, k_i = min(3, 2) = 2): d_i = 3, 2, 3 and m_i = #{j : |c_j - c_i| < d_i} = 2, 2, 2.
        // Label 1 at 10, 11 (N_1 = 2, k_i = 1): d_i = 1, m_i = 1. With N' = 5:
        // psi(5) + (3 psi(2) + 2 psi(1))/5 - (3 psi(3) + 2 psi(2))/5 - (3 psi(2) + 2 psi(1))/5 = 25/12 - 13/10 = 47/60.
        var features = new double[,] { { 0 }, { 10 }, { 1 }, { 11 }, { 3 } };
        int[] labels = [0, 1, 0, 1, 0];

        new ContinuousDiscreteEstimator().Estimate(features, labels).Should().BeApproximately(47.0 / 60, 1e-12);
    }

    [Fact]
    public void Two_feature_columns_use_the_max_norm()
    {
        // The second column repeats the first scaled by 1/2: the max-norm distance is the first column's, so the
        // estimate equals the one-column value of the example above.
        var features = new double[,] { { 0, 0 }, { 10, 5 }, { 1, 0.5 }, { 11, 5.5 }, { 3, 1.5 } };
        int[] labels = [0, 1, 0, 1, 0];

        new ContinuousDiscreteEstimator(new ContinuousDiscreteEstimatorOptions { BlockSize = 2 }).Estimate(features, labels)
            .Should().BeApproximately(47.0 / 60, 1e-12);
    }

    [Fact]
    public void Labels_that_all_occur_once_are_rejected()
    {
        var act = () => new ContinuousDiscreteEstimator().Estimate(new double[,] { { 0.1 }, { 0.2 }, { 0.3 } }, new[] { 4, 5, 6 });

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("mixed: every label occurs once*");
    }

    [Fact]
    public void A_single_class_is_rejected_naming_the_label()
    {
        var act = () => new ContinuousDiscreteEstimator().Estimate(new double[,] { { 0.1 }, { 0.2 }, { 0.3 } }, new[] { 7, 7, 7 });

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("mixed: labels holds a single class (7)*");
    }

    [Fact]
    public void A_label_tensor_with_two_columns_is_rejected()
    {
        var act = () => new ContinuousDiscreteEstimator().Estimate(new double[,] { { 0.1 }, { 0.2 }, { 0.3 } }, new double[,] { { 0, 1 }, { 1, 0 }, { 0, 1 } });

        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("mixed: y must be one column of integer labels, got 2 columns*");
    }

    [Theory]
    [InlineData(3e9)]
    [InlineData(-3e9)]
    public void A_label_outside_the_int_range_is_rejected_naming_the_row(double label)
    {
        var act = () => new ContinuousDiscreteEstimator().Estimate(new double[,] { { 0.1 }, { 0.2 }, { 0.3 } }, new double[,] { { 0 }, { label }, { 0 } });

        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("mixed: y must hold integer labels; row 1*");
    }

    [Fact]
    public void A_label_column_tensor_gives_the_typed_label_value()
    {
        using var scope = NewDisposeScope();
        var features = tensor(new[] { 0.0, 10, 1, 11, 3 });

        new ContinuousDiscreteEstimator().Estimate(features, tensor(new[] { 0L, 1, 0, 1, 0 })).Should().BeApproximately(47.0 / 60, 1e-12);
    }

    [Fact]
    public void Null_arguments_and_invalid_options_are_rejected_naming_them()
    {
        using var scope = NewDisposeScope();
        var estimator = new ContinuousDiscreteEstimator();

        FluentActions.Invoking(() => estimator.Estimate((Tensor)null!, new[] { 0, 1 })).Should().Throw<ArgumentNullException>().WithParameterName("x");
        FluentActions.Invoking(() => estimator.Estimate(zeros(2), (int[])null!)).Should().Throw<ArgumentNullException>().WithParameterName("labels");
        FluentActions.Invoking(() => new ContinuousDiscreteEstimator((IOptions<ContinuousDiscreteEstimatorOptions>)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new ContinuousDiscreteEstimator(new ContinuousDiscreteEstimatorOptions { K = 0 }))
            .Should().Throw<OptionsValidationException>().WithMessage("*ContinuousDiscreteEstimatorOptions.K must be at least 1, got 0*");
        FluentActions.Invoking(() => new ContinuousDiscreteEstimator(new ContinuousDiscreteEstimatorOptions { BlockSize = -1 }))
            .Should().Throw<OptionsValidationException>().WithMessage("*ContinuousDiscreteEstimatorOptions.BlockSize must be 0 (automatic) or positive, got -1*");
        estimator.Name.Should().Be("mixed");
    }

    [Fact]
    public void Typed_labels_of_the_wrong_length_or_a_single_class_are_blamed_on_labels()
    {
        // The typed overload named "y", a parameter it does not have.
        var estimator = new ContinuousDiscreteEstimator();
        var x = linspace(0, 1, 10, dtype: ScalarType.Float64);

        FluentActions.Invoking(() => estimator.Estimate(x, new int[11])).Should().Throw<ArgumentException>().WithParameterName("labels")
            .WithMessage("*x has 10 rows but labels has 11 entries*");
        FluentActions.Invoking(() => estimator.Estimate(x, new int[10])).Should().Throw<ArgumentException>().WithParameterName("labels")
            .WithMessage("*labels holds a single class (0)*");
        FluentActions.Invoking(() => estimator.Estimate(x, Enumerable.Range(0, 10).ToArray())).Should().Throw<ArgumentException>().WithParameterName("labels");
    }
}
