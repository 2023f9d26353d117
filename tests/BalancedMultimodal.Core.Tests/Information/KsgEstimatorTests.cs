using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

public class KsgEstimatorTests
{
    [Theory]
    [InlineData("cc_rho0.0.csv", 3)]
    [InlineData("cc_rho0.0.csv", 5)]
    [InlineData("cc_rho0.5.csv", 3)]
    [InlineData("cc_rho0.5.csv", 5)]
    [InlineData("cc_rho0.9.csv", 3)]
    [InlineData("cc_rho0.9.csv", 5)]
    public void Estimate_matches_scikit_learn_compute_mi_cc_to_1e10(string file, int k)
    {
        var (x, y) = MiFixtures.Columns(file);
        var estimator = new KsgEstimator(new KsgEstimatorOptions { K = k });

        estimator.Estimate(x, y).Should().BeApproximately(MiFixtures.Expected(file, k), 1e-10);
    }

    [Fact]
    public void Small_blocks_give_the_same_estimate_as_one_block()
    {
        var (x, y) = MiFixtures.Columns("cc_rho0.5.csv");

        new KsgEstimator(new KsgEstimatorOptions { BlockSize = 7 }).Estimate(x, y)
            .Should().BeApproximately(new KsgEstimator().Estimate(x, y), 1e-12);
    }

    [Theory]
    [InlineData(1, 0.9)]
    [InlineData(2, 0.5)]
    public void Estimate_is_within_0_05_nats_of_the_analytic_value_for_correlated_gaussians(int d, double rho)
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(2000, d, rho, seed: 11);

