using BalancedMultimodal.Graph.Graphs;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Graphs;

/// <summary>The rules of <see cref="GraphConnectivity"/> at their edges: self loops and zero weights join nothing, the
/// eigenvalue limit is inclusive, and the report and warning say what was found.</summary>
public sealed class GraphConnectivityRulesTests
{
    private static RelationalGraph Directed(long n, (long S, long T)[] edges, double[]? weights = null) =>
        new(n, new[]
        {
            new GraphRelation("g", tensor(edges.Select(e => e.S).Concat(edges.Select(e => e.T)).ToArray()).reshape(2, edges.Length),
                weights is null ? null : tensor(weights, dtype: ScalarType.Float64)),
        });

    [Fact]
    public void The_eigenvalue_node_limit_must_be_at_least_two_and_fit_a_dotnet_array()
    {
        using var graph = Directed(2, new[] { (0L, 1L) });

        FluentActions.Invoking(() => GraphConnectivity.Analyze(null!)).Should().Throw<ArgumentNullException>().WithParameterName("graph");
        FluentActions.Invoking(() => GraphConnectivity.Analyze(graph, eigenNodeLimit: 1)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("The eigenvalue node limit must lie in [2, 46340]*").WithParameterName("eigenNodeLimit");
        FluentActions.Invoking(() => GraphConnectivity.Analyze(graph, eigenNodeLimit: 46341)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("The eigenvalue node limit must lie in [2, 46340]*").WithParameterName("eigenNodeLimit");
        GraphConnectivity.Analyze(graph, eigenNodeLimit: GraphConnectivity.MaximumEigenNodeLimit).AlgebraicConnectivity.Should().NotBeNull();
        GraphConnectivity.Analyze(graph, eigenNodeLimit: 2).AlgebraicConnectivity!.Value.Should().BeApproximately(1, 1e-12,
            "one directed edge of weight 1 is an undirected edge of weight 1/2 + 1/2, and lambda_2 of K2 is twice that");
    }

    [Fact]
    public void The_eigenvalue_is_computed_at_exactly_the_node_limit()
    {
        using var path = Directed(3, new[] { (0L, 1L), (1L, 0L), (1L, 2L), (2L, 1L) });

        GraphConnectivity.Analyze(path, eigenNodeLimit: 3).AlgebraicConnectivity!.Value.Should().BeApproximately(1, 1e-12);
    }

    [Fact]
    public void A_single_node_has_no_algebraic_connectivity_and_is_isolated()
    {
        using var graph = Directed(1, new[] { (0L, 0L) });

        var report = GraphConnectivity.Analyze(graph);

        report.AlgebraicConnectivity.Should().BeNull();
        report.ComponentSizes.Should().Equal(1L);
        report.IsolatedNodes.Should().Equal(0L);
        report.IsConnected.Should().BeTrue();
    }

    [Fact]
    public void A_self_loop_neither_joins_nor_changes_the_laplacian()
    {
        using var graph = Directed(3, new[] { (0L, 1L), (1L, 0L), (2L, 2L) }, new[] { 1.0, 1.0, 5.0 });

        var report = GraphConnectivity.Analyze(graph);

        report.ComponentSizes.Should().Equal(2L, 1L);
        report.IsolatedNodes.Should().Equal(2L);
        report.AlgebraicConnectivity!.Value.Should().BeApproximately(0, 1e-12);
    }

    [Fact]
    public void An_edge_of_weight_zero_joins_nothing()
    {
        using var graph = Directed(3, new[] { (0L, 1L), (1L, 2L) }, new[] { 2.0, 0.0 });

        var report = GraphConnectivity.Analyze(graph);

        report.ComponentSizes.Should().Equal(2L, 1L);
        report.IsolatedNodes.Should().Equal(2L);
        report.AlgebraicConnectivity!.Value.Should().BeApproximately(0, 1e-12);
    }

    [Fact]
    public void Weighted_edges_scale_the_algebraic_connectivity()
    {
        // Two nodes joined both ways with weight 3: W_01 = (3 + 3) / 2 = 3, L = [[3, -3], [-3, 3]], lambda_2 = 6.
        using var graph = Directed(2, new[] { (0L, 1L), (1L, 0L) }, new[] { 3.0, 3.0 });

        GraphConnectivity.Analyze(graph).AlgebraicConnectivity!.Value.Should().BeApproximately(6, 1e-12);
    }

    [Fact]
    public void Components_are_found_across_relations_and_through_chains_of_unions()
    {
        // Relation a joins 4-3 and 2-1, relation b joins 3-2 and 5-0: components {1, 2, 3, 4} and {0, 5}.
        using var graph = new RelationalGraph(6, new[]
        {
            new GraphRelation("a", tensor(new long[,] { { 4, 2 }, { 3, 1 } }), null),
            new GraphRelation("b", tensor(new long[,] { { 3, 5 }, { 2, 0 } }), null),
        });

        var report = GraphConnectivity.Analyze(graph);

        report.ComponentSizes.Should().Equal(4L, 2L);
        report.IsolatedNodes.Should().BeEmpty();
    }

    [Fact]
    public void A_connected_graph_logs_nothing_and_a_disconnected_one_names_its_numbers()
    {
        using var connected = Directed(2, new[] { (0L, 1L) });
        using var disconnected = Directed(5, new[] { (0L, 1L), (1L, 2L) });
        var logger = new RecordingLogger();

        GraphConnectivity.Analyze(connected, logger);
        logger.Warnings.Should().BeEmpty();

        GraphConnectivity.Analyze(disconnected, logger);
        logger.Warnings.Should().ContainSingle().Which.Should()
            .Be("Patient graph is disconnected: 3 components (largest 3 of 5 nodes), 2 isolated nodes.");
    }

    [Fact]
    public void A_disconnected_graph_without_a_logger_is_still_reported()
    {
        using var graph = Directed(3, new[] { (0L, 1L) });

        GraphConnectivity.Analyze(graph, logger: null).ComponentCount.Should().Be(2);
    }

    [Fact]
    public void The_report_summarises_itself_in_one_line()
    {
        new ConnectivityReport(351, new long[] { 350, 1 }, new long[] { 7 }, 0.0123456).ToString()
            .Should().Be("351 nodes, 2 component(s), 1 isolated, algebraic connectivity 0.01235");
        new ConnectivityReport(3000, new long[] { 3000 }, Array.Empty<long>(), null).ToString()
            .Should().Be("3000 nodes, 1 component(s), 0 isolated, algebraic connectivity not computed");
    }

    [Fact]
    public void The_report_rejects_null_lists()
    {
        FluentActions.Invoking(() => new ConnectivityReport(1, null!, Array.Empty<long>(), null)).Should().Throw<ArgumentNullException>()
            .WithParameterName("ComponentSizes");
        FluentActions.Invoking(() => new ConnectivityReport(1, new long[] { 1 }, null!, null)).Should().Throw<ArgumentNullException>()
            .WithParameterName("IsolatedNodes");
    }
}
