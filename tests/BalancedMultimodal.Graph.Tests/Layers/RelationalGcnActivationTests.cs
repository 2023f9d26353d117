using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>Each <see cref="RelationalGcnActivation"/> is applied after every layer, dropout never touches the input
/// features, and the network's sizes and argument checks are as configured.</summary>
public class RelationalGcnActivationTests
{
    private static RelationalGcnOptions Options(RelationalGcnActivation activation, double slope = 0.25, int? classes = null) => new()
    {
        InputSize = 2,
        HiddenSizes = [3],
        RelationCount = 2,
        Activation = activation,
        NegativeSlope = slope,
        ClassCount = classes,
        Dropout = 0.5,
    };

    public static TheoryData<RelationalGcnActivation, Func<Tensor, Tensor>> Activations => new()
    {
        { RelationalGcnActivation.Relu, h => nn.functional.relu(h) },
        { RelationalGcnActivation.Elu, h => nn.functional.elu(h, 1.0) },
        { RelationalGcnActivation.Tanh, h => h.tanh() },
        { RelationalGcnActivation.Identity, h => h.alias() },
        { RelationalGcnActivation.LeakyRelu, h => nn.functional.leaky_relu(h, 0.25) },
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void The_configured_activation_follows_the_layer(RelationalGcnActivation activation, Func<Tensor, Tensor> expected)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using var model = new RelationalGcn(Options(activation), dtype: ScalarType.Float64);
        model.eval();
        using var graph = SmallGraphs.FiveNodes(weighted: true);
        var x = SmallGraphs.Features().mul(3);
        var layerOutput = model.Layers[0].forward(x, graph);

        var embedding = model.Embed(x, graph);

        layerOutput.min().item<double>().Should().BeLessThan(-0.1, "the check needs negative pre-activations");
        (embedding - expected(layerOutput)).abs().max().item<double>().Should().Be(0);
    }

    [Fact]
    public void The_negative_slope_option_sets_the_leaky_relu_slope()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        using var model = new RelationalGcn(Options(RelationalGcnActivation.LeakyRelu, slope: 0.1), dtype: ScalarType.Float64);
        model.eval();
        using var graph = SmallGraphs.FiveNodes();
        var x = SmallGraphs.Features().mul(3);
        var layerOutput = model.Layers[0].forward(x, graph);

        var embedding = model.Embed(x, graph);

