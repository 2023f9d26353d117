using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Graphs;

/// <summary>A <see cref="RelationalGraph"/>'s tensors belong, like any tensor, to the dispose scope they were made in,
/// whichever route built the graph: using such a graph after its scope ended is refused by name (it was TorchSharp's
/// unnamed "empty handle" error while the graph itself still said it was alive), and
/// <see cref="RelationalGraph.DetachFromDisposeScope"/> keeps a graph beyond its scope until it is disposed.</summary>
public sealed class RelationalGraphOwnershipTests
{
    private static Tensor Similarity(int n, int seed)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var s = rand(n, n, dtype: ScalarType.Float64, generator: generator);
        return ((s + s.t()) / 2).MoveToOuterDisposeScope();
    }

    private static GraphRelation Relation(string name) =>
        new(name, tensor(new long[] { 0, 1, 2, 1, 2, 0 }).reshape(2, 3), tensor(new[] { 1.0, 0.5, 2.0 }));

    public static TheoryData<string> Routes() => new() { "constructor", "top-k", "top-k with mask", "MOGONET", "Combine", "To" };

    private static RelationalGraph BuildBy(string route)
    {
        switch (route)
        {
            case "constructor":
                return new RelationalGraph(3, [Relation("fused")]);
            case "top-k":
                return new TopKGraphBuilder(3).Build(Similarity(12, 1));
            case "top-k with mask":
                return new TopKGraphBuilder(3).Build(Similarity(12, 1), Enumerable.Range(0, 12).Select(i => i != 5).ToArray(), "masked");
            case "MOGONET":
                return new MogonetThresholdGraphBuilder(3).Build(randn(12, 4, dtype: ScalarType.Float64));
            case "Combine":
                {
                    using var a = new RelationalGraph(3, [Relation("a")]);
                    using var b = new RelationalGraph(3, [Relation("b")]);
                    return RelationalGraph.Combine(a, b);
                }
            case "To":
                {
                    using var source = new RelationalGraph(3, [Relation("fused")]);
                    return source.To(source.Device, ScalarType.Float32);
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(route));
        }
    }

    /// <summary>A graph built by <paramref name="route"/> inside a dispose scope that ends before this returns (detached
    /// from it first when <paramref name="detach"/>).</summary>
    private static RelationalGraph BuiltInsideAScope(string route, bool detach)
    {
        using var scope = NewDisposeScope();
        var graph = BuildBy(route);
        graph.EdgeCount.Should().BeGreaterThan(0);
        return detach ? graph.DetachFromDisposeScope() : graph;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public void A_graph_whose_scope_ended_is_refused_naming_the_relation_and_the_cure(string route)
    {
        long before = LiveTensors.Count;
        var graph = BuiltInsideAScope(route, detach: false);

        LiveTensors.Count.Should().Be(before, "the scope freed the graph's tensors, as it frees any tensor made in it");
        var read = () => graph.EdgeCount;
        read.Should().Throw<ObjectDisposedException>().WithMessage($"*relation '{graph.RelationNames[0]}' was freed outside the graph*DetachFromDisposeScope*");
        using var layer = new RelationalGraphConv(2, 2, graph.RelationCount);
        var forward = () => layer.forward(ones(graph.NodeCount, 2), graph);
        forward.Should().Throw<ObjectDisposedException>().WithMessage("*was freed outside the graph*");
        graph.Dispose();
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public void A_detached_graph_outlives_the_scope_it_was_built_in_until_it_is_disposed(string route)
    {
        long before = LiveTensors.Count;
        var graph = BuiltInsideAScope(route, detach: true);

        graph.Relations.SelectMany(r => new[] { r.EdgeIndex, r.EdgeWeight }).OfType<Tensor>().Should().OnlyContain(t => !t.IsInvalid);
        graph.EdgeCount.Should().BeGreaterThan(0);
        using (NewDisposeScope())
        {
            using var layer = new RelationalGraphConv(2, 2, graph.RelationCount);
            var output = layer.forward(ones(graph.NodeCount, 2), graph);
            output.isfinite().all().item<bool>().Should().BeTrue();
        }

        graph.Dispose();
        LiveTensors.Count.Should().Be(before, "disposing the graph frees its tensors and its cached normalisation");
    }

    [Fact]
    public void An_edge_tensor_disposed_behind_the_graphs_back_is_named()
    {
        var relation = Relation("fused");
        using var graph = new RelationalGraph(3, [relation]);
        relation.EdgeWeight!.Dispose();

        var read = () => graph.EdgeCount;
        read.Should().Throw<ObjectDisposedException>().WithMessage("*relation 'fused' was freed outside the graph*");
        var combine = () => RelationalGraph.Combine(graph);
        combine.Should().Throw<ObjectDisposedException>().WithMessage("*relation 'fused'*");
        var detach = () => graph.DetachFromDisposeScope();
        detach.Should().Throw<ObjectDisposedException>().WithMessage("*relation 'fused'*");
        using var layer = new RelationalGraphConv(2, 2, 1);
        var forward = () => layer.forward(ones(3, 2), graph);
        forward.Should().Throw<ObjectDisposedException>().WithMessage("*relation 'fused'*");
    }

    [Fact]
    public void ToString_describes_the_graph_from_its_metadata_and_never_throws()
    {
        RelationalGraph combined, freed;
        using (NewDisposeScope())
        {
            using var first = new RelationalGraph(3, [Relation("fused")]);
            using var second = new RelationalGraph(3, [new GraphRelation("mrna", tensor(new long[] { 0, 1, 1, 2 }).reshape(2, 2), null)]);
            combined = RelationalGraph.Combine(first, second).DetachFromDisposeScope();
            freed = new RelationalGraph(3, [Relation("fused")]);
        }

        combined.ToString().Should().Be("RelationalGraph: 3 nodes, 2 relations (fused: 3 edges, weighted; mrna: 2 edges, unweighted) on cpu");
        freed.ToString().Should().Be("RelationalGraph: 3 nodes, 1 relation (fused), tensors freed");
        combined.Dispose();
        combined.ToString().Should().Be("RelationalGraph: 3 nodes, 2 relations (fused, mrna), disposed");
        freed.Dispose();
    }

    [Fact]
    public void ToString_of_a_graph_whose_edge_weights_alone_were_freed_says_so_without_throwing()
    {
        // The edge index is alive: only the weights tell that the graph's tensors are gone.
        var relation = Relation("fused");
        using var graph = new RelationalGraph(3, [relation]);
        relation.EdgeWeight!.Dispose();

        graph.ToString().Should().Be("RelationalGraph: 3 nodes, 1 relation (fused), tensors freed");
    }

    [Fact]
    public void An_unweighted_graph_whose_scope_ended_is_refused_by_its_edge_index_alone()
    {
        // Without weights only the edge index can tell that the scope freed the graph.
        RelationalGraph graph;
        using (NewDisposeScope())
            graph = new RelationalGraph(3, [new GraphRelation("plain", tensor(new long[] { 0, 1, 2, 1, 2, 0 }).reshape(2, 3), null)]);

        var read = () => graph.EdgeCount;
        read.Should().Throw<ObjectDisposedException>().WithMessage("*relation 'plain' was freed outside the graph*DetachFromDisposeScope*");
        using var layer = new RelationalGraphConv(2, 2, 1);
        using var x = ones(3, 2);
        var forward = () => layer.forward(x, graph);
        forward.Should().Throw<ObjectDisposedException>().WithMessage("*relation 'plain' was freed outside the graph*");
        graph.Dispose();
    }
}
