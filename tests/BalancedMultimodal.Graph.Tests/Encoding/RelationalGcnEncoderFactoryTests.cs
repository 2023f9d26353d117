using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Encoding;

public class RelationalGcnEncoderFactoryTests
{
    private static RelationalGraph Path(int n)
    {
        var sources = Enumerable.Range(0, n - 1).Select(i => (long)i).ToArray();
        var targets = Enumerable.Range(1, n - 1).Select(i => (long)i).ToArray();
        var index = tensor(sources.Concat(targets).ToArray(), 2, n - 1);
        return new RelationalGraph(n, [new GraphRelation("path", index, null)]);
    }

    [Fact]
    public void Each_modality_gets_an_encoder_over_the_shared_graph_with_its_own_input_width()
    {
        using var graph = Path(6);
        var factory = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [8, 4], Dropout = 0 });
        using var rna = factory.Create(new ModalityEncoderRequest(0, "rna", 5, graph.Device, ScalarType.Float32));
        using var mirna = factory.Create(new ModalityEncoderRequest(1, "mirna", 3, graph.Device, ScalarType.Float32));

        using var generator = new Generator(29);
        rna.forward(randn(6, 5, generator: generator)).shape.Should().Equal(6, 4);
        mirna.forward(randn(6, 3, generator: generator)).shape.Should().Equal(6, 4);
        rna.EmbeddingDim.Should().Be(4);
    }

    [Fact]
    public void The_encoder_uses_the_graph_so_a_neighbour_changes_a_node_embedding()
    {
        using var graph = Path(4);
        var factory = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3], Dropout = 0 });
        using var encoder = factory.Create(new ModalityEncoderRequest(0, "m", 2, graph.Device, ScalarType.Float64));
        encoder.eval();
        using var generator = new Generator(41);
        var x = randn(4, 2, dtype: ScalarType.Float64, generator: generator);
        var changed = x.clone();
        changed[0] = changed[0] + 5;

        var before = encoder.forward(x);
        var after = encoder.forward(changed);

        before[1].allclose(after[1]).Should().BeFalse("node 1 receives a message from node 0");
        before[3].allclose(after[3]).Should().BeTrue("node 3 is two hops away from node 0");
    }

    [Fact]
    public void Features_with_a_different_row_count_than_the_graph_are_rejected()
    {
        using var graph = Path(4);
        using var encoder = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3] })
            .Create(new ModalityEncoderRequest(0, "m", 2, graph.Device, ScalarType.Float32));
        using var generator = new Generator(58);
        var act = () => encoder.forward(randn(5, 2, generator: generator));
        act.Should().Throw<ArgumentException>().WithMessage("*(4, d)*");
    }

    [Fact]
    public void A_template_with_a_classifier_head_is_rejected()
    {
        using var graph = Path(4);
        var act = () => new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3], ClassCount = 2 });
        act.Should().Throw<ArgumentException>().WithMessage("*ClassCount*");
    }
}
