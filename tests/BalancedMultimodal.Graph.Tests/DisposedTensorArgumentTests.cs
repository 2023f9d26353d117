using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests;

/// <summary>A disposed tensor argument is refused up front with an <see cref="ObjectDisposedException"/> naming the
/// argument (TorchSharp's own "empty handle" error, deep in the call, names none).</summary>
public sealed class DisposedTensorArgumentTests
{
    private static Tensor Disposed(params long[] shape)
    {
        var t = rand(shape, dtype: ScalarType.Float64);
        t.Dispose();
        return t;
    }

    [Fact]
    public void The_affinity_builder_names_disposed_features()
    {
        var builder = new AffinityBuilder(new AffinityOptions { K = 2 });
        using var live = rand(6, 2, dtype: ScalarType.Float64);

        builder.Invoking(b => b.Build(Disposed(6, 2))).Should().Throw<ObjectDisposedException>()
            .Which.ObjectName.Should().Be("features");
        builder.Invoking(b => b.Build([live, Disposed(6, 2)])).Should().Throw<ObjectDisposedException>()
            .Which.ObjectName.Should().Be("views[1]");
    }

    [Fact]
    public void Similarity_network_fusion_names_the_disposed_affinity_by_index()
    {
        using var live = eye(6, dtype: ScalarType.Float64);

        var act = () => new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 2 }).Fuse([live, Disposed(6, 6)]);

        act.Should().Throw<ObjectDisposedException>().Which.Message.Should().Contain("'affinities[1]'");
    }

    [Fact]
    public void A_relation_is_refused_a_disposed_edge_index_or_weight()
    {
        using var index = tensor(new long[,] { { 0, 1 }, { 1, 0 } });

        var disposedIndex = () => new GraphRelation("r", Disposed(2, 2), null);
        var disposedWeight = () => new GraphRelation("r", index, Disposed(2));

        disposedIndex.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("EdgeIndex");
        disposedWeight.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("EdgeWeight");
    }

    [Fact]
    public void A_graph_is_refused_a_relation_whose_tensor_was_disposed_after_the_relation_was_made()
    {
        using var index = tensor(new long[,] { { 0, 1 }, { 1, 0 } });
        var weight = ones(2, dtype: ScalarType.Float64);
        var relation = new GraphRelation("r", index, weight);
        weight.Dispose();

        var act = () => new RelationalGraph(2, [relation]);

        act.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("relations[0].EdgeWeight");
    }

    [Fact]
    public void The_relational_gcn_names_disposed_node_features()
    {
        using var graph = new RelationalGraph(2, [new GraphRelation("r", tensor(new long[,] { { 0, 1 }, { 1, 0 } }), null)]);
        using var gcn = new RelationalGcn(new RelationalGcnOptions { InputSize = 3, ClassCount = 2 });
        var x = rand(2, 3);
        x.Dispose();

        gcn.Invoking(g => g.forward(x, graph)).Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("x");
    }
}
