using BalancedMultimodal.Graph.Graphs;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Graphs;

/// <summary>What the graph constructor, <see cref="RelationalGraph.Combine"/> and <see cref="RelationalGraph.To"/>
/// accept and what they reject, with the relation and argument named.</summary>
public sealed class RelationalGraphValidationTests
{
    private static GraphRelation Relation(string name, long[] sources, long[] targets, double[]? weights = null) =>
        new(name, tensor(sources.Concat(targets).ToArray()).reshape(2, sources.Length),
            weights is null ? null : tensor(weights, dtype: ScalarType.Float64));

    [Fact]
    public void A_single_node_graph_is_accepted_and_zero_nodes_are_rejected()
    {
        using var single = new RelationalGraph(1, new[] { Relation("self", new long[] { 0 }, new long[] { 0 }) });
        single.NodeCount.Should().Be(1);

        var act = () => new RelationalGraph(0, new[] { Relation("none", new long[0], new long[0]) });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("A graph needs at least one node.*").WithParameterName("nodeCount");
    }

    [Fact]
    public void Null_relations_are_rejected_naming_the_argument()
    {
        FluentActions.Invoking(() => new RelationalGraph(3, null!)).Should().Throw<ArgumentNullException>().WithParameterName("relations");
        FluentActions.Invoking(() => new RelationalGraph(3, new GraphRelation[] { null! })).Should().Throw<ArgumentNullException>()
            .WithParameterName("relations");
    }

    [Fact]
    public void A_non_int64_edge_index_is_rejected_naming_the_argument()
    {
        var relation = new GraphRelation("knn", tensor(new[] { 0, 1, 1, 2 }).reshape(2, 2), null);
        var act = () => new RelationalGraph(3, new[] { relation });
        act.Should().Throw<ArgumentException>().WithMessage("Relation 'knn': edge index must be int64, got Int32.*").WithParameterName("relations");
    }

    [Fact]
    public void A_relation_whose_edge_index_was_set_to_null_is_rejected_by_name()
    {
        var relation = Relation("knn", new long[] { 0 }, new long[] { 1 });
        var act = () => new RelationalGraph(3, new[] { relation with { EdgeIndex = null! } });
        act.Should().Throw<ArgumentException>().WithMessage("Relation 'knn' has no edge index.*").WithParameterName("relations");
        relation.EdgeIndex.Dispose();
    }

