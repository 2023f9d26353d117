using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Microsoft.Extensions.Options;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

public sealed class AffinityBuilderTests
{
    [Fact]
    public void Squared_euclidean_euclidean_and_cosine_distances_match_hand_values()
    {
        using var x = tensor(new double[,] { { 0, 0 }, { 3, 4 }, { 1, 0 } });

        using var squared = AffinityKernel.PairwiseDistances(x, DistanceMetric.SquaredEuclidean);
        using var euclidean = AffinityKernel.PairwiseDistances(x, DistanceMetric.Euclidean);
        using var y = tensor(new double[,] { { 1, 0 }, { 0, 2 }, { 1, 1 } });
        using var cosine = AffinityKernel.PairwiseDistances(y, DistanceMetric.Cosine);

        squared[0, 1].item<double>().Should().BeApproximately(25, 1e-13);
        squared[1, 2].item<double>().Should().BeApproximately(20, 1e-13);
        euclidean[0, 1].item<double>().Should().BeApproximately(5, 1e-14);
        cosine[0, 1].item<double>().Should().BeApproximately(1, 1e-15);
        cosine[0, 2].item<double>().Should().BeApproximately(1 - Math.Sqrt(0.5), 1e-15);
        cosine[2, 2].item<double>().Should().Be(0);
    }

    [Fact]
    public void Euclidean_distances_from_the_matrix_product_match_direct_differences_even_far_from_the_origin()
    {
        var generator = new Random(7);
        var rows = new double[60, 12];
        for (int i = 0; i < 60; i++)
            for (int j = 0; j < 12; j++)
                rows[i, j] = 1e6 + generator.NextDouble();
        for (int j = 0; j < 12; j++)
        {
            rows[5, j] = rows[4, j];                      // an exact duplicate
            rows[9, j] = rows[8, j] + (j == 0 ? 1e-9 : 0); // a near duplicate
        }
        using var x = tensor(rows);

        using var squared = AffinityKernel.PairwiseDistances(x, DistanceMetric.SquaredEuclidean);
        using var direct = cdist(x, x, 2.0, compute_mode.donot_use_mm_for_euclid_dist).square();

        squared[4, 5].item<double>().Should().Be(0, "duplicates must give exactly zero, as scipy's cdist does");
        squared[8, 9].item<double>().Should().BeApproximately(direct[8, 9].item<double>(), 1e-30);
        ((squared - direct).abs() / (direct + 1e-300)).max().item<double>().Should().BeLessThan(1e-9);
        (squared - squared.t()).abs().max().item<double>().Should().Be(0);
        squared.min().item<double>().Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public void Z_scores_use_ddof_1_and_leave_constant_columns_zero()
    {
        using var x = tensor(new double[,] { { 1, 7 }, { 2, 7 }, { 3, 7 } });

        using var z = AffinityKernel.ZScoreColumns(x);

        z[0, 0].item<double>().Should().BeApproximately(-1, 1e-15);
        z[2, 0].item<double>().Should().BeApproximately(1, 1e-15);
        z[TensorIndex.Colon, 1].abs().sum().item<double>().Should().Be(0);
    }

    [Fact]
    public void Kernel_matches_the_scaled_normal_density_by_hand()
    {
        // Three points on a line at 0, 1, 3 (squared distances 1, 9, 4), K = 1, mu = 0.5.
        using var d = tensor(new double[,] { { 0, 1, 9 }, { 1, 0, 4 }, { 9, 4, 0 } });

        using var w = AffinityKernel.ScaledExponential(d, 1, 0.5);

        double m0 = 1 + AffinityKernel.Epsilon, m1 = 1 + AffinityKernel.Epsilon, m2 = 4 + AffinityKernel.Epsilon;
        double sigma = (m0 + m2 + 9) / 3 + AffinityKernel.Epsilon, scale = 0.5 * sigma;
        double expected = Math.Exp(-(9 / scale) * (9 / scale) / 2) / Math.Sqrt(2 * Math.PI) / scale;
        w[0, 2].item<double>().Should().BeApproximately(expected, 1e-18);
        double sigma01 = (m0 + m1 + 1) / 3 + AffinityKernel.Epsilon;
        w[1, 0].item<double>().Should().BeApproximately(Math.Exp(-Math.Pow(1 / (0.5 * sigma01), 2) / 2) / Math.Sqrt(2 * Math.PI) / (0.5 * sigma01), 1e-15);
    }

    [Fact]
    public void Duplicate_samples_give_finite_affinities_and_a_finite_fusion()
    {
        using var g = new TorchSharp.torch.Generator(3);
        using var distinct = randn(30, 4, dtype: ScalarType.Float64, generator: g);
        using var features = cat(new[] { distinct, distinct[TensorIndex.Slice(0, 10)], distinct[TensorIndex.Slice(0, 10)] }, 0);
        var builder = new AffinityBuilder(new AffinityOptions { K = 2 });

        using var w = builder.Build(features);
        using var fused = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 5 }).Fuse(new[] { w, w.clone() });

