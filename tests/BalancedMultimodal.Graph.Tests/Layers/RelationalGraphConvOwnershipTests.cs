using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>A layer built inside a caller's dispose scope owns its parameters: closing that scope must not free them
/// (the behaviour of TorchSharp's own nn.Linear).</summary>
public class RelationalGraphConvOwnershipTests
{
    [Fact]
    public void Parameters_survive_the_dispose_scope_the_layer_was_built_in()
    {
        RelationalGraphConv conv;
        using (NewDisposeScope())
            conv = new RelationalGraphConv(3, 2, 2, numBases: 1, dtype: ScalarType.Float64);
        using var owned = conv;

        foreach (var (name, parameter) in conv.named_parameters())
        {
            parameter.IsInvalid.Should().BeFalse($"parameter {name} must outlive the scope");
            parameter.sum().item<double>().Should().Match(v => double.IsFinite(v), $"parameter {name} stays readable");
        }
        using var graph = SmallGraphs.FiveNodes(weighted: false, emptySecondRelation: false);
        using var generator = new Generator(27);
        using var x = randn(5, 3, dtype: ScalarType.Float64, generator: generator);
        using var y = conv.forward(x, graph);
        y.shape.Should().Equal(5, 2);
    }

    [Fact]
    public void Disposing_a_graph_frees_its_cached_normalisation_at_once()
    {
        var graph = SmallGraphs.FiveNodes(weighted: true, emptySecondRelation: false);
        var normalization = RelationalGraphNormalization.For(graph, ScalarType.Float64);
        using var conv = new RelationalGraphConv(2, 2, 2, dtype: ScalarType.Float64);
        using (NewDisposeScope()) conv.forward(SmallGraphs.Features(), graph); // builds the sparse operators too
        normalization.ByteCount.Should().BeGreaterThan(0);

        graph.Dispose();

        normalization.Source.IsInvalid.Should().BeTrue();
        normalization.Coefficient.IsInvalid.Should().BeTrue();
        // A new graph with the same edges gets a fresh, usable normalisation.
        using var again = SmallGraphs.FiveNodes(weighted: true, emptySecondRelation: false);
        RelationalGraphNormalization.For(again, ScalarType.Float64).Should().NotBeSameAs(normalization);
    }
}
