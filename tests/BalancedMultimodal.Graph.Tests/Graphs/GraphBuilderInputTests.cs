using BalancedMultimodal.Graph.Graphs;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Graphs;

/// <summary>The builders' parameter ranges and input checks, and the edge cases of their rules.</summary>
public sealed class GraphBuilderInputTests
{
    private static readonly double[,] Similarity =
    {
        { 1.0, 0.9, 0.1, 0.2 },
        { 0.9, 1.0, 0.8, 0.1 },
        { 0.1, 0.8, 1.0, 0.7 },
        { 0.2, 0.1, 0.7, 1.0 },
    };

    private static (long Source, long Target)[] Pairs(RelationalGraph graph)
    {
        var relation = graph.Relations.Single();
        var index = relation.EdgeIndex.data<long>().ToArray();
        long e = relation.EdgeCount;
        return Enumerable.Range(0, (int)e).Select(k => (index[k], index[e + k])).ToArray();
    }

    [Fact]
    public void Top_k_needs_at_least_one_neighbour()
    {
        var act = () => new TopKGraphBuilder(0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("k");
        new TopKGraphBuilder(1).K.Should().Be(1);
        new TopKGraphBuilder(1).SelfLoops.Should().BeFalse();
    }

    [Fact]
    public void Top_k_with_k_one_below_the_node_count_joins_every_pair_and_keeps_float32()
    {
        using var similarity = tensor(Similarity, dtype: ScalarType.Float64).to_type(ScalarType.Float32);

        using var graph = new TopKGraphBuilder(3).Build(similarity);

        Pairs(graph).Should().HaveCount(12).And.OnlyContain(p => p.Source != p.Target);
        graph.NodeCount.Should().Be(4);
        graph.Relations[0].EdgeWeight!.dtype.Should().Be(ScalarType.Float32);
        graph.Relations[0].EdgeWeight![0].item<float>().Should().Be(0.9f);
    }

    [Fact]
    public void Top_k_rejects_a_null_array_a_non_square_and_an_integer_similarity()
    {
        var builder = new TopKGraphBuilder(1);
        using var rectangular = ones(3, 4, dtype: ScalarType.Float64);
        using var integer = ones(new long[] { 3, 3 }, dtype: ScalarType.Int64);

        builder.Invoking(b => b.Build((double[,])null!)).Should().Throw<ArgumentNullException>().WithParameterName("similarity");
        builder.Invoking(b => b.Build((Tensor)null!)).Should().Throw<ArgumentNullException>().WithParameterName("similarity");
        builder.Invoking(b => b.Build(rectangular)).Should().Throw<ArgumentException>()
            .WithMessage("The similarity matrix must be square (n, n), got (3, 4).*").WithParameterName("similarity");
        builder.Invoking(b => b.Build(integer)).Should().Throw<ArgumentException>()
            .WithMessage("The similarity matrix must be float32 or float64, got Int64.*").WithParameterName("similarity");
    }

    [Fact]
    public void Top_k_rejects_an_infinite_similarity_naming_row_and_column()
    {
        var bad = (double[,])Similarity.Clone();
        bad[3, 1] = double.PositiveInfinity;

        var act = () => new TopKGraphBuilder(1).Build(bad);

        act.Should().Throw<ArgumentException>().WithMessage($"Similarity row 3, column 1 holds {double.PositiveInfinity}; it must be finite*")
            .WithParameterName("similarity");
    }

    [Fact]
    public void Top_k_accepts_zero_similarities()
    {
        var sparse = (double[,])Similarity.Clone();
        sparse[0, 3] = sparse[3, 0] = 0;

        using var graph = new TopKGraphBuilder(1).Build(sparse);

        Pairs(graph).Should().HaveCount(6);
    }

    [Fact]
    public void Mogonet_row_normalises_the_adjacency_of_nodes_with_different_degrees()
    {
        // x0 = (3, 4), x1 = (10, 0), x2 = (3, -4): cosines 0.6 (0-1, 1-2) and -0.28 (0-2), so with k = 1 and n = 3 tau is
        // 0.4 and node 1 has two neighbours. A + I = [[1, .6, 0], [.6, 1, .6], [0, .6, 1]], rows divided by 1.6, 2.2, 1.6.
        using var features = tensor(new double[,] { { 3, 4 }, { 10, 0 }, { 3, -4 } });

        using var graph = new MogonetThresholdGraphBuilder(1).Build(features);

        Pairs(graph).Should().Equal((0L, 0L), (1L, 0L), (0L, 1L), (1L, 1L), (2L, 1L), (1L, 2L), (2L, 2L));
        var weights = graph.Relations[0].EdgeWeight!.data<double>().ToArray();
        var expected = new[] { 1 / 1.6, 0.6 / 1.6, 0.6 / 2.2, 1 / 2.2, 0.6 / 2.2, 0.6 / 1.6, 1 / 1.6 };
        weights.Zip(expected).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-12);
    }

