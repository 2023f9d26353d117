using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Graphs;

public sealed class RelationalGraphTests
{

    private static GraphRelation Relation(string name, long[] sources, long[] targets, double[]? weights = null) =>
        new(name, tensor(sources.Concat(targets).ToArray()).reshape(2, sources.Length),
            weights is null ? null : tensor(weights, dtype: ScalarType.Float64));

    [Fact]
    public void An_edge_outside_the_node_range_is_rejected_naming_relation_and_edge()
    {
        var act = () => new RelationalGraph(3, new[] { Relation("fused", new long[] { 0, 1 }, new long[] { 1, 3 }) });
        act.Should().Throw<ArgumentException>().WithMessage("Relation 'fused': edge 1 refers to node 3, outside [0, 3).*").And.ParamName.Should().Be("relations");
    }

    [Fact]
    public void Relations_on_different_devices_are_rejected_naming_both()
    {
        // The "meta" device (shapes without storage) stands in for a GPU on this CPU-only machine.
        var meta = new Device(TorchSharp.DeviceType.META);
        var elsewhere = new GraphRelation("knn", zeros(new long[] { 2, 2 }, dtype: ScalarType.Int64, device: meta), null);

        var act = () => new RelationalGraph(3, new[] { Relation("fused", new long[] { 0, 1 }, new long[] { 1, 2 }), elsewhere });

        act.Should().Throw<ArgumentException>().WithMessage("Relation 'knn' is on meta* but relation 'fused' is on cpu*share one device*");
    }

    [Fact]
    public void A_negative_edge_weight_is_rejected()
    {
        var act = () => new RelationalGraph(3, new[] { Relation("fused", new long[] { 0, 1 }, new long[] { 1, 2 }, new[] { 0.5, -1.0 }) });
        act.Should().Throw<ArgumentException>().WithMessage("Relation 'fused': edge 1 has weight -1*");
    }

    [Fact]
    public void A_non_int64_edge_index_is_rejected()
    {
        var relation = new GraphRelation("fused", tensor(new[] { 0, 1, 1, 2 }).reshape(2, 2), null);
        var act = () => new RelationalGraph(3, new[] { relation });
        act.Should().Throw<ArgumentException>().WithMessage("*must be int64*");
    }

    [Fact]
    public void Duplicate_relation_names_are_rejected()
    {
        var act = () => new RelationalGraph(3, new[]
        {
            Relation("knn", new long[] { 0 }, new long[] { 1 }),
            Relation("knn", new long[] { 1 }, new long[] { 2 }),
        });
        act.Should().Throw<ArgumentException>().WithMessage("Relation name 'knn' is used twice*");
    }

    [Fact]
    public void Combine_concatenates_relations_in_order_with_independent_copies()
    {
        using var fused = new RelationalGraph(3, new[] { Relation("fused", new long[] { 0, 1 }, new long[] { 1, 2 }, new[] { 0.2, 0.3 }) });
        using var knn = new RelationalGraph(3, new[] { Relation("knn:a", new long[] { 2 }, new long[] { 0 }) });

        using var combined = RelationalGraph.Combine(fused, knn);
        fused.Dispose();

        combined.RelationNames.Should().Equal("fused", "knn:a");
        combined.EdgeCount.Should().Be(3);
        combined.Relations[0].EdgeWeight!.data<double>().ToArray().Should().Equal(0.2, 0.3);
        combined.Relations[1].EdgeWeight.Should().BeNull();
    }

    [Fact]
    public void Combine_rejects_graphs_over_different_node_counts()
    {
        using var a = new RelationalGraph(3, new[] { Relation("a", new long[] { 0 }, new long[] { 1 }) });
        using var b = new RelationalGraph(4, new[] { Relation("b", new long[] { 0 }, new long[] { 1 }) });
        var act = () => RelationalGraph.Combine(a, b);
        act.Should().Throw<ArgumentException>().WithMessage("Graph 1 has 4 nodes but graph 0 has 3*");
    }

