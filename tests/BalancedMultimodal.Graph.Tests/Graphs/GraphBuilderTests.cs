using BalancedMultimodal.Core;
using BalancedMultimodal.Graph.Graphs;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Graphs;

public sealed class GraphBuilderTests
{

    private static (long Source, long Target, double Weight)[] Edges(RelationalGraph graph)
    {
        var relation = graph.Relations.Single();
        var index = relation.EdgeIndex.data<long>().ToArray();
        var weights = relation.EdgeWeight!.to_type(ScalarType.Float64).data<double>().ToArray();
        long e = relation.EdgeCount;
        return Enumerable.Range(0, (int)e).Select(k => (index[k], index[e + k], weights[k])).ToArray();
    }

    // Node 0 prefers 1, node 1 prefers 0, node 2 prefers 1, node 3 prefers 2.
    private static readonly double[,] Similarity =
    {
        { 1.0, 0.9, 0.1, 0.2 },
        { 0.9, 1.0, 0.8, 0.1 },
        { 0.1, 0.8, 1.0, 0.7 },
        { 0.2, 0.1, 0.7, 1.0 },
    };

    [Fact]
    public void Top_1_graph_is_the_symmetrised_union_of_each_nodes_best_neighbour()
    {
        using var graph = new TopKGraphBuilder(1).Build(Similarity);

        Edges(graph).Should().Equal((0L, 1L, 0.9), (1L, 0L, 0.9), (1L, 2L, 0.8), (2L, 1L, 0.8), (2L, 3L, 0.7), (3L, 2L, 0.7));
        graph.RelationNames.Should().Equal("fused");
    }

    [Fact]
    public void With_an_availability_mask_only_available_nodes_are_joined_to_their_best_available_neighbours()
    {
        // Node 1 lacks the modality (its row and column are not read: NaN); without it node 0 prefers 3 (0.2 > 0.1),
        // node 2 prefers 3 and node 3 prefers 2.
        var similarity = (double[,])Similarity.Clone();
        for (int j = 0; j < 4; j++) similarity[1, j] = similarity[j, 1] = double.NaN;
        using var p = tensor(similarity);

        using var graph = new TopKGraphBuilder(1).Build(p, [true, false, true, true], "modality0");

        graph.NodeCount.Should().Be(4);
        graph.RelationNames.Should().Equal("modality0");
        Edges(graph).Should().Equal((0L, 3L, 0.2), (2L, 3L, 0.7), (3L, 0L, 0.2), (3L, 2L, 0.7));
    }

    [Fact]
    public void A_mask_marking_every_node_gives_the_plain_graph_and_bad_masks_are_refused()
    {
        using var p = tensor(Similarity);
        using var plain = new TopKGraphBuilder(2).Build(p);
        using var masked = new TopKGraphBuilder(2).Build(p, [true, true, true, true]);

        Edges(masked).Should().Equal(Edges(plain));
        FluentActions.Invoking(() => new TopKGraphBuilder(2).Build(p, [true, true, true])).Should().Throw<ArgumentException>()
            .WithMessage("The availability mask has 3 entries but the similarity has shape [4, 4].*");
        FluentActions.Invoking(() => new TopKGraphBuilder(2).Build(p, [true, false, true, false])).Should().Throw<ArgumentException>()
            .WithMessage("2 of 4 nodes are available; k = 2 neighbours per node needs more than 2.*");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(3)]
    public void A_similarity_that_is_not_square_is_refused_with_a_mask_before_any_block_is_gathered(int columns)
    {
        // 5 x 7 was read as its first five columns, 5 x 3 failed in native code ("INDICES element is out of DATA bounds").
        using var p = rand(5, columns, dtype: ScalarType.Float64);

        var act = () => new TopKGraphBuilder(1).Build(p, [true, true, false, true, true]);

        act.Should().Throw<ArgumentException>().WithParameterName("similarity").WithMessage($"The similarity matrix must be square (n, n), got (5, {columns}).*");
    }

    [Fact]
    public void Self_loops_are_added_with_the_diagonal_similarity_when_asked()
    {
        using var graph = new TopKGraphBuilder(1, selfLoops: true).Build(Similarity, "snf");

        Edges(graph).Where(e => e.Source == e.Target).Should().HaveCount(4).And.OnlyContain(e => e.Weight == 1.0);
        graph.RelationNames.Should().Equal("snf");
    }