        layerOutput.min().item<double>().Should().BeLessThan(-0.1);
        (embedding - nn.functional.leaky_relu(layerOutput, 0.1)).abs().max().item<double>().Should().Be(0);
    }

    [Fact]
    public void Dropout_in_training_mode_never_touches_the_input_features()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        using var model = new RelationalGcn(Options(RelationalGcnActivation.Identity), dtype: ScalarType.Float64);
        using var graph = SmallGraphs.FiveNodes();
        var x = SmallGraphs.Features();
        model.training.Should().BeTrue();

        var embedding = model.Embed(x, graph);

        (embedding - model.Layers[0].forward(x, graph)).abs().max().item<double>().Should().Be(0,
            "the first layer sees x itself; dropout applies between layers only");
    }

    [Fact]
    public void Dropout_in_training_mode_acts_between_layers()
    {
        using var scope = NewDisposeScope();
        manual_seed(25);
        var options = Options(RelationalGcnActivation.Identity);
        options.HiddenSizes = [8, 3];
        using var model = new RelationalGcn(options, dtype: ScalarType.Float64);
        using var graph = SmallGraphs.FiveNodes();
        var x = SmallGraphs.Features();
        var first = model.Layers[0].forward(x, graph);
        var undropped = model.Layers[1].forward(first, graph);

        var embeddings = Enumerable.Range(0, 4).Select(_ => model.Embed(x, graph)).ToArray();

        embeddings.Any(e => !e.allclose(undropped, rtol: 0, atol: 1e-12)).Should().BeTrue("the hidden layer's output is dropped at rate 0.5");
        model.eval();
        (model.Embed(x, graph) - undropped).abs().max().item<double>().Should().BeLessThan(1e-12);
    }

    [Fact]
    public void Classify_applies_dropout_to_the_embedding_in_training_mode_only()
    {
        using var scope = NewDisposeScope();
        manual_seed(24);
        using var model = new RelationalGcn(Options(RelationalGcnActivation.Identity, classes: 2), dtype: ScalarType.Float64);
        using var graph = SmallGraphs.FiveNodes();
        var embedding = randn(5, 3, dtype: ScalarType.Float64);
        var state = model.state_dict();
        var plain = embedding.matmul(state["head.weight"].t()) + state["head.bias"];

        var trained = Enumerable.Range(0, 4).Select(_ => model.Classify(embedding, graph)).ToArray();
        model.eval();
        var evaluated = model.Classify(embedding, graph);

        trained.Any(t => !t.allclose(plain, rtol: 0, atol: 1e-12)).Should().BeTrue();
        (evaluated - plain).abs().max().item<double>().Should().BeLessThan(1e-12);
    }

    [Fact]
    public void Classify_rejects_embeddings_of_the_wrong_shape_naming_the_expected_one()
    {
        using var scope = NewDisposeScope();
        using var model = new RelationalGcn(Options(RelationalGcnActivation.Relu, classes: 2));
        using var graph = SmallGraphs.FiveNodes();

        foreach (var bad in new[] { zeros(5, 4), zeros(4, 3), zeros(15) })
            model.Invoking(m => m.Classify(bad, graph)).Should().Throw<ArgumentException>()
                .WithMessage("Embeddings must have shape (5, 3), got *").WithParameterName("embedding");
        model.Invoking(m => m.Classify(null!, graph)).Should().Throw<ArgumentNullException>().WithParameterName("embedding");
        model.Invoking(m => m.Classify(zeros(5, 3), null!)).Should().Throw<ArgumentNullException>().WithParameterName("graph");
        model.Invoking(m => m.Embed(null!, graph)).Should().Throw<ArgumentNullException>().WithParameterName("x");
        model.Invoking(m => m.Embed(zeros(5, 2), null!)).Should().Throw<ArgumentNullException>().WithParameterName("graph");
    }

    [Fact]
    public void The_network_reports_its_configured_sizes()
    {
        using var model = new RelationalGcn(new RelationalGcnOptions { InputSize = 7, HiddenSizes = [5, 4], RelationCount = 3, ClassCount = 6 });

        model.InputSize.Should().Be(7);
        model.HiddenSizes.Should().Equal(5, 4);
        model.EmbeddingSize.Should().Be(4);
        model.RelationCount.Should().Be(3);
        model.ClassCount.Should().Be(6);
        model.Layers.Select(l => (l.InChannels, l.OutChannels, l.NumRelations)).Should().Equal((7, 5, 3), (5, 4, 3));
        FluentActions.Invoking(() => new RelationalGcn((RelationalGcnOptions)null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new RelationalGcn((IOptions<RelationalGcnOptions>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Decompositions_and_bias_are_passed_to_every_layer_and_a_convolution_head()
    {
        using var blocks = new RelationalGcn(new RelationalGcnOptions { InputSize = 4, HiddenSizes = [6], RelationCount = 2, NumBlocks = 2, Bias = false });
        using var bases = new RelationalGcn(new RelationalGcnOptions
        {
            InputSize = 4, HiddenSizes = [6], RelationCount = 2, NumBases = 1, ClassCount = 3, Head = RelationalGcnHead.GraphConvolution,
        });

        blocks.Layers[0].NumBlocks.Should().Be(2);
        blocks.Layers[0].Bias.Should().BeNull();
        bases.Layers[0].NumBases.Should().Be(1);
        bases.state_dict()["head.comp"].shape.Should().Equal(2, 1);
        bases.state_dict()["head.weight"].shape.Should().Equal(1, 6, 3);
    }
}
