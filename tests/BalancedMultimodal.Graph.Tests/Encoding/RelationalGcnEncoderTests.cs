using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Layers;
using BalancedMultimodal.Graph.Tests.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Encoding;

/// <summary>The encoder built directly (not through its factory): its argument checks, each naming the argument.</summary>
public class RelationalGcnEncoderTests
{
    private static RelationalGcnOptions Options(int relations = 2, int? classes = null) =>
        new() { InputSize = 2, HiddenSizes = [3], RelationCount = relations, ClassCount = classes, Dropout = 0 };

    [Fact]
    public void Options_with_a_classifier_head_are_rejected()
    {
        using var graph = SmallGraphs.FiveNodes();

        var act = () => new RelationalGcnEncoder(graph, Options(classes: 2));

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("An encoder has no classifier head: leave ClassCount null*");
    }

    [Fact]
    public void Options_for_another_relation_count_than_the_graphs_are_rejected_naming_both()
    {
        using var graph = SmallGraphs.FiveNodes();

        var act = () => new RelationalGcnEncoder(graph, Options(relations: 3));

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("The options declare 3 relations but the graph has 2.*");
    }

    [Fact]
    public void Missing_arguments_are_rejected_by_name()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var encoder = new RelationalGcnEncoder(graph, Options());

        FluentActions.Invoking(() => new RelationalGcnEncoder(null!, Options())).Should().Throw<ArgumentNullException>().WithParameterName("graph");
        FluentActions.Invoking(() => new RelationalGcnEncoder(graph, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => encoder.forward(null!)).Should().Throw<ArgumentNullException>().WithParameterName("input");
        FluentActions.Invoking(() => new RelationalGcnEncoderFactory(null!, new RelationalGcnOptions())).Should().Throw<ArgumentNullException>().WithParameterName("graph");
        FluentActions.Invoking(() => new RelationalGcnEncoderFactory(graph, null!)).Should().Throw<ArgumentNullException>().WithParameterName("template");
        FluentActions.Invoking(() => new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions()).Create(null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("request");
    }

    [Theory]
    [InlineData(new long[] { 4, 2 }, "(4, 2)")]
    [InlineData(new long[] { 5 }, "(5)")]
    public void Features_that_are_not_one_row_per_node_are_rejected_with_both_shapes(long[] shape, string printed)
    {
        using var graph = SmallGraphs.FiveNodes();
        using var encoder = new RelationalGcnEncoder(graph, Options());
        using var features = zeros(shape);

        var act = () => encoder.forward(features);

        act.Should().Throw<ArgumentException>().WithParameterName("input")
            .WithMessage($"Expected features of shape (5, d), one row per graph node, got {printed}.*");
    }
}