    [Fact]
    public void Mogonet_accepts_a_single_feature_column()
    {
        // One feature: cosine distance 0 between samples of the same sign, 2 otherwise; tau (k = 1, n = 3) is 0.
        using var features = tensor(new double[,] { { 1 }, { 2 }, { -1 } });

        using var graph = new MogonetThresholdGraphBuilder(1).Build(features);

        Pairs(graph).Should().Equal((0L, 0L), (1L, 0L), (0L, 1L), (1L, 1L), (2L, 2L));
    }

    [Fact]
    public void Mogonet_needs_at_least_one_edge_per_node()
    {
        var act = () => new MogonetThresholdGraphBuilder(0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("edgesPerNode");
        new MogonetThresholdGraphBuilder(1).EdgesPerNode.Should().Be(1);
    }

    [Fact]
    public void Mogonet_rejects_edges_per_node_not_below_the_sample_count()
    {
        using var features = tensor(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } });

        var act = () => new MogonetThresholdGraphBuilder(3).Build(features);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*edgesPerNode = 3 must be below the number of samples (3)*")
            .WithParameterName("features");
    }

    [Fact]
    public void Mogonet_with_edges_per_node_one_below_the_sample_count_builds()
    {
        using var features = tensor(new double[,] { { 1, 0 }, { 0.8, 0.6 }, { 0.6, 0.8 } });

        using var graph = new MogonetThresholdGraphBuilder(2).Build(features);

        graph.NodeCount.Should().Be(3);
        Pairs(graph).Should().Contain((0L, 0L));
    }

    [Fact]
    public void Mogonet_rejects_malformed_features_naming_them()
    {
        var builder = new MogonetThresholdGraphBuilder(1);
        using var flat = ones(4, dtype: ScalarType.Float64);
        using var noColumns = ones(4, 0, dtype: ScalarType.Float64);
        using var integer = ones(new long[] { 4, 2 }, dtype: ScalarType.Int32);
        using var nan = tensor(new double[,] { { 1, 0 }, { 0, 1 }, { 1, double.NaN } });

        builder.Invoking(b => b.Build(flat)).Should().Throw<ArgumentException>().WithMessage("Features must have shape (n, d), got (4).*").WithParameterName("features");
        builder.Invoking(b => b.Build(noColumns)).Should().Throw<ArgumentException>().WithMessage("Features must have shape (n, d), got (4, 0).*");
        builder.Invoking(b => b.Build(integer)).Should().Throw<ArgumentException>().WithMessage("Features must be float32 or float64, got Int32.*");
        builder.Invoking(b => b.Build(nan)).Should().Throw<ArgumentException>().WithMessage("Sample 2, feature 1 is not finite.*").WithParameterName("features");
        builder.Invoking(b => b.Threshold(nan)).Should().Throw<ArgumentException>().WithMessage("Sample 2, feature 1 is not finite.*");
        builder.Invoking(b => b.Build(null!)).Should().Throw<ArgumentNullException>().WithParameterName("features");
    }

    [Fact]
    public void Mogonet_rejects_a_threshold_above_one_that_would_give_negative_weights()
    {
        // Three unit vectors 120 degrees apart: the off-diagonal cosine distances are all 1.5, so with k = 1 and n = 3
        // the threshold (the 3rd smallest of the nine entries, 0-based) is 1.5.
        double c = Math.Cos(2 * Math.PI / 3), s = Math.Sin(2 * Math.PI / 3);
        using var features = tensor(new double[,] { { 1, 0 }, { c, s }, { c, -s } });
        var builder = new MogonetThresholdGraphBuilder(1);

        builder.Threshold(features).Should().BeApproximately(1.5, 1e-12);
        builder.Invoking(b => b.Build(features)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("edgesPerNode = 1 gives the cosine-distance threshold * > 1, so some weights 1 - D would be negative*").WithParameterName("features");
    }

    [Fact]
    public void Mogonet_joins_orthogonal_samples_at_a_threshold_of_exactly_one_with_weight_zero_and_drops_those_edges()
    {
        // Two orthogonal pairs: distances 0 (diagonal) and 1 everywhere else. With k = 1 and n = 4 tau is the 4th
        // smallest (0-based) of 16 entries, i.e. 1: every pair is kept, but 1 - D = 0, so only the self loops remain.
        using var features = tensor(new double[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } });
        var builder = new MogonetThresholdGraphBuilder(1);

        builder.Threshold(features).Should().Be(1);
        using var graph = builder.Build(features);

        Pairs(graph).Should().Equal((0L, 0L), (1L, 1L), (2L, 2L), (3L, 3L));
        graph.Relations[0].EdgeWeight!.data<double>().ToArray().Should().Equal(1.0, 1.0, 1.0, 1.0);
    }

    [Fact]
    public void Mogonet_keeps_float32_weights_and_names_the_relation()
    {
        using var features = tensor(new float[,] { { 1, 0 }, { 0.8f, 0.6f }, { 0, 1 } });

        using var graph = new MogonetThresholdGraphBuilder(1).Build(features, "mogonet:mRNA");

        graph.RelationNames.Should().Equal("mogonet:mRNA");
        graph.Relations[0].EdgeWeight!.dtype.Should().Be(ScalarType.Float32);
    }
}
