using BalancedMultimodal.Graph.Graphs;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Graphs;

public sealed class GraphConnectivityTests
{

    private static RelationalGraph Undirected(long n, params (long A, long B)[] edges)
    {
        var sources = edges.SelectMany(e => new[] { e.A, e.B }).ToArray();
        var targets = edges.SelectMany(e => new[] { e.B, e.A }).ToArray();
        return new RelationalGraph(n, new[] { new GraphRelation("g", tensor(sources.Concat(targets).ToArray()).reshape(2, sources.Length), null) });
    }

    [Fact]
    public void Path_graph_has_the_analytic_algebraic_connectivity()
    {
        const int n = 10;
        using var path = Undirected(n, Enumerable.Range(0, n - 1).Select(i => ((long)i, (long)i + 1)).ToArray());

        var report = GraphConnectivity.Analyze(path);

        report.IsConnected.Should().BeTrue();
        report.IsolatedNodes.Should().BeEmpty();
        report.AlgebraicConnectivity!.Value.Should().BeApproximately(2 * (1 - Math.Cos(Math.PI / n)), 1e-10);
    }

    [Fact]
    public void Weighted_directed_multi_relation_graph_matches_MathNets_eigen_decomposition_of_the_symmetrised_Laplacian()
    {
        const int n = 40;
        var random = new Random(3);
        var relations = new List<GraphRelation>();
        var w = new double[n, n];
        for (int r = 0; r < 2; r++)
        {
            var edges = Enumerable.Range(0, 120).Select(_ => (S: random.Next(n), T: random.Next(n), W: random.NextDouble())).ToArray();
            foreach (var (a, b, weight) in edges.Where(e => e.S != e.T)) { w[a, b] += weight / 2; w[b, a] += weight / 2; }
            relations.Add(new GraphRelation($"r{r}",
                tensor(edges.Select(e => (long)e.S).Concat(edges.Select(e => (long)e.T)).ToArray()).reshape(2, edges.Length),
                tensor(edges.Select(e => e.W).ToArray())));
        }
        var weights = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(w);
        var laplacian = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalVector(weights.RowSums()) - weights;
        double expected = laplacian.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(c => c.Real).Order().ElementAt(1);
        using var graph = new RelationalGraph(n, relations);

        GraphConnectivity.Analyze(graph).AlgebraicConnectivity!.Value.Should().BeApproximately(expected, 1e-10);
        expected.Should().BeGreaterThan(0.1, "the random graph is connected, so the check is not 0 = 0");
    }

    [Fact]
    public void Complete_graph_has_algebraic_connectivity_n()
    {
        var edges = new List<(long, long)>();
        for (long i = 0; i < 6; i++) for (long j = i + 1; j < 6; j++) edges.Add((i, j));
        using var complete = Undirected(6, edges.ToArray());

        GraphConnectivity.Analyze(complete).AlgebraicConnectivity!.Value.Should().BeApproximately(6, 1e-10);
    }

    [Fact]
    public void Components_and_isolated_nodes_are_reported()
    {
        using var graph = Undirected(6, (0, 1), (1, 2), (3, 4));

        var report = GraphConnectivity.Analyze(graph);

        report.ComponentSizes.Should().Equal(3L, 2L, 1L);
        report.IsolatedNodes.Should().Equal(5L);
        report.IsConnected.Should().BeFalse();
        report.AlgebraicConnectivity!.Value.Should().BeApproximately(0, 1e-10);
    }

    [Fact]
    public void A_disconnected_graph_logs_one_warning()
    {
        using var graph = Undirected(4, (0, 1), (2, 3));
        var logger = new RecordingLogger();

        GraphConnectivity.Analyze(graph, logger);

        logger.Warnings.Should().ContainSingle().Which.Should().Contain("2 components");
    }

    [Fact]
    public void The_eigenvalue_is_skipped_above_the_node_limit()
    {
        using var graph = Undirected(5, (0, 1), (1, 2), (2, 3), (3, 4));

        var report = GraphConnectivity.Analyze(graph, eigenNodeLimit: 4);

        report.AlgebraicConnectivity.Should().BeNull();
        report.IsConnected.Should().BeTrue();
    }

    [Fact]
    public void Analysis_leaves_no_tensor_behind()
    {
        var sources = new long[] { 0, 1, 2 };
        var targets = new long[] { 1, 2, 3 };
        using var graph = new RelationalGraph(4, new[]
        {
            new GraphRelation("weighted", tensor(sources.Concat(targets).ToArray()).reshape(2, 3), tensor(new[] { 0.5f, 1f, 2f })),
            new GraphRelation("plain", tensor(new long[] { 3, 0 }).reshape(2, 1), null),
        });
        GraphConnectivity.Analyze(graph);
        long before = LiveTensors.Count;

        GraphConnectivity.Analyze(graph);

        LiveTensors.Count.Should().Be(before);
    }


    [Fact]
    public void A_relation_without_edges_is_analysed_as_contributing_none()
    {
        using var graph = new RelationalGraph(3, new[]
        {
            new GraphRelation("a", tensor(new long[,] { { 0, 1 }, { 1, 2 } }), null),
            new GraphRelation("b", zeros(2, 0, dtype: ScalarType.Int64), zeros(0, dtype: ScalarType.Float64)),
        });

        var report = GraphConnectivity.Analyze(graph);

        report.ComponentCount.Should().Be(1);
        report.IsolatedNodes.Should().BeEmpty();
    }

    private static RelationalGraph Weighted(long n, long[] sources, long[] targets, double[] weights) =>
        new(n, [new GraphRelation("g", tensor(sources.Concat(targets).ToArray(), [2, sources.Length]), tensor(weights))]);

    [Theory]
    [InlineData(1e308)]    // node 0's degree overflowed and the eigenvalue solver returned NaN
    [InlineData(1e300)]
    [InlineData(1e-305)]
    public void Extreme_weights_give_the_scaled_algebraic_connectivity(double c)
    {
        // A star with 4 edges of weight c out of node 0: W = c/2 on each spoke (symmetrised), so the Laplacian's
        // eigenvalues are 0, c/2, c/2, c/2 and 5c/2.
        using var star = Weighted(5, [0, 0, 0, 0], [1, 2, 3, 4], [c, c, c, c]);

        var report = GraphConnectivity.Analyze(star);

        report.AlgebraicConnectivity!.Value.Should().BeApproximately(c / 2, 1e-12 * c);
    }
}