        w.isfinite().all().item<bool>().Should().BeTrue();
        fused.isfinite().all().item<bool>().Should().BeTrue();
        // Sample 30 + i duplicates sample i: the same distances to every other sample, so the same affinity to each
        // of them (only its entries with itself and its twin differ by position).
        for (int i = 0; i < 10; i++)
        {
            var others = Enumerable.Range(0, 50).Where(j => j != i && j != 30 + i && j != 40 + i).Select(j => (long)j).ToArray();
            using var index = tensor(others);
            using var original = w[i].index_select(0, index);
            using var twin = w[30 + i].index_select(0, index);
            original.allclose(twin, rtol: 1e-12, atol: 0).Should().BeTrue($"sample {30 + i} duplicates sample {i}");
        }
    }

    [Fact]
    public void A_non_finite_feature_is_rejected_naming_sample_and_feature()
    {
        using var g = new TorchSharp.torch.Generator(101);
        using var x = randn(10, 3, dtype: ScalarType.Float64, generator: g);
        x[6, 2] = tensor(double.PositiveInfinity, dtype: ScalarType.Float64);

        var act = () => new AffinityBuilder(new AffinityOptions { K = 3 }).Build(x);

        act.Should().Throw<ArgumentException>().WithMessage("Sample 6, feature 2 is not finite*");
    }

    [Fact]
    public void K_not_below_the_sample_count_is_rejected()
    {
        using var g = new TorchSharp.torch.Generator(112);
        using var x = randn(10, 3, dtype: ScalarType.Float64, generator: g);
        var act = () => new AffinityBuilder(new AffinityOptions { K = 10 }).Build(x);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*K = 10 must be below the number of available samples (10)*");
    }

    [Fact]
    public void Changing_the_options_after_construction_does_not_change_the_builder()
    {
        using var g = new TorchSharp.torch.Generator(5);
        using var x = randn(10, 3, dtype: ScalarType.Float64, generator: g);
        using var expected = new AffinityBuilder(new AffinityOptions { K = 3 }).Build(x);
        var options = new AffinityOptions { K = 3 };
        var builder = new AffinityBuilder(options);

        options.K = 0;
        options.Mu = double.NaN;
        builder.Options.Mu = -1;
        builder.Options.ZScore = false;
        using var w = builder.Build(x);

        w.allclose(expected, rtol: 0, atol: 0).Should().BeTrue("the builder uses the options it was built with");
        builder.Options.K.Should().Be(3);
        builder.Options.Mu.Should().Be(0.5);
        builder.Options.ZScore.Should().BeTrue();
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.PositiveInfinity)]
    public void Non_positive_or_infinite_mu_is_rejected(double mu)
    {
        var act = () => new AffinityBuilder(new AffinityOptions { Mu = mu });
        act.Should().Throw<OptionsValidationException>().WithMessage("*AffinityOptions.Mu*");
    }

    [Fact]
    public void Cosine_affinity_rejects_an_all_zero_sample()
    {
        var rows = new double[8, 2];
        for (int i = 1; i < 8; i++) { rows[i, 0] = i; rows[i, 1] = 1; }
        var act = () => new AffinityBuilder(new AffinityOptions { K = 2, Metric = DistanceMetric.Cosine, ZScore = false }).Build(rows);
        act.Should().Throw<ArgumentException>().WithMessage("Sample 0 has an all-zero feature vector*");
    }

    [Fact]
    public void The_all_zero_sample_is_named_by_its_own_row_when_earlier_samples_are_unavailable()
    {
        var rows = new double[10, 2];
        for (int i = 0; i < 10; i++) { rows[i, 0] = i + 1; rows[i, 1] = 1; }
        rows[5, 0] = rows[5, 1] = 0;
        var available = Enumerable.Range(0, 10).Select(i => i >= 2).ToArray();

        var act = () => new AffinityBuilder(new AffinityOptions { K = 2, Metric = DistanceMetric.Cosine, ZScore = false }).Build(rows, available);

        act.Should().Throw<ArgumentException>().WithMessage("Sample 5 has an all-zero feature vector*");
    }

    [Fact]
    public void Finite_features_whose_distances_overflow_are_rejected_naming_the_samples()
    {
        var rows = new double[30, 4];
        var random = new Random(3);
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < 4; j++) rows[i, j] = (random.NextDouble() - 0.5) * 1e300;

        var act = () => new AffinityBuilder(new AffinityOptions { K = 5, ZScore = false }).Build(rows);

        act.Should().Throw<ArgumentException>().WithMessage("The distance between samples * and * overflows Float64*rescale*").And.ParamName.Should().Be("features");
    }

    [Fact]
    public void Views_of_different_sample_counts_are_rejected_before_any_is_built()
    {
        using var scope = NewDisposeScope();
        var views = new[] { randn(30, 4, dtype: ScalarType.Float64), randn(20, 4, dtype: ScalarType.Float64) };
        long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        var act = () => new AffinityBuilder(new AffinityOptions { K = 5 }).Build(views);

        act.Should().Throw<ArgumentException>().WithMessage("Modality 1 has 20 samples of Float64*modality 0 has 30*").And.ParamName.Should().Be("views");
        DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before, "no affinity was built");
    }

    [Fact]
    public void A_wrapped_view_error_names_the_parameter_once()
    {
        using var scope = NewDisposeScope();
        var bad = randn(30, 4, dtype: ScalarType.Float64);
        bad[3, 1] = tensor(double.NaN);

        var act = () => new AffinityBuilder(new AffinityOptions { K = 5 }).Build([randn(30, 4, dtype: ScalarType.Float64), bad]);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .StartWith("Modality 1: Sample 3, feature 1 is not finite").And.Contain("(Parameter 'views')").And.NotContain("(Parameter 'features')");
    }

    [Fact]
    public void The_kernel_functions_reject_non_finite_features_and_negative_distances()
    {
        using var scope = NewDisposeScope();
        var features = randn(6, 3, dtype: ScalarType.Float64);
        features[2, 0] = tensor(double.PositiveInfinity);
        var distances = zeros(6, 6, dtype: ScalarType.Float64);
        distances[1, 4] = tensor(-0.5);

        ((Action)(() => AffinityKernel.ZScoreColumns(features))).Should().Throw<ArgumentException>().WithMessage("*row 2, column 0 is not finite*");
        ((Action)(() => AffinityKernel.PairwiseDistances(features, DistanceMetric.Euclidean))).Should().Throw<ArgumentException>().WithMessage("*row 2, column 0*");
        ((Action)(() => AffinityKernel.ScaledExponential(distances, 2, 0.5))).Should().Throw<ArgumentException>()
            .WithMessage("Distance (1, 4) is -0.5*non-negative*").And.ParamName.Should().Be("distances");
    }

    [Fact]
    public void The_kernel_rejects_distances_with_a_non_zero_diagonal_or_that_are_not_symmetric()
    {
        // Its K nearest neighbours are positions 1..K of each sorted row, which holds only for METHOD.md's symmetric
        // D with diag(D) = 0: a non-zero diagonal would silently shift every row's neighbour mean.
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(5);
        var points = randn(6, 2, dtype: ScalarType.Float64, generator: generator);
        var distances = AffinityKernel.PairwiseDistances(points, DistanceMetric.SquaredEuclidean);
        var shifted = distances.clone();
        shifted[3, 3] = tensor(0.25);
        var lopsided = distances.clone();
        lopsided[1, 4] = lopsided[1, 4] + 1e-9;

        ((Action)(() => AffinityKernel.ScaledExponential(distances, 2, 0.5))).Should().NotThrow("the builder's own distances qualify");
        ((Action)(() => AffinityKernel.ScaledExponential(shifted, 2, 0.5))).Should().Throw<ArgumentException>()
            .WithMessage("Distance (3, 3) is 0.25; the diagonal must be 0*").And.ParamName.Should().Be("distances");
        ((Action)(() => AffinityKernel.ScaledExponential(lopsided, 2, 0.5))).Should().Throw<ArgumentException>()
            .WithMessage("Distances (1, 4) = * and (4, 1) = * differ; the matrix must be symmetric*").And.ParamName.Should().Be("distances");
    }

    [Theory]
    [InlineData(-0.5, "-0.5")]
    [InlineData(double.PositiveInfinity, "*")]   // the infinity's text depends on the culture
    public void The_kernel_rejects_a_symmetric_negative_or_infinite_pair(double value, string shown)
    {
        // Symmetric, with a zero diagonal: only the quick checks' min >= 0 and finite max see the bad pair, and the
        // element-wise check then names it.
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(5);
        var points = randn(6, 2, dtype: ScalarType.Float64, generator: generator);
        var distances = AffinityKernel.PairwiseDistances(points, DistanceMetric.SquaredEuclidean);
        distances[1, 4] = tensor(value);
        distances[4, 1] = tensor(value);

        ((Action)(() => AffinityKernel.ScaledExponential(distances, 2, 0.5))).Should().Throw<ArgumentException>()
            .WithMessage($"Distance (1, 4) is {shown}; distances must be finite and non-negative*")
            .And.ParamName.Should().Be("distances");
    }

    [Theory]
    [InlineData(1050, 3)]      // below the diagonal, in a tile pair the quick check reads transposed
    [InlineData(3, 1050)]
    [InlineData(600, 700)]     // inside one off-diagonal 512 tile
    [InlineData(1099, 1098)]   // the last, partial diagonal tile
    public void The_kernel_finds_an_asymmetric_entry_anywhere_in_a_large_matrix(int row, int column)
    {
        // The kernel first checks by reductions and 512 x 512 tile comparisons (no n x n mask); any entry those miss
        // would be accepted silently, so every region of the matrix is tried.
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(9);
        var points = randn(1100, 3, dtype: ScalarType.Float64, generator: generator);
        var distances = AffinityKernel.PairwiseDistances(points, DistanceMetric.SquaredEuclidean);
        var lopsided = distances.clone();
        lopsided[row, column] = lopsided[row, column] + 1e-9;
        var negative = distances.clone();
        negative[row, column] = tensor(-1.0);
        var infinite = distances.clone();
        infinite[row, column] = tensor(double.PositiveInfinity);

        ((Action)(() => AffinityKernel.ScaledExponential(distances, 5, 0.5))).Should().NotThrow();
        ((Action)(() => AffinityKernel.ScaledExponential(lopsided, 5, 0.5))).Should().Throw<ArgumentException>()
            .WithMessage($"Distances ({Math.Min(row, column)}, {Math.Max(row, column)}) = * differ*");
        ((Action)(() => AffinityKernel.ScaledExponential(negative, 5, 0.5))).Should().Throw<ArgumentException>()
            .WithMessage($"Distance ({row}, {column}) is -1; distances must be finite and non-negative*");
        ((Action)(() => AffinityKernel.ScaledExponential(infinite, 5, 0.5))).Should().Throw<ArgumentException>()
            .WithMessage($"Distance ({row}, {column}) is *; distances must be finite and non-negative*").And.ParamName.Should().Be("distances");
    }

    [Fact]
    public void The_kernel_refuses_an_empty_matrix_by_its_k_before_any_reduction()
    {
        // The quick checks' min() failed in native code on a 0 x 0 matrix.
        using var scope = NewDisposeScope();

        ((Action)(() => AffinityKernel.ScaledExponential(zeros(0, 0, dtype: ScalarType.Float64), 2, 0.5))).Should()
            .Throw<ArgumentOutOfRangeException>().WithParameterName("k").WithMessage("K must lie in [1, -1] for 0 samples*");
    }
}
