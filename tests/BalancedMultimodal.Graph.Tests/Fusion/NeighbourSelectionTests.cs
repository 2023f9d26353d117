using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>
/// The kept neighbour sets and their normalisation, through the fused matrix: every product path against the loop
/// transcription of snfpy's rule (<see cref="NaiveMissingDataSnf"/>), at the smallest K and with missing samples.
/// </summary>
public sealed class NeighbourSelectionTests
{
    private static Tensor[] FixtureAffinities() =>
        Enumerable.Range(1, 3).Select(v => SnfFixtures.Tensor($"affinity_view{v}_K20_mu0.5.csv")).ToArray();

    private static bool[] AllBut(int n, params int[] missing) => Enumerable.Range(0, n).Select(i => !missing.Contains(i)).ToArray();

    private static double Difference(Tensor actual, double[] expected, int n)
    {
        using var expectedTensor = tensor(expected, dtype: ScalarType.Float64).reshape(n, n);
        return SnfFixtures.MaxAbsDifference(actual, expectedTensor);
    }

    [Theory]
    [InlineData(FusionProductPath.Sparse)]
    [InlineData(FusionProductPath.SparseCoo)]
    [InlineData(FusionProductPath.Dense)]
    public void K_one_keeps_only_the_largest_entry_of_each_row(FusionProductPath path)
    {
        using var scope = NewDisposeScope();
        var affinities = FixtureAffinities();
        var masks = new[] { AllBut(60), AllBut(60), AllBut(60) };
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 1, Iterations = 3, ProductPath = path });

        var actual = fusion.Fuse(affinities);
        var expected = NaiveMissingDataSnf.Fuse(affinities.Select(a => a.data<double>().ToArray()).ToArray(), masks, 60, k: 1, t: 3);

        Difference(actual, expected, 60).Should().BeLessThan(1e-12);
    }

    [Theory]
    [InlineData(FusionProductPath.SparseCoo)]
    [InlineData(FusionProductPath.Dense)]
    public void Coo_and_dense_products_with_missing_samples_match_the_direct_transcription(FusionProductPath path)
    {
        using var scope = NewDisposeScope();
        var affinities = FixtureAffinities();
        var masks = new[] { AllBut(60, 5), AllBut(60, 3, 17, 6), AllBut(60, 40) };
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 10, Iterations = 3, Alpha = 0.5, ProductPath = path });

        var actual = fusion.Fuse(affinities, masks);
        var expected = NaiveMissingDataSnf.Fuse(affinities.Select(a => a.data<double>().ToArray()).ToArray(), masks, 60, k: 10, t: 3, alpha: 0.5);

        Difference(actual, expected, 60).Should().BeLessThan(1e-12);
    }

    [Theory]
    [InlineData(FusionProductPath.Sparse)]
    [InlineData(FusionProductPath.SparseCoo)]
    [InlineData(FusionProductPath.Dense)]
    public void K_above_half_of_the_samples_takes_the_upper_branch_of_numpys_interpolation(FusionProductPath path)
    {
        // K / n = 40 / 60 >= 0.5: numpy's lerp interpolates down from the K-th largest entry (the other branch of
        // KeepMask, which K = 20 on these sizes never reaches).
        using var scope = NewDisposeScope();
        var affinities = FixtureAffinities();
        var masks = new[] { AllBut(60), AllBut(60), AllBut(60) };
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 40, Iterations = 3, ProductPath = path });

        var actual = fusion.Fuse(affinities);
        var expected = NaiveMissingDataSnf.Fuse(affinities.Select(a => a.data<double>().ToArray()).ToArray(), masks, 60, k: 40, t: 3);

        Difference(actual, expected, 60).Should().BeLessThan(1e-12);
    }
}