    [Fact]
    public void A_disposed_graph_says_it_was_disposed_instead_of_failing_on_an_empty_tensor_handle()
    {
        var graph = new RelationalGraph(3, new[] { Relation("fused", new long[] { 0, 1 }, new long[] { 1, 2 }, new[] { 0.2, 0.3 }) });
        using var other = new RelationalGraph(3, new[] { Relation("knn", new long[] { 2 }, new long[] { 0 }) });
        graph.Dispose();

        var uses = new Dictionary<string, Action>
        {
            ["Relations"] = () => _ = graph.Relations,
            ["Device"] = () => _ = graph.Device,
            ["EdgeCount"] = () => _ = graph.EdgeCount,
            ["To"] = () => graph.To(CPU).Dispose(),
            ["Combine"] = () => RelationalGraph.Combine(other, graph).Dispose(),
        };

        foreach (var (name, use) in uses)
            use.Should().Throw<ObjectDisposedException>(name).WithMessage("*relational graph was disposed*bound to*");
    }

    [Fact]
    public void A_layer_whose_graph_was_disposed_says_the_graph_was_disposed()
    {
        var graph = new RelationalGraph(3, new[] { Relation("fused", new long[] { 0, 1 }, new long[] { 1, 2 }) });
        using var layer = new RelationalGraphConv(2, 2, 1);
        using var x = randn(3, 2);
        layer.forward(x, graph).Dispose();
        graph.Dispose();

        var act = () => layer.forward(x, graph);

        act.Should().Throw<ObjectDisposedException>().WithMessage("*relational graph was disposed*");
    }

    [Fact]
    public void To_leaves_only_the_copies_behind_even_when_it_converts_the_weights()
    {
        using var graph = new RelationalGraph(3, new[] { Relation("fused", new long[] { 0, 1 }, new long[] { 1, 2 }, new[] { 0.2, 0.3 }) });
        long before = LiveTensors.Count;

        using (var copy = graph.To(CPU, ScalarType.Float32))
        {
            LiveTensors.Count.Should().Be(before + 2, "the copy holds one edge index and one weight tensor, nothing else");
            copy.Relations[0].EdgeWeight!.dtype.Should().Be(ScalarType.Float32);
            copy.Relations[0].EdgeWeight!.data<float>().ToArray().Should().Equal(0.2f, 0.3f);
            copy.Relations[0].EdgeIndex.data<long>().ToArray().Should().Equal(0, 1, 1, 2);
        }
        using (graph.To(CPU))
            LiveTensors.Count.Should().Be(before + 2);

        LiveTensors.Count.Should().Be(before);
    }

    [Fact]
    public void To_a_copy_shares_no_storage_with_the_original()
    {
        using var graph = new RelationalGraph(3, new[] { Relation("fused", new long[] { 0, 1 }, new long[] { 1, 2 }, new[] { 0.2, 0.3 }) });
        using var copy = graph.To(CPU);

        copy.Relations[0].EdgeWeight!.fill_(0.5);
        copy.Relations[0].EdgeIndex.fill_(0);

        graph.Relations[0].EdgeWeight!.data<double>().ToArray().Should().Equal(0.2, 0.3);
        graph.Relations[0].EdgeIndex.data<long>().ToArray().Should().Equal(0, 1, 1, 2);
    }

    [Fact]
    public void To_an_integer_weight_type_is_rejected_before_copying()
    {
        using var graph = new RelationalGraph(3, new[] { Relation("fused", new long[] { 0, 1 }, new long[] { 1, 2 }, new[] { 0.2, 0.3 }) });
        long before = LiveTensors.Count;

        var act = () => graph.To(CPU, ScalarType.Int32);

        act.Should().Throw<ArgumentException>().WithMessage("*floating point*Int32*").And.ParamName.Should().Be("weightType");
        LiveTensors.Count.Should().Be(before);
    }

    [Fact]
    public void Combine_rejects_a_relation_name_used_by_two_graphs_before_copying()
    {
        using var a = new RelationalGraph(3, new[] { Relation("knn", new long[] { 0 }, new long[] { 1 }) });
        using var b = new RelationalGraph(3, new[] { Relation("knn", new long[] { 1 }, new long[] { 2 }) });
        long before = LiveTensors.Count;

        var act = () => RelationalGraph.Combine(a, b);

        act.Should().Throw<ArgumentException>().WithMessage("Relation name 'knn' is used twice*");
        LiveTensors.Count.Should().Be(before);
    }
}
