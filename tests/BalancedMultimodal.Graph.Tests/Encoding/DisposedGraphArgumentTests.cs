using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using BalancedMultimodal.Graph.Tests.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Encoding;

/// <summary>A graph disposed before a model is built on it is refused when the model is built, naming the argument,
/// not at the first forward pass.</summary>
public class DisposedGraphArgumentTests
{
    private static RelationalGcnOptions Options() => new() { InputSize = 2, HiddenSizes = [3], RelationCount = 2, Dropout = 0 };

    [Fact]
    public void An_encoder_is_not_built_on_a_disposed_graph()
    {
        var graph = SmallGraphs.FiveNodes();
        graph.Dispose();

        var act = () => new RelationalGcnEncoder(graph, Options());

        act.Should().Throw<ObjectDisposedException>().WithMessage("The relational graph was disposed; 'graph' must be a live graph*")
            .Which.ObjectName.Should().Be("RelationalGraph");
    }

    [Fact]
    public void An_encoder_factory_is_not_built_on_a_disposed_graph()
    {
        var graph = SmallGraphs.FiveNodes();
        graph.Dispose();

        var act = () => new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3] });

        act.Should().Throw<ObjectDisposedException>().WithMessage("The relational graph was disposed; 'graph' must be a live graph*");
    }

    [Fact]
    public void An_encoder_is_not_built_on_a_graph_whose_dispose_scope_freed_its_tensors()
    {
        RelationalGraph graph;
        using (NewDisposeScope())
            graph = SmallGraphs.FiveNodes();

        var encoder = () => new RelationalGcnEncoder(graph, Options());
        var factory = () => new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3] });

        encoder.Should().Throw<ObjectDisposedException>().WithMessage("*relation 'a' was freed outside the graph*DetachFromDisposeScope*")
            .Which.ObjectName.Should().Be("RelationalGraph");
        factory.Should().Throw<ObjectDisposedException>().WithMessage("*relation 'a' was freed outside the graph*");
        graph.Dispose();
    }
}
