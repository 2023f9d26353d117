using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>Bad input is rejected with an exception naming the problem before any computation.</summary>
public class RelationalGraphConvBadInputTests
{
    [Fact]
    public void Edge_index_out_of_range_is_rejected_by_the_graph()
    {
        var act = () => new RelationalGraph(3, [new GraphRelation("fused", tensor(new long[,] { { 0, 1 }, { 2, 3 } }), null)]);

        act.Should().Throw<ArgumentException>().WithMessage("*'fused'*edge 1*node 3*[0, 3)*");
    }

    [Fact]
    public void Edge_index_corrupted_after_construction_is_rejected_by_the_layer()
    {
        using var graph = SmallGraphs.FiveNodes();
        using (no_grad()) graph.Relations[1].EdgeIndex[0, 2] = tensor(7L);
        using var conv = new RelationalGraphConv(2, 2, 2, dtype: ScalarType.Float64);

        var act = () => conv.forward(SmallGraphs.Features(), graph);

        act.Should().Throw<ArgumentException>().WithMessage("*'b'*edge 2*outside [0, 5)*");
    }

    [Fact]
    public void Negative_edge_weights_are_rejected_by_the_graph()
    {
        var act = () => new RelationalGraph(3, [new GraphRelation("knn", tensor(new long[,] { { 0, 1 }, { 1, 2 } }), tensor(new[] { 0.5, -1.0 }))]);

        act.Should().Throw<ArgumentException>().WithMessage("*'knn'*edge 1*weight -1*non-negative*");
    }

    [Fact]
    public void Finite_weights_whose_sum_into_a_node_overflows_are_rejected_by_the_graph()
    {
        // Two edges of 1e308 into node 0: each coefficient w / total would be 0 and node 0 would get nothing.
        var act = () => new RelationalGraph(3, [new GraphRelation("fused", tensor(new long[,] { { 1, 2, 0 }, { 0, 0, 1 } }), tensor(new[] { 1e308, 1e308, 1.0 }))]);

        act.Should().Throw<ArgumentException>().WithParameterName("relations")
            .WithMessage("Relation 'fused': the weights of the edges into node 0 sum beyond float64's range*");
    }

    [Fact]
    public void Weights_whose_sum_overflows_after_construction_are_rejected_by_the_layer_naming_relation_and_node()
    {
        using var graph = new RelationalGraph(3, [new GraphRelation("fused", tensor(new long[,] { { 1, 2 }, { 0, 0 } }), tensor(new[] { 1.0, 1.0 }))]);
        using (no_grad()) graph.Relations[0].EdgeWeight!.fill_(1e308);
        using var conv = new RelationalGraphConv(1, 1, 1, dtype: ScalarType.Float64);

        var act = () => conv.forward(tensor(new double[,] { { 0 }, { 2 }, { 4 } }), graph);

        act.Should().Throw<ArgumentException>().WithMessage("Relation 'fused': the weights of the edges into node 0 sum beyond float64's range*");
    }

    [Fact]
    public void Very_large_weights_with_a_finite_sum_give_the_exact_weighted_mean()
    {
        using var graph = new RelationalGraph(3, [new GraphRelation("fused", tensor(new long[,] { { 1, 2 }, { 0, 0 } }), tensor(new[] { 8e307, 8e307 }))]);
        using var conv = new RelationalGraphConv(1, 1, 1, dtype: ScalarType.Float64);
        using (no_grad()) { conv.Root.fill_(0); conv.Weight.fill_(1); conv.Bias?.zero_(); }

        using var output = conv.forward(tensor(new double[,] { { 0 }, { 2 }, { 4 } }), graph);

        output[0, 0].item<double>().Should().BeApproximately(3.0, 1e-12);
    }

    [Fact]
    public void Negative_edge_weights_set_after_construction_are_rejected_by_the_layer()
    {
        using var graph = SmallGraphs.FiveNodes(weighted: true);
        using (no_grad()) graph.Relations[0].EdgeWeight![3] = tensor(-2.0);
        using var conv = new RelationalGraphConv(2, 2, 2, dtype: ScalarType.Float64);

        var act = () => conv.forward(SmallGraphs.Features(), graph);

        act.Should().Throw<ArgumentException>().WithMessage("*'a'*edge 3*weight -2*non-negative*");
    }

    [Fact]
    public void Feature_rows_must_match_the_node_count()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var conv = new RelationalGraphConv(2, 2, 2);

        var act = () => conv.forward(zeros(4, 2), graph);

        act.Should().Throw<ArgumentException>().WithMessage("*4 rows*graph has 5 nodes*").Which.ParamName.Should().Be("x");
    }

    [Fact]
    public void Feature_columns_must_match_in_channels()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var conv = new RelationalGraphConv(3, 2, 2);

        var act = () => conv.forward(zeros(5, 2), graph);

        act.Should().Throw<ArgumentException>().WithMessage("*2 columns*inChannels = 3*");
    }

    [Fact]
    public void Relation_count_must_match_the_layer()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var conv = new RelationalGraphConv(2, 2, 3);

        var act = () => conv.forward(zeros(5, 2), graph);

        act.Should().Throw<ArgumentException>().WithMessage("*2 relations (a, b)*numRelations = 3*").Which.ParamName.Should().Be("graph");
    }

    [Fact]
    public void Feature_dtype_must_match_the_parameters()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var conv = new RelationalGraphConv(2, 2, 2);

        var act = () => conv.forward(zeros(5, 2, dtype: ScalarType.Float64), graph);

        act.Should().Throw<ArgumentException>().WithMessage("*Float64*parameters are Float32*");
    }

    [Fact]
    public void More_bases_than_relations_is_rejected()
    {
        var act = () => new RelationalGraphConv(4, 4, 2, numBases: 3);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("numBases");
    }

    [Theory]
    [InlineData(6, 4, 4)]
    [InlineData(4, 6, 4)]
    public void Block_count_must_divide_in_and_out_channels(int inChannels, int outChannels, int blocks)
    {
        var act = () => new RelationalGraphConv(inChannels, outChannels, 2, numBlocks: blocks);

        act.Should().Throw<ArgumentException>().WithMessage($"*numBlocks ({blocks}) must divide*").Which.ParamName.Should().Be("numBlocks");
    }

    [Fact]
    public void Bases_and_blocks_together_are_rejected()
    {
        var act = () => new RelationalGraphConv(4, 4, 2, numBases: 1, numBlocks: 2);

        act.Should().Throw<ArgumentException>().WithMessage("*cannot both be set*");
    }
}
