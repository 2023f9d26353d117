using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>The argument checks of <see cref="AffinityBuilder"/>, <see cref="AffinityOptionsValidator"/> and
/// <see cref="AffinityKernel"/>, each naming the sample, modality or option at fault, and the edge cases of the kernel.</summary>
public sealed class AffinityArgumentTests
{
    private static Tensor Features(int n, int d, int seed)
    {
        using var g = new TorchSharp.torch.Generator((ulong)seed);
        return randn(n, d, dtype: ScalarType.Float64, generator: g);
    }

    [Fact]
    public void Malformed_features_are_rejected_naming_the_problem()
    {
        using var scope = NewDisposeScope();
        var builder = new AffinityBuilder(new AffinityOptions { K = 2 });

        builder.Invoking(b => b.Build((Tensor)null!)).Should().Throw<ArgumentNullException>().WithParameterName("features");
        builder.Invoking(b => b.Build(ones(6, dtype: ScalarType.Float64))).Should().Throw<ArgumentException>()
            .WithMessage("Features must have shape (n, d), got (6).*").WithParameterName("features");
        builder.Invoking(b => b.Build(ones(new long[] { 6, 2 }, dtype: ScalarType.Int32))).Should().Throw<ArgumentException>()
            .WithMessage("Features must be float32 or float64, got Int32.*").WithParameterName("features");
        builder.Invoking(b => b.Build(ones(6, 0, dtype: ScalarType.Float64))).Should().Throw<ArgumentException>()
            .WithMessage("Features need at least one column.*").WithParameterName("features");
        builder.Invoking(b => b.Build(Features(6, 2, 1), new bool[5])).Should().Throw<ArgumentException>()
            .WithMessage("The availability mask has 5 entries but there are 6 samples.*").WithParameterName("available");
    }

    [Fact]
    public void K_is_compared_with_the_available_samples_only()
    {
        using var scope = NewDisposeScope();
        var builder = new AffinityBuilder(new AffinityOptions { K = 3 });
        var x = Features(6, 2, 2);

        builder.Build(x, new[] { true, true, false, true, true, true }).shape.Should().Equal(6, 6);
        builder.Invoking(b => b.Build(x, new[] { true, false, false, true, false, true })).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("*K = 3 must be below the number of available samples (3)*").WithParameterName("features");
    }

    [Fact]
    public void A_non_finite_feature_of_an_available_sample_is_named_by_its_own_row()
    {
        using var scope = NewDisposeScope();
        var x = Features(8, 3, 3);
        x[0, 0] = tensor(double.NaN);
        x[5, 1] = tensor(double.NegativeInfinity);

        var act = () => new AffinityBuilder(new AffinityOptions { K = 2 }).Build(x, Enumerable.Range(0, 8).Select(i => i != 0).ToArray());

        act.Should().Throw<ArgumentException>().WithMessage("Sample 5, feature 1 is not finite*").WithParameterName("features");
    }

    [Fact]
    public void The_array_overload_gives_the_tensor_result()
    {
        using var scope = NewDisposeScope();
        var x = Features(8, 3, 4);
        var builder = new AffinityBuilder(new AffinityOptions { K = 3, Metric = DistanceMetric.Euclidean, ZScore = false });
        var expected = builder.Build(x);

        var actual = builder.Build(ToArray(x));

        var actualTensor = tensor(actual, dtype: ScalarType.Float64);
        actualTensor.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
    }

