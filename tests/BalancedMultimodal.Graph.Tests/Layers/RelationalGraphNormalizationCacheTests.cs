using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>The per-graph cache of <see cref="RelationalGraphNormalization"/>: kept for live graphs (weighted or not),
/// its sparse operators built once, released for every graph whose edges a scope freed, and re-validated edges.</summary>
public class RelationalGraphNormalizationCacheTests
{
    private static RelationalGraph Chain(int n) =>
        new(n, [new GraphRelation("r", tensor(new long[,] { { 0, 1, 2 }, { 1, 2, 3 } }), null)]);

    [Fact]
    public void An_unweighted_graph_keeps_its_cached_normalisation_across_lookups()
    {
        using var graph = Chain(4);

        var first = RelationalGraphNormalization.For(graph, ScalarType.Float32);
        var again = RelationalGraphNormalization.For(graph, ScalarType.Float32);

        again.Should().BeSameAs(first);
        first.Coefficient.IsInvalid.Should().BeFalse();
    }

    [Theory]
    [InlineData(3, 2)]   // no gradient and out <= in: transform first
    [InlineData(2, 3)]   // aggregate first
    public void Repeated_forward_passes_reuse_the_sparse_operator(int inChannels, int outChannels)
    {
        using var graph = SmallGraphs.FiveNodes(weighted: true);
        using var conv = new RelationalGraphConv(inChannels, outChannels, 2, dtype: ScalarType.Float64);
        using var x = ones(5, inChannels, dtype: ScalarType.Float64);
        using var noGrad = no_grad();
        void Forward()
        {
            using var scope = NewDisposeScope();
            conv.forward(x, graph);
        }
        Forward();
        long bytes = RelationalGraphNormalization.For(graph, ScalarType.Float64).ByteCount;
        long before = LiveTensors.Count;

        Forward();
        Forward();

        LiveTensors.Count.Should().BeLessThanOrEqualTo(before, "the operator built by the first pass is reused, not rebuilt");
        RelationalGraphNormalization.For(graph, ScalarType.Float64).ByteCount.Should().Be(bytes);
    }

    [Fact]
    public void Every_graph_whose_edges_a_scope_freed_is_released_at_the_next_lookup()
    {
        RelationalGraphNormalization first, second;
        using (NewDisposeScope())
        {
            var a = Chain(4);
            var b = Chain(5);
            first = RelationalGraphNormalization.For(a, ScalarType.Float64);
            second = RelationalGraphNormalization.For(b, ScalarType.Float64);
        }
        using var live = Chain(6);

        RelationalGraphNormalization.For(live, ScalarType.Float64);

        first.Coefficient.IsInvalid.Should().BeTrue("the first orphan's cache is freed");
        second.Coefficient.IsInvalid.Should().BeTrue("and so is the second's");
    }

    [Fact]
    public void A_lookup_of_a_disposed_graph_is_refused_and_later_lookups_of_live_graphs_still_work()
    {
        using var live = SmallGraphs.FiveNodes(weighted: true);
        var disposed = SmallGraphs.FiveNodes();
        disposed.Dispose();

        var refused = () => RelationalGraphNormalization.For(disposed, ScalarType.Float64);
        refused.Should().Throw<ObjectDisposedException>().WithMessage("*relational graph was disposed*");

        // The refused lookup left no cache entry behind, which every later lookup would trip over while the
        // disposed graph is reachable.
        var lookup = () => RelationalGraphNormalization.For(live, ScalarType.Float64);
        lookup.Should().NotThrow();
        using var conv = new RelationalGraphConv(2, 2, 2, dtype: ScalarType.Float64);
        using var x = SmallGraphs.Features();
        var forward = () => conv.forward(x, live).Dispose();
        forward.Should().NotThrow();
        GC.KeepAlive(disposed);
    }

    [Fact]
    public async Task Disposing_graphs_on_one_thread_never_fails_the_lookups_of_a_live_graph_on_another()
    {
        // Parallel folds: one thread disposes its graphs while another looks up its own. Every lookup scans the
        // cache for orphans; a graph being disposed must be released there, not read through its checked members.
        // Before the fix this failed within a few hundred disposals.
        const int disposals = 3000;
        using var live = SmallGraphs.FiveNodes(weighted: true);
        var done = 0;
        Exception? failure = null;
        var reader = Task.Run(() =>
        {
            try
            {
                while (Volatile.Read(ref done) == 0)
                    RelationalGraphNormalization.For(live, ScalarType.Float64);
            }
            catch (Exception e) { failure = e; }
        });
        try
        {
            for (int i = 0; i < disposals && !reader.IsCompleted; i++)
            {
                var graph = SmallGraphs.Random(20, 2, 3, weighted: true, seed: i);
                RelationalGraphNormalization.For(graph, ScalarType.Float64);
                graph.Dispose();
            }
        }
        finally { Volatile.Write(ref done, 1); }
        await reader;

        failure.Should().BeNull();
    }

    [Fact]
    public void An_edge_index_set_to_the_node_count_after_construction_is_rejected_naming_the_graph()
    {
        using var graph = SmallGraphs.FiveNodes();
        using (no_grad()) graph.Relations[0].EdgeIndex[1, 3] = tensor(5L);

        var act = () => RelationalGraphNormalization.For(graph, ScalarType.Float64);

        act.Should().Throw<ArgumentException>().WithMessage("Relation 'a': edge 3 (2 -> 5) refers to a node outside [0, 5).*")
            .WithParameterName("graph");
    }

    [Fact]
    public void A_non_finite_weight_set_after_construction_is_rejected_naming_the_graph()
    {
        using var graph = SmallGraphs.FiveNodes(weighted: true);
        using (no_grad()) graph.Relations[1].EdgeWeight![2] = tensor(double.NaN);

        var act = () => RelationalGraphNormalization.For(graph, ScalarType.Float64);

        act.Should().Throw<ArgumentException>().WithMessage($"Relation 'b': edge 2 has weight {double.NaN}; weights must be finite and non-negative.*")
            .WithParameterName("graph");
    }

    [Fact]
    public void A_single_block_is_a_valid_decomposition()
    {
        using var conv = new RelationalGraphConv(3, 2, 2, numBlocks: 1);

        conv.NumBlocks.Should().Be(1);
        conv.Weight.shape.Should().Equal(2, 1, 3, 2);
    }
}
