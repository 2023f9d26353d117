using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary><see cref="RelationalGcn.Classify"/> checks its graph for either head, although a linear head never reads
/// it: a disposed graph, or one of another relation count than the network's, is refused naming the argument.</summary>
public class RelationalGcnGraphArgumentTests
{
    private static RelationalGcn Model(RelationalGcnHead head) => new(new RelationalGcnOptions
    {
        InputSize = 2, HiddenSizes = [3], RelationCount = 2, ClassCount = 2, Head = head, Dropout = 0,
    });

    private static RelationalGraph OneRelation() =>
        new(5, [new GraphRelation("a", tensor(new long[,] { { 0, 1 }, { 1, 2 } }), null)]);

    [Theory]
    [InlineData(RelationalGcnHead.Linear)]
    [InlineData(RelationalGcnHead.GraphConvolution)]
    public void Classify_refuses_a_disposed_graph(RelationalGcnHead head)
    {
        using var model = Model(head);
        var graph = SmallGraphs.FiveNodes();
        graph.Dispose();
        using var embedding = zeros(5, 3);

        var act = () => model.Classify(embedding, graph);

        act.Should().Throw<ObjectDisposedException>().WithMessage("The relational graph was disposed; 'graph' must be a live graph*");
    }

    [Theory]
    [InlineData(RelationalGcnHead.Linear)]
    [InlineData(RelationalGcnHead.GraphConvolution)]
    public void Classify_refuses_a_graph_of_another_relation_count_naming_both_counts(RelationalGcnHead head)
    {
        using var model = Model(head);
        using var graph = OneRelation();
        using var embedding = zeros(5, 3);

        var act = () => model.Classify(embedding, graph);

        act.Should().Throw<ArgumentException>().WithParameterName("graph")
            .WithMessage("The graph has 1 relations (a) but the network was built for RelationCount = 2.*");
    }

    [Fact]
    public void Embed_refuses_a_disposed_graph_naming_the_argument()
    {
        using var model = Model(RelationalGcnHead.Linear);
        var graph = SmallGraphs.FiveNodes();
        graph.Dispose();
        using var x = zeros(5, 2);

        var act = () => model.Embed(x, graph);

        act.Should().Throw<ObjectDisposedException>().WithMessage("The relational graph was disposed; 'graph' must be a live graph*");
    }
}
