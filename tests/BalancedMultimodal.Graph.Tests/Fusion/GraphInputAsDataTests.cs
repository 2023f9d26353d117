using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>The affinity kernel, SNF and the graph builders read their inputs as data: a requires-grad input gives the
/// values of its detached copy and no autograd history (the kernel and SNF write in place, so backpropagating through
/// them failed), and a strided view gives the results of its contiguous copy to the last bit in float32.</summary>
public class GraphInputAsDataTests
{
    private static Tensor Features(ScalarType dtype = ScalarType.Float64) => randn(30, 6, dtype: dtype, generator: new Generator(8));

    [Fact]
    public void Distances_and_the_kernel_of_a_requires_grad_input_are_its_detached_values_without_history()
    {
        using var scope = NewDisposeScope();
        var x = Features();
        var expected = AffinityKernel.ScaledExponential(AffinityKernel.PairwiseDistances(x, DistanceMetric.SquaredEuclidean), 5, 0.5);
        var tracked = x.clone().requires_grad_(true);

        var distances = AffinityKernel.PairwiseDistances(tracked, DistanceMetric.SquaredEuclidean);
        var kernel = AffinityKernel.ScaledExponential(distances.clone().requires_grad_(true), 5, 0.5);

        distances.requires_grad.Should().BeFalse();
        kernel.requires_grad.Should().BeFalse();
        kernel.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Affinities_snf_and_both_graph_builders_carry_no_history_from_requires_grad_inputs()
    {
        using var scope = NewDisposeScope();
        var a = Features();
        var b = randn(30, 4, dtype: ScalarType.Float64, generator: new Generator(9));
        var builder = new AffinityBuilder(new AffinityOptions { K = 5 });
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 5, Iterations = 3 });
        var expected = fusion.Fuse([builder.Build(a), builder.Build(b)]);

        var affinities = new[] { builder.Build(a.clone().requires_grad_(true)), builder.Build(b.clone().requires_grad_(true)) };
        var trackedAffinities = affinities.Select(w => w.clone().requires_grad_(true)).ToArray();
        var fused = fusion.Fuse(trackedAffinities);
        using var topK = new TopKGraphBuilder(4).Build(fused.clone().requires_grad_(true));
        using var mogonet = new MogonetThresholdGraphBuilder(4).Build(a.clone().requires_grad_(true));

        affinities.Should().OnlyContain(w => !w.requires_grad);
        fused.requires_grad.Should().BeFalse();
        fused.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
        topK.Relations[0].EdgeWeight!.requires_grad.Should().BeFalse();
        mogonet.Relations[0].EdgeWeight!.requires_grad.Should().BeFalse();
        trackedAffinities.Count(w => w.grad is not null).Should().Be(0);
    }

    [Fact]
    public void A_transposed_float32_view_gives_the_distances_affinity_and_fusion_of_its_contiguous_copy_to_the_last_bit()
    {
        using var scope = NewDisposeScope();
        var x = Features(ScalarType.Float32);
        var view = x.t().contiguous().t();   // the same values, column-major
        view.is_contiguous().Should().BeFalse();
        var builder = new AffinityBuilder(new AffinityOptions { K = 5 });
        var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 5, Iterations = 3 });
        var other = randn(30, 4, dtype: ScalarType.Float32, generator: new Generator(9));

        AffinityKernel.PairwiseDistances(view, DistanceMetric.SquaredEuclidean)
            .allclose(AffinityKernel.PairwiseDistances(x, DistanceMetric.SquaredEuclidean), rtol: 0, atol: 0).Should().BeTrue();
        builder.Build(view).allclose(builder.Build(x), rtol: 0, atol: 0).Should().BeTrue();
        var w = builder.Build(x);
        var transposed = w.t();   // W is symmetric: the same values, read column-major
        transposed.is_contiguous().Should().BeFalse();
        fusion.Fuse([transposed, builder.Build(other)])
            .allclose(fusion.Fuse([w, builder.Build(other)]), rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void The_kernel_functions_called_outside_any_dispose_scope_leave_only_their_result()
    {
        // The finiteness check's temporaries were left alive (two per call) when no caller's scope collected them.
        var x = Features();
        try
        {
            long before = LiveTensors.Count;

            for (int i = 0; i < 5; i++)
            {
                AffinityKernel.ZScoreColumns(x).Dispose();
                AffinityKernel.PairwiseDistances(x, DistanceMetric.Euclidean).Dispose();
            }

            LiveTensors.Count.Should().Be(before);
        }
        finally
        {
            x.Dispose();
        }
    }
}