    [Fact]
    public void Top_k_rejects_k_not_below_the_node_count()
    {
        var act = () => new TopKGraphBuilder(4).Build(Similarity);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*k = 4*");
    }

    [Fact]
    public void Top_k_rejects_a_negative_similarity()
    {
        var bad = (double[,])Similarity.Clone();
        bad[2, 3] = -0.1;
        var act = () => new TopKGraphBuilder(1).Build(bad);
        act.Should().Throw<ArgumentException>().WithMessage("Similarity row 2, column 3 holds -0.1*");
    }

    [Fact]
    public void Mogonet_rule_matches_a_hand_computed_adjacency()
    {
        // Unit vectors at 0, 10 and 90 degrees plus one at 100 degrees. With k = 1 and n = 4, tau is the 4th smallest
        // (0-based) of the 16 cosine distances: the four zero diagonals come first, then the two 1 - cos(10 deg) pairs.
        double Rad(double deg) => deg * Math.PI / 180;
        var angles = new[] { 0.0, 10.0, 90.0, 100.0 };
        var x = new double[4, 2];
        for (int i = 0; i < 4; i++) { x[i, 0] = Math.Cos(Rad(angles[i])); x[i, 1] = Math.Sin(Rad(angles[i])); }
        using var features = tensor(x, dtype: ScalarType.Float64);
        var builder = new MogonetThresholdGraphBuilder(1);

        double tau = builder.Threshold(features);
        using var graph = builder.Build(features);

        tau.Should().BeApproximately(1 - Math.Cos(Rad(10)), 1e-12);
        double c = Math.Cos(Rad(10)), self = 1 / (1 + c), other = c / (1 + c);
        var edges = Edges(graph);
        edges.Select(e => (e.Source, e.Target)).Should().Equal((0L, 0L), (1L, 0L), (0L, 1L), (1L, 1L), (2L, 2L), (3L, 2L), (2L, 3L), (3L, 3L));
        edges.Where(e => e.Source == e.Target).Should().OnlyContain(e => Math.Abs(e.Weight - self) < 1e-12);
        edges.Where(e => e.Source != e.Target).Should().OnlyContain(e => Math.Abs(e.Weight - other) < 1e-12);
    }

    [Theory]
    [InlineData(1, ScalarType.Float64)]
    [InlineData(3, ScalarType.Float64)]
    [InlineData(5, ScalarType.Float32)]
    public void Mogonet_threshold_is_the_kn_th_smallest_distance_of_the_full_sort(int k, ScalarType dtype)
    {
        // The threshold is found by selection (kthvalue) rather than by sorting all n^2 distances: the same order
        // statistic, bit for bit, with tied distances from duplicated and integer-valued rows.
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        var x = randint(0, 4, new long[] { 60, 5 }, generator: generator).to_type(dtype);
        x = cat(new[] { x, x.narrow(0, 0, 10) }, 0).Plus(1.0);
        long n = x.shape[0];
        // MOGONET's cosine distance exactly as the builder computes it (rows scaled by powers of two, floor 1e-8).
        var scales = PowerOfTwoScaling.RowScales(x);
        var scaled = x * scales;
        var norms = scaled.norm(1, keepdim: true);
        var distance = (scaled.mm(scaled.t()) / maximum(norms * norms.t(), (scales * scales.t()).Times(1e-8))).SubtractedFrom(1);
        var builder = new MogonetThresholdGraphBuilder(k);

        double expected = distance.reshape(-1).sort().Values[k * n].to_type(ScalarType.Float64).item<double>();

        builder.Threshold(x).Should().Be(expected);
    }

