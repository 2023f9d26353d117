using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>
/// What <see cref="SimilarityNetworkFusion"/> keeps alive, counted as live tensors at the end of every iteration (the
/// internal per-iteration hook) and after the call: the m views P_v, their sum and the two shared buffers (plus the
/// per-pair divisor with masks and the kernels' own tensors), none of the set-up's temporaries; afterwards only the
/// result. A structural stand-in for the resident-set measurement in docs/benchmarks/snf.md.
/// </summary>
public sealed class FusionMemoryTests
{
    private const int Views = 3;

    [Theory]
    [InlineData(FusionProductPath.Sparse, false, Views + 3)]
    [InlineData(FusionProductPath.Sparse, true, Views + 3 + 1)]       // + the per-pair divisor
    [InlineData(FusionProductPath.SparseCoo, false, Views + 3 + Views)] // + one COO block per view (n = 60 < 128: one block)
    [InlineData(FusionProductPath.Dense, false, Views + 3 + Views)]     // + one dense S_v per view
    public void During_the_iterations_only_the_views_their_sum_and_two_buffers_are_alive(FusionProductPath path, bool masked, int expected)
    {
        var affinities = Enumerable.Range(1, Views).Select(v => SnfFixtures.Tensor($"affinity_view{v}_K20_mu0.5.csv")).ToArray();
        bool[][]? masks = masked
            ? Enumerable.Range(0, Views).Select(v => Enumerable.Range(0, 60).Select(i => (i + v) % 7 != 0).ToArray()).ToArray()
            : null;
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 20, Iterations = 3, ProductPath = path });
        try
        {
            long before = LiveTensors.Count;
            var alive = new List<long>();

            using (var fused = fusion.Fuse(affinities, masks, _ => alive.Add(LiveTensors.Count - before)))
            {
                alive.Should().Equal(new long[] { expected, expected, expected },
                    "the set-up's copies, masks and row sums are freed view by view, and the iterations allocate nothing that outlives a step");
                LiveTensors.Count.Should().Be(before + 1, "the result is the only tensor the call leaves");
            }
            LiveTensors.Count.Should().Be(before);
        }
        finally
        {
            foreach (var a in affinities) a.Dispose();
        }
    }
}