    [Fact]
    public void A_graph_without_relations_is_rejected()
    {
        var act = () => new RelationalGraph(3, Array.Empty<GraphRelation>());
        act.Should().Throw<ArgumentException>().WithMessage("*at least one relation*").WithParameterName("relations");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_relation_without_a_name_is_rejected(string name)
    {
        var act = () => new RelationalGraph(3, new[] { Relation("fused", new long[] { 0 }, new long[] { 1 }), Relation(name, new long[] { 1 }, new long[] { 2 }) });
        act.Should().Throw<ArgumentException>().WithMessage("Every relation needs a non-empty name*").WithParameterName("relations");
    }

    [Fact]
    public void A_negative_node_index_is_rejected_naming_the_edge_and_the_node()
    {
        var act = () => new RelationalGraph(3, new[] { Relation("knn", new long[] { 0, 1, -2 }, new long[] { 1, 2, 0 }) });
        act.Should().Throw<ArgumentException>().WithMessage("Relation 'knn': edge 2 refers to node -2, outside [0, 3).*").WithParameterName("relations");
    }

    [Fact]
    public void The_last_node_index_is_accepted()
    {
        using var graph = new RelationalGraph(3, new[] { Relation("knn", new long[] { 0, 2 }, new long[] { 2, 0 }) });
        graph.EdgeCount.Should().Be(2);
    }

    [Fact]
    public void An_edge_index_without_two_rows_is_rejected_with_its_shape()
    {
        var threeRows = new GraphRelation("knn", zeros(new long[] { 3, 2 }, dtype: ScalarType.Int64), null);
        var flat = new GraphRelation("flat", zeros(new long[] { 4 }, dtype: ScalarType.Int64), null);

        FluentActions.Invoking(() => new RelationalGraph(3, new[] { threeRows })).Should().Throw<ArgumentException>()
            .WithMessage("Relation 'knn': edge index must have shape (2, E), got (3, 2).*").WithParameterName("relations");
        FluentActions.Invoking(() => new RelationalGraph(3, new[] { flat })).Should().Throw<ArgumentException>()
            .WithMessage("Relation 'flat': edge index must have shape (2, E), got (4).*");
    }

    [Fact]
    public void Edge_weights_of_the_wrong_length_or_rank_are_rejected()
    {
        var shortWeights = new GraphRelation("knn", tensor(new long[,] { { 0, 1 }, { 1, 2 } }), tensor(new[] { 0.5 }));
        var matrixWeights = new GraphRelation("knn", tensor(new long[,] { { 0, 1 }, { 1, 2 } }), ones(2, 1, dtype: ScalarType.Float64));

        FluentActions.Invoking(() => new RelationalGraph(3, new[] { shortWeights })).Should().Throw<ArgumentException>()
            .WithMessage("Relation 'knn': edge weights must have shape (2), got (1).*").WithParameterName("relations");
        FluentActions.Invoking(() => new RelationalGraph(3, new[] { matrixWeights })).Should().Throw<ArgumentException>()
            .WithMessage("Relation 'knn': edge weights must have shape (2), got (2, 1).*");
    }

    [Fact]
    public void Integer_edge_weights_are_rejected()
    {
        var relation = new GraphRelation("knn", tensor(new long[,] { { 0, 1 }, { 1, 2 } }), tensor(new long[] { 1, 2 }));
        var act = () => new RelationalGraph(3, new[] { relation });
        act.Should().Throw<ArgumentException>().WithMessage("Relation 'knn': edge weights must be floating point, got Int64.*");
    }

    [Fact]
    public void Edge_weights_on_another_device_than_the_index_are_rejected()
    {
        var meta = new Device(TorchSharp.DeviceType.META);
        var relation = new GraphRelation("knn", tensor(new long[,] { { 0, 1 }, { 1, 2 } }), zeros(new long[] { 2 }, dtype: ScalarType.Float64, device: meta));
        var act = () => new RelationalGraph(3, new[] { relation });
        act.Should().Throw<ArgumentException>().WithMessage("Relation 'knn': edge weights are on meta* but the edge index is on cpu*");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_finite_edge_weight_is_rejected_naming_the_edge(double weight)
    {
        var act = () => new RelationalGraph(3, new[] { Relation("knn", new long[] { 0, 1, 2 }, new long[] { 1, 2, 0 }, new[] { 0.5, 1.0, weight }) });
        act.Should().Throw<ArgumentException>().WithMessage($"Relation 'knn': edge 2 has weight {weight}; weights must be finite and non-negative.*")
            .WithParameterName("relations");
    }

    [Fact]
    public void Zero_edge_weights_are_accepted()
    {
        using var graph = new RelationalGraph(3, new[] { Relation("knn", new long[] { 0, 1 }, new long[] { 1, 2 }, new[] { 0.0, 0.0 }) });
        graph.EdgeCount.Should().Be(2);
    }

    [Fact]
    public void A_relation_without_edges_and_with_empty_weights_is_accepted()
    {
        using var graph = new RelationalGraph(3, new[]
        {
            new GraphRelation("empty", zeros(new long[] { 2, 0 }, dtype: ScalarType.Int64), zeros(new long[] { 0 }, dtype: ScalarType.Float64)),
        });
        graph.EdgeCount.Should().Be(0);
        graph.RelationCount.Should().Be(1);
    }

    [Fact]
    public void Counts_names_and_device_describe_all_relations()
    {
        using var graph = new RelationalGraph(4, new[]
        {
            Relation("a", new long[] { 0, 1 }, new long[] { 1, 2 }),
            Relation("b", new long[] { 3, 2, 1 }, new long[] { 0, 0, 0 }, new[] { 1.0, 2.0, 3.0 }),
        });

        graph.NodeCount.Should().Be(4);
        graph.RelationCount.Should().Be(2);
        graph.RelationNames.Should().Equal("a", "b");
        graph.EdgeCount.Should().Be(5);
        graph.Device.type.Should().Be(TorchSharp.DeviceType.CPU);
    }

    [Fact]
    public void Combine_rejects_no_graphs_and_a_null_graph()
    {
        using var a = new RelationalGraph(3, new[] { Relation("a", new long[] { 0 }, new long[] { 1 }) });

        FluentActions.Invoking(() => RelationalGraph.Combine()).Should().Throw<ArgumentException>()
            .WithMessage("Nothing to combine*").WithParameterName("graphs");
        FluentActions.Invoking(() => RelationalGraph.Combine(a, null!)).Should().Throw<ArgumentNullException>().WithParameterName("graphs");
        FluentActions.Invoking(() => RelationalGraph.Combine(null!, a)).Should().Throw<ArgumentNullException>().WithParameterName("graphs");
        FluentActions.Invoking(() => RelationalGraph.Combine(null!)).Should().Throw<ArgumentNullException>().WithParameterName("graphs");
    }

    [Fact]
    public void Combine_reports_a_disposed_graph_before_comparing_relation_names()
    {
        using var a = new RelationalGraph(3, new[] { Relation("knn", new long[] { 0 }, new long[] { 1 }) });
        var b = new RelationalGraph(3, new[] { Relation("knn", new long[] { 1 }, new long[] { 2 }) });
        b.Dispose();

        var act = () => RelationalGraph.Combine(a, b);

        act.Should().Throw<ObjectDisposedException>().WithMessage("*relational graph was disposed*");
    }

    [Fact]
    public void To_a_null_device_is_rejected()
    {
        using var graph = new RelationalGraph(3, new[] { Relation("a", new long[] { 0 }, new long[] { 1 }) });
        graph.Invoking(g => g.To(null!)).Should().Throw<ArgumentNullException>().WithParameterName("device");
    }

    [Fact]
    public void Combining_one_graph_gives_an_independent_copy()
    {
        var graph = new RelationalGraph(3, new[] { Relation("a", new long[] { 0, 2 }, new long[] { 1, 1 }, new[] { 0.25, 0.75 }) });

        using var copy = RelationalGraph.Combine(graph);
        graph.Dispose();

        copy.NodeCount.Should().Be(3);
        copy.RelationNames.Should().Equal("a");
        copy.Relations[0].EdgeIndex.data<long>().ToArray().Should().Equal(0, 2, 1, 1);
        copy.Relations[0].EdgeWeight!.data<double>().ToArray().Should().Equal(0.25, 0.75);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64)]
    public void To_accepts_every_floating_weight_type(ScalarType type)
    {
        using var graph = new RelationalGraph(3, new[] { Relation("a", new long[] { 0, 1 }, new long[] { 1, 2 }, new[] { 0.5, 2.0 }) });

        using var copy = graph.To(CPU, type);

        copy.Relations[0].EdgeWeight!.dtype.Should().Be(type);
        copy.Relations[0].EdgeWeight!.to(ScalarType.Float64).data<double>().ToArray().Should().Equal(0.5, 2.0);
        copy.NodeCount.Should().Be(3);
    }

    [Fact]
    public void To_keeps_a_relation_without_weights_unweighted()
    {
        using var graph = new RelationalGraph(3, new[] { Relation("a", new long[] { 0, 1 }, new long[] { 1, 2 }) });

        using var copy = graph.To(CPU, ScalarType.Float32);

        copy.Relations[0].EdgeWeight.Should().BeNull();
        copy.Relations[0].EdgeIndex.data<long>().ToArray().Should().Equal(0, 1, 1, 2);
    }

    [Fact]
    public void Disposing_a_graph_twice_is_harmless()
    {
        var graph = new RelationalGraph(3, new[] { Relation("a", new long[] { 0 }, new long[] { 1 }) });
        graph.Dispose();

        graph.Invoking(g => g.Dispose()).Should().NotThrow();
    }
}
