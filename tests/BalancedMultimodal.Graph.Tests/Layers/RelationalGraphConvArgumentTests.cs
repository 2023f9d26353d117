using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>The constructor's ranges, the forward pass's input checks not covered by
/// <see cref="RelationalGraphConvBadInputTests"/>, and the cached normalisation's values.</summary>
public class RelationalGraphConvArgumentTests
{
    [Theory]
    [InlineData(0, 2, 1, "inChannels")]
    [InlineData(2, 0, 1, "outChannels")]
    [InlineData(2, 2, 0, "numRelations")]
    public void Sizes_below_one_are_rejected_naming_the_argument(int inChannels, int outChannels, int relations, string name)
    {
        var act = () => new RelationalGraphConv(inChannels, outChannels, relations);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"{name} must be at least 1.*").WithParameterName(name);
    }

    [Fact]
    public void Decomposition_counts_below_one_and_integer_dtypes_are_rejected()
    {
        FluentActions.Invoking(() => new RelationalGraphConv(4, 4, 2, numBases: 0)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("numBases must be between 1 and numRelations (2)*").WithParameterName("numBases");
        FluentActions.Invoking(() => new RelationalGraphConv(4, 4, 2, numBlocks: 0)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("numBlocks must be at least 1.*").WithParameterName("numBlocks");
        FluentActions.Invoking(() => new RelationalGraphConv(4, 4, 2, dtype: ScalarType.Int32)).Should().Throw<ArgumentException>()
            .WithMessage("dtype must be floating point, got Int32.*").WithParameterName("dtype");
    }

    [Fact]
    public void Bases_equal_to_the_relation_count_and_dividing_blocks_are_accepted()
    {
        using var bases = new RelationalGraphConv(4, 6, 2, numBases: 2);
        using var blocks = new RelationalGraphConv(4, 6, 2, numBlocks: 2);
        using var half = new RelationalGraphConv(4, 6, 2, dtype: ScalarType.Float16);

        bases.NumBases.Should().Be(2);
        bases.NumBlocks.Should().BeNull();
        blocks.NumBlocks.Should().Be(2);
        blocks.Comp.Should().BeNull();
        half.Root.dtype.Should().Be(ScalarType.Float16);
        (bases.InChannels, bases.OutChannels, bases.NumRelations).Should().Be((4, 6, 2));
    }

    [Fact]
    public void One_dimensional_and_integer_features_are_rejected()
    {
        using var scope = NewDisposeScope();
        using var graph = SmallGraphs.FiveNodes();
        using var conv = new RelationalGraphConv(2, 2, 2);

        conv.Invoking(c => c.forward(zeros(10), graph)).Should().Throw<ArgumentException>()
            .WithMessage("Node features must have shape (n, 2), got (10).*").WithParameterName("x");
        conv.Invoking(c => c.forward(zeros(new long[] { 5, 2 }, dtype: ScalarType.Int64), graph)).Should().Throw<ArgumentException>()
            .WithMessage("Node features must be floating point, got Int64.*").WithParameterName("x");
        conv.Invoking(c => c.forward(null!, graph)).Should().Throw<ArgumentNullException>().WithParameterName("x");
        conv.Invoking(c => c.forward(zeros(5, 2), null!)).Should().Throw<ArgumentNullException>().WithParameterName("graph");
    }

    [Fact]
    public void Features_on_another_device_than_the_parameters_are_rejected()
    {
        using var scope = NewDisposeScope();
        using var graph = SmallGraphs.FiveNodes();
        using var conv = new RelationalGraphConv(2, 2, 2);
        var meta = zeros(new long[] { 5, 2 }, device: new Device(TorchSharp.DeviceType.META));

        conv.Invoking(c => c.forward(meta, graph)).Should().Throw<ArgumentException>()
            .WithMessage("Node features are on meta* but the layer's parameters are on cpu*").WithParameterName("x");
    }

    [Fact]
    public void A_graph_on_another_device_than_the_features_is_rejected()
    {
        using var scope = NewDisposeScope();
        var meta = new Device(TorchSharp.DeviceType.META);
        using var graph = SmallGraphs.FiveNodes();
        using var conv = new RelationalGraphConv(2, 2, 2, device: meta);

        conv.Invoking(c => c.forward(zeros(new long[] { 5, 2 }, device: meta), graph)).Should().Throw<ArgumentException>()
            .WithMessage("The graph is on cpu* but the node features are on meta*graph.To(device)*").WithParameterName("graph");
    }

    [Fact]
    public void The_normalisation_dtype_must_be_floating_point()
    {
        using var graph = SmallGraphs.FiveNodes();

        FluentActions.Invoking(() => RelationalGraphNormalization.For(graph, ScalarType.Int32)).Should().Throw<ArgumentException>()
            .WithMessage("The normalisation dtype must be floating point, got Int32.*").WithParameterName("dtype");
        FluentActions.Invoking(() => RelationalGraphNormalization.For(null!, ScalarType.Float32)).Should().Throw<ArgumentNullException>().WithParameterName("graph");
    }

    [Fact]
    public void The_normalisation_lists_every_edge_with_its_weighted_mean_coefficient()
    {
        // Relation a: 0->2 (1), 1->2 (2), 3->2 (1), 2->0 (3), 1->0 (1); relation b: 0->1 (1), 2->1 (3), 3->3 (0.5).
        using var graph = SmallGraphs.FiveNodes(weighted: true);

        var normalization = RelationalGraphNormalization.For(graph, ScalarType.Float64);

        normalization.NodeCount.Should().Be(5);
        normalization.RelationCount.Should().Be(2);
        normalization.EdgeCount.Should().Be(8);
        normalization.Source.data<long>().ToArray().Should().Equal(0, 1, 3, 2, 1, 0, 2, 3);
        normalization.Target.data<long>().ToArray().Should().Equal(2, 2, 2, 0, 0, 1, 1, 3);
        normalization.Relation.data<long>().ToArray().Should().Equal(0, 0, 0, 0, 0, 1, 1, 1);
        normalization.Coefficient.data<double>().ToArray().Should().Equal(0.25, 0.5, 0.25, 0.75, 0.25, 0.25, 0.75, 1.0);
        long expectedBytes = 3 * 8 * 8 + 8 * 8 + 10 * 8 + 2 * 8 * 8;   // edge lists, coefficients, totals, row maps
        normalization.ByteCount.Should().Be(expectedBytes, "no sparse operator has been built yet");

        using var conv = new RelationalGraphConv(2, 2, 2, dtype: ScalarType.Float64);
        using (var scope = NewDisposeScope()) conv.forward(SmallGraphs.Features(), graph);
        normalization.ByteCount.Should().Be(expectedBytes + 2 * 8 * 8 + 8 * 8, "one sparse operator (2 x 8 indices, 8 values) was built");
    }

    [Fact]
    public void A_target_whose_edges_all_weigh_zero_receives_nothing_from_that_relation()
    {
        using var scope = NewDisposeScope();
        using var graph = new RelationalGraph(3, new[]
        {
            new GraphRelation("r", tensor(new long[,] { { 0, 1, 0 }, { 2, 2, 1 } }), tensor(new[] { 0.0, 0.0, 2.0 })),
        });
        using var conv = new RelationalGraphConv(1, 1, 1, dtype: ScalarType.Float64);
        using (no_grad())
        {
            conv.Root.fill_(1.0);
            conv.Weight.fill_(10.0);
            conv.Bias!.fill_(0.0);
        }

        var normalization = RelationalGraphNormalization.For(graph, ScalarType.Float64);
        var output = conv.forward(tensor(new double[,] { { 1 }, { 2 }, { 3 } }), graph);

        normalization.Coefficient.data<double>().ToArray().Should().Equal(0.0, 0.0, 1.0);
        normalization.TargetTotals.data<double>().ToArray().Should().Equal(0.0, 2.0, 0.0);
        output.data<double>().ToArray().Should().Equal(1.0, 12.0, 3.0);
    }
}