    private static double[,] ToArray(Tensor x)
    {
        var values = x.data<double>().ToArray();
        int rows = (int)x.shape[0], cols = (int)x.shape[1];
        var result = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) result[i, j] = values[i * cols + j];
        return result;
    }

    [Fact]
    public void Views_are_checked_against_each_other_before_any_is_built()
    {
        using var scope = NewDisposeScope();
        var builder = new AffinityBuilder(new AffinityOptions { K = 2 });
        var good = Features(6, 2, 5);

        builder.Invoking(b => b.Build((IReadOnlyList<Tensor>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("views");
        builder.Invoking(b => b.Build(new[] { good, null! })).Should().Throw<ArgumentNullException>()
            .WithMessage("Modality 1 is null.*").WithParameterName("views");
        builder.Invoking(b => b.Build(new[] { good, ones(6, dtype: ScalarType.Float64) })).Should().Throw<ArgumentException>()
            .WithMessage("Modality 1: features must have shape (n, d), got (6).*").WithParameterName("views");
        builder.Invoking(b => b.Build(new[] { good, good.to_type(ScalarType.Float32) })).Should().Throw<ArgumentException>()
            .WithMessage("Modality 1 has 6 samples of Float32 on cpu; modality 0 has 6 of Float64 on cpu. All modalities must describe the same samples with one dtype and device.*");
        builder.Invoking(b => b.Build(new[] { good, zeros(new long[] { 6, 2 }, dtype: ScalarType.Float64, device: new Device(TorchSharp.DeviceType.META)) }))
            .Should().Throw<ArgumentException>().WithMessage("Modality 1 has 6 samples of Float64 on meta*");
        builder.Invoking(b => b.Build(new[] { good, good }, new[] { new bool[6] })).Should().Throw<ArgumentException>()
            .WithMessage("1 availability masks for 2 modalities.*").WithParameterName("availability");
        builder.Invoking(b => b.Build(new[] { good, good }, new bool[][] { Enumerable.Repeat(true, 6).ToArray(), null! }))
            .Should().Throw<ArgumentNullException>().WithMessage("The mask of modality 1 is null.*").WithParameterName("availability");
    }

    [Fact]
    public void A_failing_view_frees_the_affinities_already_built()
    {
        using var scope = NewDisposeScope();
        var builder = new AffinityBuilder(new AffinityOptions { K = 2 });
        var views = new[] { Features(6, 2, 6), Features(6, 2, 7) };
        views[1][3, 0] = tensor(double.NaN);
        builder.Invoking(b => b.Build(views)).Should().Throw<ArgumentException>();
        long before = LiveTensors.Count;

        builder.Invoking(b => b.Build(views)).Should().Throw<ArgumentException>()
            .WithMessage("Modality 1: Sample 3, feature 0 is not finite*").WithParameterName("views");

        LiveTensors.Count.Should().Be(before, "the affinity of modality 0 was disposed");
    }

    [Fact]
    public void Views_with_masks_give_each_modality_its_own_availability()
    {
        using var scope = NewDisposeScope();
        var builder = new AffinityBuilder(new AffinityOptions { K = 2 });
        var views = new[] { Features(6, 2, 8), Features(6, 3, 9) };
        var masks = new[] { new[] { true, true, true, true, true, true }, new[] { true, true, false, true, true, true } };

        var affinities = builder.Build(views, masks);

        affinities.Should().HaveCount(2);
        affinities[0][2].sum().item<double>().Should().BeGreaterThan(0);
        affinities[1][2].abs().sum().item<double>().Should().Be(0);
        affinities[1].allclose(builder.Build(views[1], masks[1]), rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Options_from_the_options_pattern_are_validated_and_used()
    {
        var builder = new AffinityBuilder(Microsoft.Extensions.Options.Options.Create(
            new AffinityOptions { K = 4, Mu = 0.7, Metric = DistanceMetric.Cosine, ZScore = false }));

        builder.Options.K.Should().Be(4);
        builder.Options.Mu.Should().Be(0.7);
        builder.Options.Metric.Should().Be(DistanceMetric.Cosine);
        builder.Options.ZScore.Should().BeFalse();
        FluentActions.Invoking(() => new AffinityBuilder((IOptions<AffinityOptions>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new AffinityBuilder((AffinityOptions)null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Every_invalid_affinity_option_is_listed()
    {
        var act = () => new AffinityBuilder(new AffinityOptions { K = 0, Mu = double.NaN, Metric = (DistanceMetric)9 });

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "AffinityOptions.K must be at least 1, got 0.",
            "AffinityOptions.Mu must be finite and positive, got NaN.",
            "AffinityOptions.Metric has the undefined value 9.");
        new AffinityOptionsValidator().Validate(null, new AffinityOptions { K = 1, Mu = double.Epsilon }).Succeeded.Should().BeTrue();
        FluentActions.Invoking(() => AffinityOptionsValidator.EnsureValid(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void The_kernel_rejects_k_and_mu_out_of_range_and_integer_distances()
    {
        using var scope = NewDisposeScope();
        var d = tensor(new double[,] { { 0, 1, 4 }, { 1, 0, 1 }, { 4, 1, 0 } });

        FluentActions.Invoking(() => AffinityKernel.ScaledExponential(d, 0, 0.5)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("K must lie in [1, 2] for 3 samples.*").WithParameterName("k");
        FluentActions.Invoking(() => AffinityKernel.ScaledExponential(d, 3, 0.5)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("k");
        FluentActions.Invoking(() => AffinityKernel.ScaledExponential(d, 2, 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("mu");
        FluentActions.Invoking(() => AffinityKernel.ScaledExponential(d, 2, double.NaN)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("mu");
        FluentActions.Invoking(() => AffinityKernel.ScaledExponential(d.to_type(ScalarType.Int64), 2, 0.5)).Should().Throw<ArgumentException>()
            .WithMessage("Distances must be floating point, got Int64.*").WithParameterName("distances");
        FluentActions.Invoking(() => AffinityKernel.ScaledExponential(null!, 2, 0.5)).Should().Throw<ArgumentNullException>().WithParameterName("distances");
        AffinityKernel.ScaledExponential(d, 2, 0.5).shape.Should().Equal(3, 3);
    }

    [Fact]
    public void A_cosine_affinity_is_the_kernel_of_the_cosine_distances_and_names_a_zero_sample()
    {
        using var scope = NewDisposeScope();
        var x = Features(8, 3, 12);
        var builder = new AffinityBuilder(new AffinityOptions { K = 3, Metric = DistanceMetric.Cosine, ZScore = false });

        var w = builder.Build(x);
        var expected = AffinityKernel.ScaledExponential(AffinityKernel.PairwiseDistances(x, DistanceMetric.Cosine), 3, 0.5);

        w.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
        x[4] = zeros(3, dtype: ScalarType.Float64);
        builder.Invoking(b => b.Build(x)).Should().Throw<ArgumentException>().WithMessage("Sample 4 has an all-zero feature vector*")
            .WithParameterName("features");
    }

    [Fact]
    public void The_distance_functions_state_the_shape_they_need()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => AffinityKernel.PairwiseDistances(zeros(4, dtype: ScalarType.Float64), DistanceMetric.Euclidean))
            .Should().Throw<ArgumentException>().WithMessage("Features must be an (n, d) matrix with n >= 1 and d >= 1, got shape (4).*");
        FluentActions.Invoking(() => AffinityKernel.PairwiseDistances(ones(4, 2, dtype: ScalarType.Float64), (DistanceMetric)9))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("Unknown distance metric 9.*").WithParameterName("metric");
    }

    [Fact]
    public void Identical_samples_get_the_density_at_zero_distance_of_the_smallest_scale()
    {
        // All distances 0: every scale s_ij = 0 <= eps is replaced by eps, so W = 1 / (sqrt(2 pi) mu eps) everywhere.
        using var scope = NewDisposeScope();
        var d = zeros(3, 3, dtype: ScalarType.Float64);

        var w = AffinityKernel.ScaledExponential(d, 1, 0.5);

        double expected = 1 / (Math.Sqrt(2 * Math.PI) * 0.5 * AffinityKernel.Epsilon);
        w.min().item<double>().Should().BeApproximately(expected, expected * 1e-12);
        w.max().item<double>().Should().BeApproximately(expected, expected * 1e-12);
    }

    [Fact]
    public void A_zero_column_z_scores_to_zero()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[,] { { 1, 0 }, { 2, 0 }, { 4, 0 } });

        var z = AffinityKernel.ZScoreColumns(x);

        z[TensorIndex.Colon, 1].abs().sum().item<double>().Should().Be(0);
        z[TensorIndex.Colon, 0].sum().item<double>().Should().BeApproximately(0, 1e-15);
    }

    [Fact]
    public void Cosine_distances_reject_an_all_zero_row_and_stay_within_zero_and_two()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[,] { { 1, 2 }, { -3, -6 }, { 2, -1 } });
        var zero = tensor(new double[,] { { 1, 2 }, { 0, 0 } });

        var d = AffinityKernel.PairwiseDistances(x, DistanceMetric.Cosine);

        d[0, 1].item<double>().Should().Be(2);
        d[0, 2].item<double>().Should().BeApproximately(1, 1e-15);
        d.diagonal().abs().sum().item<double>().Should().Be(0);
        FluentActions.Invoking(() => AffinityKernel.PairwiseDistances(zero, DistanceMetric.Cosine)).Should().Throw<ArgumentException>()
            .WithMessage("Sample 1 has an all-zero feature vector*").WithParameterName("features");
    }
}
