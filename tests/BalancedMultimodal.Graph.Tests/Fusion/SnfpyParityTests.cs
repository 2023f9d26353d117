using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

public sealed class SnfpyParityTests
{
    [Theory]
    [InlineData(1, 20, 0.5)]
    [InlineData(2, 20, 0.5)]
    [InlineData(3, 20, 0.5)]
    [InlineData(1, 10, 0.3)]
    [InlineData(2, 10, 0.3)]
    [InlineData(3, 10, 0.3)]
    public void Affinity_matches_snfpy_make_affinity_to_1e10(int view, int k, double mu)
    {
        using var features = SnfFixtures.Tensor($"view{view}.csv");
        using var expected = SnfFixtures.Tensor($"affinity_view{view}_K{k}_mu{mu.ToString(System.Globalization.CultureInfo.InvariantCulture)}.csv");
        var builder = new AffinityBuilder(new AffinityOptions { K = k, Mu = mu });

        using var actual = builder.Build(features);

        SnfFixtures.MaxAbsDifference(actual, expected).Should().BeLessThan(1e-10);
    }

    [Theory]
    [InlineData(20, "0.5", 20, FusionProductPath.Sparse)]
    [InlineData(10, "0.3", 10, FusionProductPath.Sparse)]
    [InlineData(20, "0.5", 20, FusionProductPath.Dense)]
    [InlineData(10, "0.3", 10, FusionProductPath.Dense)]
    [InlineData(20, "0.5", 20, FusionProductPath.SparseCoo)]
    [InlineData(10, "0.3", 10, FusionProductPath.SparseCoo)]
    public void Fused_matrix_of_snfpy_affinities_matches_snfpy_snf_to_1e10(int k, string mu, int t, FusionProductPath path)
    {
        var affinities = Enumerable.Range(1, 3).Select(v => SnfFixtures.Tensor($"affinity_view{v}_K{k}_mu{mu}.csv")).ToArray();
        using var expected = SnfFixtures.Tensor($"fused_K{k}_mu{mu}_t{t}.csv");
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = k, Iterations = t, ProductPath = path });

        using var actual = fusion.Fuse(affinities);

        SnfFixtures.MaxAbsDifference(actual, expected).Should().BeLessThan(1e-10);
        foreach (var a in affinities) a.Dispose();
    }

    [Fact]
    public void Features_to_fused_matrix_matches_snfpy_pipeline_to_1e10()
    {
        var views = Enumerable.Range(1, 3).Select(v => SnfFixtures.Tensor($"view{v}.csv")).ToArray();
        using var expected = SnfFixtures.Tensor("fused_K20_mu0.5_t20.csv");
        var affinities = new AffinityBuilder(new AffinityOptions()).Build(views);

        using var actual = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions()).Fuse(affinities);

        SnfFixtures.MaxAbsDifference(actual, expected).Should().BeLessThan(1e-10);
        foreach (var a in affinities.Concat(views)) a.Dispose();
    }

    [Fact]
    public void Rosmap_fused_matrix_matches_snfpy_to_1e10()
    {
        var views = Enumerable.Range(1, 3).Select(SnfFixtures.Rosmap).ToArray();
        using var expected = SnfFixtures.Tensor("rosmap_fused_K20_mu0.5_t20.csv");
        var affinities = new AffinityBuilder(new AffinityOptions()).Build(views);

        using var actual = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions()).Fuse(affinities);

        actual.shape.Should().Equal(351, 351);
        SnfFixtures.MaxAbsDifference(actual, expected).Should().BeLessThan(1e-10);
        foreach (var a in affinities.Concat(views)) a.Dispose();
    }

    [Fact]
    public void Float32_fusion_agrees_with_float64_to_1e5_relative()
    {
        var views = Enumerable.Range(1, 3).Select(v => SnfFixtures.Tensor($"view{v}.csv")).ToArray();
        var builder = new AffinityBuilder(new AffinityOptions());
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions());
        var single = views.Select(v => v.to_type(ScalarType.Float32)).ToArray();

        var doubleAffinities = builder.Build(views);
        var singleAffinities = builder.Build(single);
        using var reference = fusion.Fuse(doubleAffinities);
        using var actual = fusion.Fuse(singleAffinities);

        actual.dtype.Should().Be(ScalarType.Float32);
        using var relative = (actual.to_type(ScalarType.Float64) - reference).abs() / reference.abs();
        relative.max().item<double>().Should().BeLessThan(1e-5);
        foreach (var a in views.Concat(single).Concat(doubleAffinities).Concat(singleAffinities)) a.Dispose();
    }
}
