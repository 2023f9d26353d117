using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>
/// The CPU row-gather kernel (default <see cref="FusionProductPath.Sparse"/>) against libtorch's COO product and the
/// dense reference, on sizes that are not multiples of the SIMD tiles, rows with unequal neighbour counts (missing
/// samples), both dtypes, and one or two row blocks (torch threads). Runs in the non-parallel collection because it
/// changes the process-wide torch thread count.
/// </summary>
[Collection(nameof(TorchThreadCountCollection))]
public sealed class FusionProductPathTests
{
    private static Tensor[] Affinities(ScalarType dtype, bool[][] availability)
    {
        var generator = new Random(11);
        var builder = new AffinityBuilder(new AffinityOptions { K = 9 });
        return Enumerable.Range(0, 3).Select(v =>
        {
            var rows = new double[203, 7];
            for (int i = 0; i < 203; i++)
                for (int j = 0; j < 7; j++)
                    rows[i, j] = generator.NextDouble() + (i % 3 == v ? 0.8 : 0);
            using var x = tensor(rows, dtype: dtype);
            return builder.Build(x, availability[v]);
        }).ToArray();
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1, 1e-15)]
    [InlineData(ScalarType.Float64, 2, 1e-15)]
    [InlineData(ScalarType.Float32, 1, 1e-6)]
    [InlineData(ScalarType.Float32, 2, 1e-6)]
    public void Row_gather_kernel_gives_the_coo_and_dense_fused_matrix(ScalarType dtype, int threads, double tolerance)
    {
        var all = Enumerable.Repeat(true, 203).ToArray();
        var someMissing = all.Select((_, i) => i is not (3 or 50 or 101 or 202)).ToArray();
        var availability = new[] { all, someMissing, all };
        var affinities = Affinities(dtype, availability);
        int previous = get_num_threads();
        try
        {
            set_num_threads(threads);
            Tensor Fuse(FusionProductPath path) =>
                new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 9, Iterations = 6, ProductPath = path })
                    .Fuse(affinities, availability);

            using var host = Fuse(FusionProductPath.Sparse);
            using var coo = Fuse(FusionProductPath.SparseCoo);
            using var dense = Fuse(FusionProductPath.Dense);

            host.dtype.Should().Be(dtype);
            double scale = SnfFixtures.MaxAbsDifference(dense, zeros_like(dense));
            SnfFixtures.MaxAbsDifference(host, coo).Should().BeLessThan(tolerance * scale);
            SnfFixtures.MaxAbsDifference(host, dense).Should().BeLessThan(tolerance * scale);
        }
        finally
        {
            set_num_threads(previous);
            foreach (var a in affinities) a.Dispose();
        }
    }

    [Fact]
    public void Row_gather_kernel_is_deterministic_across_runs()
    {
        var all = Enumerable.Repeat(true, 203).ToArray();
        var availability = new[] { all, all, all };
        var affinities = Affinities(ScalarType.Float64, availability);
        int previous = get_num_threads();
        try
        {
            set_num_threads(2);
            var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 9, Iterations = 4 });
            using var first = fusion.Fuse(affinities);
            using var second = fusion.Fuse(affinities);
            SnfFixtures.MaxAbsDifference(first, second).Should().Be(0);
        }
        finally
        {
            set_num_threads(previous);
            foreach (var a in affinities) a.Dispose();
        }
    }
}
