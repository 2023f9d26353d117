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
