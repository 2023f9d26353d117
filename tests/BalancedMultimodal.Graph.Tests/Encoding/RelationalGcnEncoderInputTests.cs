using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using BalancedMultimodal.Graph.Tests.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Encoding;

/// <summary>The encoder's forward refuses features that its first convolution would refuse, naming its own parameter
/// <c>input</c> (not the layer's <c>x</c>) before any work.</summary>
public class RelationalGcnEncoderInputTests
{
    private static RelationalGcnEncoder Encoder(RelationalGraph graph) =>
        new(graph, new RelationalGcnOptions { InputSize = 2, HiddenSizes = [3], RelationCount = 2, Dropout = 0 });

    [Fact]
    public void Integer_features_are_refused_naming_input()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var encoder = Encoder(graph);
        using var features = zeros(5, 2, dtype: ScalarType.Int64);

        var act = () => encoder.forward(features);

        act.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("Node features must be floating point, got Int64.*");
    }

    [Fact]
    public void Features_of_another_width_are_refused_naming_input_and_both_widths()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var encoder = Encoder(graph);
        using var features = zeros(5, 3);

        var act = () => encoder.forward(features);

        act.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("Node features have 3 columns but the encoder expects 2 (its input width).*");
    }

    [Fact]
    public void Features_of_another_dtype_than_the_parameters_are_refused_naming_input()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var encoder = Encoder(graph);
        using var features = zeros(5, 2, dtype: ScalarType.Float64);

        var act = () => encoder.forward(features);

        act.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("Node features are Float64 but the encoder's parameters are Float32*");
    }

    [Fact]
    public void Valid_features_are_still_embedded()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var encoder = Encoder(graph);
        using var features = ones(5, 2);

        using var embedding = encoder.forward(features);

        embedding.shape.Should().Equal(5, 3);
    }
}
