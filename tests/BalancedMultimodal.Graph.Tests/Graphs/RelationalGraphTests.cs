using BalancedMultimodal.Graph.Graphs;
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
        act.Should().Throw<ArgumentException>().WithMessage("Relation 'fused': edge 1 refers to node 3, outside [0, 3).");
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
}
