using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

public sealed class MissingModalityTests
{
    private static Tensor[] FixtureAffinities() =>
        Enumerable.Range(1, 3).Select(v => SnfFixtures.Tensor($"affinity_view{v}_K20_mu0.5.csv")).ToArray();

    private static bool[] AllBut(int n, params int[] missing) =>
        Enumerable.Range(0, n).Select(i => !missing.Contains(i)).ToArray();

    [Fact]
    public void All_true_masks_give_exactly_the_unmasked_result()
    {
        var affinities = FixtureAffinities();
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions());

        using var plain = fusion.Fuse(affinities);
        using var masked = fusion.Fuse(affinities, new[] { AllBut(60), AllBut(60), AllBut(60) });

        SnfFixtures.MaxAbsDifference(plain, masked).Should().Be(0);
    }

    [Fact]
    public void Entries_that_involve_an_unavailable_sample_are_ignored()
    {
        var affinities = FixtureAffinities();
        var masks = new[] { AllBut(60), AllBut(60, 3, 17), AllBut(60, 40) };
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions());
        using var reference = fusion.Fuse(affinities, masks);

        affinities[1][3] = full(60, double.NaN, dtype: ScalarType.Float64);
        affinities[1][TensorIndex.Colon, 17] = full(60, 1e6, dtype: ScalarType.Float64);
        using var corrupted = fusion.Fuse(affinities, masks);

        SnfFixtures.MaxAbsDifference(reference, corrupted).Should().Be(0);
    }

    [Fact]
    public void Fusion_with_missing_samples_matches_a_direct_transcription_of_the_rule()
    {
        var affinities = FixtureAffinities();
        var masks = new[] { AllBut(60, 5), AllBut(60, 3, 17, 5 + 1), AllBut(60, 40) };
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 10, Iterations = 5 });

        using var actual = fusion.Fuse(affinities, masks);
        var expected = NaiveMissingDataSnf.Fuse(affinities.Select(a => a.data<double>().ToArray()).ToArray(), masks, 60, k: 10, t: 5);

        using var expectedTensor = tensor(expected, dtype: ScalarType.Float64).reshape(60, 60);
        SnfFixtures.MaxAbsDifference(actual, expectedTensor).Should().BeLessThan(1e-12);
        actual.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Fusion_of_a_matrix_larger_than_the_symmetry_tiles_matches_the_direct_transcription()
    {
        // n = 600 spans two 512-row tiles of the blocked symmetry check and symmetrisation.
        const int n = 600;
        var generator = new Random(3);
        var builder = new AffinityBuilder(new AffinityOptions { K = 10 });
        var masks = new[] { AllBut(n), AllBut(n, 7, 513, 599), AllBut(n) };
        var affinities = Enumerable.Range(0, 3).Select(v =>
        {
            var rows = new double[n, 5];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < 5; j++)
                    rows[i, j] = generator.NextDouble() + (i % 2 == v % 2 ? 0.5 : 0);
            using var x = tensor(rows);
            return builder.Build(x, masks[v]);
        }).ToArray();
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 10, Iterations = 1 });

        using var actual = fusion.Fuse(affinities, masks);
        var expected = NaiveMissingDataSnf.Fuse(affinities.Select(a => a.data<double>().ToArray()).ToArray(), masks, n, k: 10, t: 1);

        using var expectedTensor = tensor(expected, dtype: ScalarType.Float64).reshape(n, n);
        SnfFixtures.MaxAbsDifference(actual, expectedTensor).Should().BeLessThan(1e-12);
        foreach (var a in affinities) a.Dispose();
    }

    [Fact]
    public void Affinity_with_a_mask_equals_the_affinity_of_the_available_samples()
    {
        using var features = SnfFixtures.Tensor("view2.csv");
        var mask = AllBut(60, 0, 9, 33);
        var keep = Enumerable.Range(0, 60).Where(i => mask[i]).Select(i => (long)i).ToArray();
        using var index = tensor(keep);
        var builder = new AffinityBuilder(new AffinityOptions());
        features[9] = full(features.shape[1], double.NaN, dtype: ScalarType.Float64);

        using var masked = builder.Build(features, mask);
        using var subset = builder.Build(features.index_select(0, index));

        SnfFixtures.MaxAbsDifference(masked.index_select(0, index).index_select(1, index), subset).Should().Be(0);
        masked[9].abs().sum().item<double>().Should().Be(0);
        masked[TensorIndex.Colon, 33].abs().sum().item<double>().Should().Be(0);
    }

    [Fact]
    public void A_sample_without_any_modality_is_rejected()
    {
        var affinities = FixtureAffinities();
        var masks = new[] { AllBut(60, 7), AllBut(60, 7), AllBut(60, 7) };

        var act = () => new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions()).Fuse(affinities, masks);

        act.Should().Throw<ArgumentException>().WithMessage("*Sample 7 has no modality*");
    }

    [Fact]
    public void K_must_be_below_the_available_count_of_every_modality()
    {
        var affinities = FixtureAffinities();
        var masks = new[] { AllBut(60), Enumerable.Range(0, 60).Select(i => i < 15).ToArray(), AllBut(60) };

        var act = () => new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions()).Fuse(affinities, masks);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*K = 20*modality 1 (15)*");
    }
}
