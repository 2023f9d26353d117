using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

public sealed class FusionInputValidationTests
{
    private static readonly SimilarityNetworkFusion Fusion = new(new SimilarityNetworkFusionOptions { K = 3, Iterations = 2 });

    private static Tensor Affinity(int n, int seed) => SnfFixtures.RandomAffinity(n, seed);

    [Fact]
    public void A_single_modality_is_rejected()
    {
        var act = () => Fusion.Fuse(new[] { Affinity(8, 1) });
        act.Should().Throw<ArgumentException>().WithMessage("*at least two modalities, got 1*");
    }

    [Fact]
    public void A_non_square_affinity_is_rejected_naming_the_modality()
    {
        using var g = new TorchSharp.torch.Generator(30);
        var act = () => Fusion.Fuse(new[] { Affinity(8, 1), rand(8, 7, dtype: ScalarType.Float64, generator: g) });
        act.Should().Throw<ArgumentException>().WithMessage("Modality 1: an affinity must be square*");
    }

    [Fact]
    public void Affinities_of_different_sizes_are_rejected()
    {
        var act = () => Fusion.Fuse(new[] { Affinity(8, 1), Affinity(9, 2) });
        act.Should().Throw<ArgumentException>().WithMessage("Modality 1 has 9 samples but modality 0 has 8*");
    }

    [Fact]
    public void A_nan_affinity_entry_is_rejected_naming_modality_row_and_column()
    {
        var bad = Affinity(8, 2);
        bad[2, 5] = tensor(double.NaN, dtype: ScalarType.Float64);
        var act = () => Fusion.Fuse(new[] { Affinity(8, 1), bad });
        act.Should().Throw<ArgumentException>().WithMessage("Modality 1, row 2, column 5 holds NaN*");
    }

    [Fact]
    public void A_negative_affinity_entry_is_rejected()
    {
        var bad = Affinity(8, 2);
        bad[4, 1] = tensor(-0.5, dtype: ScalarType.Float64);
        var act = () => Fusion.Fuse(new[] { bad, Affinity(8, 1) });
        act.Should().Throw<ArgumentException>().WithMessage("Modality 0, row 4, column 1 holds -0.5*");
    }

    [Fact]
    public void K_not_below_the_sample_count_is_rejected()
    {
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 8 });
        var act = () => fusion.Fuse(new[] { Affinity(8, 1), Affinity(8, 2) });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*K = 8 must be below the number of samples of modality 0 (8)*");
    }

    [Theory]
    [InlineData(0, 20, 1.0, "K")]
    [InlineData(20, 0, 1.0, "Iterations")]
    [InlineData(20, 20, -1.0, "Alpha")]
    [InlineData(20, 20, double.NaN, "Alpha")]
    public void Out_of_range_fusion_options_are_rejected_at_construction(int k, int iterations, double alpha, string option)
    {
        var act = () => new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = k, Iterations = iterations, Alpha = alpha });
        act.Should().Throw<OptionsValidationException>().WithMessage($"*SimilarityNetworkFusionOptions.{option}*");
    }

    [Fact]
    public void Changing_the_options_after_construction_does_not_change_the_fusion()
    {
        using var a = Affinity(8, 1);
        using var b = Affinity(8, 2);
        using var expected = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 3, Iterations = 2 }).Fuse(new[] { a, b });
        var options = new SimilarityNetworkFusionOptions { K = 3, Iterations = 2 };
        var fusion = new SimilarityNetworkFusion(options);

        options.Alpha = double.NaN;
        options.Iterations = 0;
        options.K = 0;
        fusion.Options.Alpha = double.NaN;
        fusion.Options.K = 0;
        using var fused = fusion.Fuse(new[] { a, b });

        fused.allclose(expected, rtol: 0, atol: 0).Should().BeTrue("the fusion uses the options it was built with");
        fusion.Options.Alpha.Should().Be(1.0);
        fusion.Options.K.Should().Be(3);
        fusion.Options.Iterations.Should().Be(2);
    }

    [Fact]
    public void Mixed_dtypes_are_rejected()
    {
        var act = () => Fusion.Fuse(new[] { Affinity(8, 1), Affinity(8, 2).to_type(ScalarType.Float32) });
        act.Should().Throw<ArgumentException>().WithMessage("Modality 1 is Float32 but modality 0 is Float64*");
    }

    [Fact]
    public void Double_array_overload_matches_the_tensor_path()
    {
        var affinities = Enumerable.Range(1, 3).Select(v => SnfFixtures.Read($"affinity_view{v}_K20_mu0.5.csv")).ToArray();
        using var expected = SnfFixtures.Tensor("fused_K20_mu0.5_t20.csv");

        var fused = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions()).Fuse(affinities);

        using var actual = tensor(fused, dtype: ScalarType.Float64);
        SnfFixtures.MaxAbsDifference(actual, expected).Should().BeLessThan(1e-10);
    }

    [Fact]
    public void The_affinity_kernels_reject_bad_shapes_and_dtypes_before_computing()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => AffinityKernel.ZScoreColumns(zeros(1, 3, dtype: ScalarType.Float64)))
            .Should().Throw<ArgumentException>().WithMessage("*n >= 2*got shape (1, 3)*");
        FluentActions.Invoking(() => AffinityKernel.PairwiseDistances(zeros(4, dtype: ScalarType.Float64), DistanceMetric.Euclidean))
            .Should().Throw<ArgumentException>().WithMessage("*(n, d) matrix*got shape (4)*");
        FluentActions.Invoking(() => AffinityKernel.PairwiseDistances(zeros(new long[] { 4, 2 }, dtype: ScalarType.Int64), DistanceMetric.Euclidean))
            .Should().Throw<ArgumentException>().WithMessage("*floating point, got Int64*");
        FluentActions.Invoking(() => AffinityKernel.PairwiseDistances(zeros(4, 2, dtype: ScalarType.Float64), (DistanceMetric)9))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("metric");
        FluentActions.Invoking(() => AffinityKernel.ScaledExponential(zeros(4, 3, dtype: ScalarType.Float64), 2, 0.5))
            .Should().Throw<ArgumentException>().WithMessage("*square (n, n)*got shape (4, 3)*");
    }
}