    [Theory]
    [InlineData(1, false, ScalarType.Float64)]
    [InlineData(4, false, ScalarType.Float32)]
    [InlineData(4, true, ScalarType.Float64)]
    [InlineData(9, true, ScalarType.Float32)]
    public void Top_k_edges_and_weights_equal_those_of_the_dense_symmetrised_adjacency(int k, bool selfLoops, ScalarType dtype)
    {
        // The builder forms the edge set from O(n K) flat positions; the reference is the dense n x n construction it
        // replaced (scatter the top k, OR with the transpose, list nonzero() in row-major order). Integer similarities
        // make ties, so both must also pick the same neighbours among equals (they share the topk call).
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(3);
        var raw = randint(0, 5, new long[] { 50, 50 }, generator: generator).to_type(dtype);
        var similarity = raw.Plus(raw.t()).contiguous();
        long n = similarity.shape[0];
        var candidates = similarity.clone();
        using (var minusInfinity = double.NegativeInfinity.ToScalar()) candidates.diagonal().fill_(minusInfinity);
        var neighbours = candidates.topk(k, dim: 1).indexes;
        var adjacency = zeros(n, n, dtype: ScalarType.Bool).scatter_(1, neighbours, ones(n, k, dtype: ScalarType.Bool));
        adjacency = adjacency.logical_or(adjacency.t());
        if (selfLoops) using (var yes = true.ToScalar()) adjacency.diagonal().fill_(yes);
        var expectedEdges = adjacency.nonzero().t().contiguous();
        var expectedWeights = similarity.masked_select(adjacency);

        using var graph = new TopKGraphBuilder(k, selfLoops).Build(similarity);

        graph.Relations[0].EdgeIndex.data<long>().ToArray().Should().Equal(expectedEdges.data<long>().ToArray());
        graph.Relations[0].EdgeWeight!.to_type(ScalarType.Float64).data<double>().ToArray()
            .Should().Equal(expectedWeights.to_type(ScalarType.Float64).data<double>().ToArray());
    }

    [Fact]
    public void Top_k_leaves_only_the_graphs_tensors_behind_including_those_of_the_input_check()
    {
        using var similarity = tensor(Similarity, dtype: ScalarType.Float64);
        var builder = new TopKGraphBuilder(1);
        builder.Build(similarity).Dispose();
        long before = LiveTensors.Count;

        using (var graph = builder.Build(similarity))
            LiveTensors.Count.Should().Be(before + 2, "the graph holds one edge index and one weight tensor");

        LiveTensors.Count.Should().Be(before);
    }

    [Fact]
    public void Top_k_checks_the_relation_name_before_the_similarity()
    {
        var bad = (double[,])Similarity.Clone();
        bad[2, 3] = double.NaN;
        using var similarity = tensor(bad, dtype: ScalarType.Float64);
        var builder = new TopKGraphBuilder(1);

        builder.Invoking(b => b.Build(similarity, " ")).Should().Throw<ArgumentException>()
            .WithMessage("The relation name must not be empty*").And.ParamName.Should().Be("relationName");
        builder.Invoking(b => b.Build(bad, "")).Should().Throw<ArgumentException>().And.ParamName.Should().Be("relationName");
        builder.Invoking(b => b.Build(similarity, null!)).Should().Throw<ArgumentNullException>().And.ParamName.Should().Be("relationName");
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e20)]   // the products overflowed: threshold NaN, and a graph of self loops only
    [InlineData(ScalarType.Float64, 1e160)]
    [InlineData(ScalarType.Float32, 1e-3)]     // (below |x_i| |x_j| = 1e-8 MOGONET's floor makes the distance depend on the scale, by design)
    public void Mogonet_rule_does_not_depend_on_the_rows_scale(ScalarType dtype, double unit)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(1);
        var x = randn([8, 4], dtype: ScalarType.Float64, generator: generator);
        var builder = new MogonetThresholdGraphBuilder(2);
        using var reference = builder.Build(x.to(dtype));

        using var scaled = builder.Build((x * unit).to(dtype));

        scaled.Relations[0].EdgeIndex.data<long>().ToArray().Should().Equal(reference.Relations[0].EdgeIndex.data<long>().ToArray());
        var expected = reference.Relations[0].EdgeWeight!.to(ScalarType.Float64).data<double>().ToArray();
        scaled.Relations[0].EdgeWeight!.to(ScalarType.Float64).data<double>().ToArray()
            .Should().Equal(expected, (a, b) => Math.Abs(a - b) < (dtype == ScalarType.Float32 ? 1e-6 : 1e-12));
        builder.Threshold((x * unit).to(dtype)).Should().BeApproximately(builder.Threshold(x.to(dtype)), dtype == ScalarType.Float32 ? 1e-6 : 1e-12);
    }

    [Fact]
    public void Mogonet_checks_the_relation_name_before_the_features()
    {
        using var features = tensor(new[,] { { 1.0, 0.0 }, { double.NaN, 1.0 }, { 0.5, 0.5 } });
        var builder = new MogonetThresholdGraphBuilder(1);

        builder.Invoking(b => b.Build(features, "")).Should().Throw<ArgumentException>()
            .WithMessage("The relation name must not be empty*").And.ParamName.Should().Be("relationName");
        builder.Invoking(b => b.Build(features, null!)).Should().Throw<ArgumentNullException>().And.ParamName.Should().Be("relationName");
    }
}