        new KsgEstimator().Estimate(x, y).Should().BeApproximately(CorrelatedGaussian.Truth(d, rho), 0.05);
    }

    [Fact]
    public void Float32_tensors_give_the_estimate_of_their_float64_values()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(300, 2, 0.5, seed: 3);
        var x32 = x.to_type(ScalarType.Float32);
        var y32 = y.to_type(ScalarType.Float32);
        var estimator = new KsgEstimator();

        estimator.Estimate(x32, y32).Should().Be(estimator.Estimate(x32.to_type(ScalarType.Float64), y32.to_type(ScalarType.Float64)));
    }

    [Fact]
    public void Vectors_of_shape_n_give_the_same_estimate_as_single_columns()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(200, 1, 0.5, seed: 4);
        var estimator = new KsgEstimator();

        estimator.Estimate(x.squeeze(1), y.squeeze(1)).Should().Be(estimator.Estimate(x, y));
    }

    [Fact]
    public void Quantised_data_with_many_duplicates_match_scikit_learn_compute_mi_cc_before_its_clipping()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(500, 1, 0.9, seed: 5);
        // Rounding to 0.5 leaves 12 distinct x, 13 distinct y and 51 distinct pairs among the 500 points: most
        // points have k duplicates, so eps_i = 0 and n_x, n_y count the marginal duplicates. Expected value: these 500
        // rounded pairs (multiples of 0.5, so exact in text) written out and passed to scikit-learn 1.2.1's
        // _compute_mi_cc(x, y, n_neighbors=3) with its final `max(0, mi)` removed (this estimator does not clip;
        // scikit-learn returns 0 here): -1.1181940087366895. Strongly negative: duplicates bias KSG, as documented.
        double mi = new KsgEstimator().Estimate((x * 2).round() / 2, (y * 2).round() / 2);

        mi.Should().BeApproximately(-1.1181940087366895, 1e-10);
    }

    [Fact]
    public void Fewer_than_k_plus_one_samples_are_rejected()
    {
        var act = () => new KsgEstimator().Estimate(new double[,] { { 1 }, { 2 }, { 3 } }, new double[,] { { 1 }, { 2 }, { 4 } });

        act.Should().Throw<ArgumentException>().WithMessage("*at least 4 samples*got 3*");
    }

    [Fact]
    public void Mismatched_row_counts_are_rejected()
    {
        var act = () => new KsgEstimator().Estimate(new double[5, 1], new double[6, 1]);

        act.Should().Throw<ArgumentException>().WithMessage("*x has 5 rows but y has 6*");
    }

    [Fact]
    public void A_NaN_is_rejected_naming_its_row_and_column()
    {
        var y = new double[6, 2];
        y[4, 1] = double.NaN;
        var act = () => new KsgEstimator().Estimate(new double[6, 1] { { 1 }, { 2 }, { 3 }, { 4 }, { 5 }, { 6 } }, y);

        act.Should().Throw<ArgumentException>().WithMessage("*y has a non-finite value (NaN) at row 4, column 1*");
    }

    [Fact]
    public void A_tensor_with_three_dimensions_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => new KsgEstimator().Estimate(zeros(10, 2, 2), zeros(10, 1));

        act.Should().Throw<ArgumentException>().WithMessage("*x must have shape (n) or (n, d)*");
    }

    [Fact]
    public void K_below_one_is_rejected_naming_the_option()
    {
        var act = () => new KsgEstimator(new KsgEstimatorOptions { K = 0 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*KsgEstimatorOptions.K*");
    }

    // Five points whose KSG counts are easy to check by hand; with integer counts, psi(m) = -gamma + H_{m-1}, so the
    // estimate H_{n-1} + H_{k-1} - <H_{n_x}> - <H_{n_y}> is a fraction (computed exactly with Python's fractions).
    private static readonly double[] SmallX = [0, 1, 3, 6, 10];
    private static readonly double[] SmallY = [0, 2, 1, 7, 8];

    [Theory]
    [InlineData(1, 23.0 / 60)]
    [InlineData(2, 41.0 / 60)]
    public void A_small_example_gives_the_hand_computed_value_with_strict_marginal_counts(int k, double expected)
    {
        // k = 1, point (3, 1): eps = 2 and the x distance 2 to (1, 2) is not below it, so n_x = 0.
        using var scope = NewDisposeScope();

        new KsgEstimator(new KsgEstimatorOptions { K = k }).Estimate(tensor(SmallX), tensor(SmallY)).Should().BeApproximately(expected, 1e-12);
    }

    [Theory]
    [InlineData(1, new long[] { 0, 1, 2, 3, 4 }, 23.0 / 60)]
    [InlineData(1, new long[] { 4, 3, 2, 1, 0 }, 59.0 / 60)]
    [InlineData(2, new long[] { 4, 3, 2, 1, 0 }, 5.0 / 12)]
    [InlineData(2, new long[] { 1, 0, 2, 3, 4 }, 31.0 / 60)]
    [InlineData(1, new long[] { 2, 4, 0, 1, 3 }, -11.0 / 60)]
    [InlineData(2, new long[] { 2, 4, 0, 1, 3 }, 3.0 / 20)]
    public void The_cached_permutation_estimate_is_the_hand_computed_value_of_the_permuted_pairs(int k, long[] permutation, double expected)
    {
        using var scope = NewDisposeScope();
        var ksg = new KsgEstimator(new KsgEstimatorOptions { K = k });

        var values = ksg.EstimateWithPermutedY(tensor(SmallX), tensor(SmallY), [permutation]);

        values.Should().ContainSingle().Which.Should().BeApproximately(expected, 1e-12);
        ksg.Estimate(tensor(SmallX), tensor(SmallY).index_select(0, tensor(permutation))).Should().BeApproximately(expected, 1e-12);
    }

    [Theory]
    [InlineData(1, 1.0 / 5)]
    [InlineData(2, 6.0 / 5)]
    public void Duplicated_points_count_the_marginal_duplicates_at_radius_zero(int k, double expected)
    {
        // (0, 0) and (1, 1) occur twice: for them eps = 0 with k = 1, and n_x, n_y count the points at distance exactly 0.
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 0, 0, 1, 1, 2, 2 });
        var y = tensor(new double[] { 0, 0, 1, 1, 1, 2 });
        var ksg = new KsgEstimator(new KsgEstimatorOptions { K = k });

        ksg.Estimate(x, y).Should().BeApproximately(expected, 1e-12);
        ksg.EstimateWithPermutedY(x, y, [[0, 1, 2, 3, 4, 5]]).Should().ContainSingle().Which.Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void A_block_size_above_the_sample_count_gives_the_one_block_estimate()
    {
        var (x, y) = MiFixtures.Columns("cc_rho0.5.csv");

        new KsgEstimator(new KsgEstimatorOptions { BlockSize = 100_000 }).Estimate(x, y)
            .Should().BeApproximately(MiFixtures.Expected("cc_rho0.5.csv", 3), 1e-10);
    }

    [Fact]
    public void The_options_are_copied_and_exposed()
    {
        var options = new KsgEstimatorOptions { K = 5 };
        var ksg = new KsgEstimator(options);
        options.K = 2;

        ksg.K.Should().Be(5);
        ksg.Name.Should().Be("ksg");
        new KsgEstimator().K.Should().Be(3);
        new KsgEstimator(Microsoft.Extensions.Options.Options.Create(options)).K.Should().Be(2);
        FluentActions.Invoking(() => new KsgEstimator((IOptions<KsgEstimatorOptions>)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void A_negative_block_size_is_rejected_naming_the_option()
    {
        var act = () => new KsgEstimator(new KsgEstimatorOptions { BlockSize = -1 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*KsgEstimatorOptions.BlockSize must be 0 (automatic) or positive, got -1*");
    }

    [Theory]
    [InlineData(1, new long[] { 0, 1, 2, 3, 4 }, 0.0)]
    [InlineData(2, new long[] { 0, 1, 2, 3, 4 }, 3.0 / 5)]
    [InlineData(2, new long[] { 3, 0, 4, 1, 2 }, 3.0 / 5)]
    public void The_cached_permutation_estimate_is_right_when_every_x_neighbour_must_be_visited(int k, long[] permutation, double expected)
    {
        // The y spread (100 per step) dwarfs the x spread (1 per step): no x distance reaches the k-th joint distance,
        // so the host kernel walks every sorted x neighbour of every row; n_x = 4 and n_y = k - 1 for every row.
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 0, 1, 2, 3, 4 });
        var y = tensor(new double[] { 0, 100, 200, 300, 400 });

        new KsgEstimator(new KsgEstimatorOptions { K = k }).EstimateWithPermutedY(x, y, [permutation])
            .Should().ContainSingle().Which.Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Permuted_estimates_need_k_plus_one_rows_like_plain_ones()
    {
        using var scope = NewDisposeScope();
        var ksg = new KsgEstimator();

        var act = () => ksg.EstimateWithPermutedY(tensor(new double[] { 0, 1, 2 }), tensor(new double[] { 2, 1, 0 }), [[0, 1, 2]]);

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("ksg: needs at least 4 samples (rows), got 3*");
    }
}
