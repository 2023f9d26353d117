using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Microsoft.Extensions.Options;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>RelationalGcn stacks relational convolutions as documented, saves and loads its state, and moves dtype.</summary>
public class RelationalGcnTests
{
    private static RelationalGcnOptions Options(int? classes = 3, RelationalGcnHead head = RelationalGcnHead.Linear) => new()
    {
        InputSize = 4,
        HiddenSizes = [6, 5],
        RelationCount = 2,
        ClassCount = classes,
        Head = head,
        Dropout = 0.5,
    };

    private static RelationalGcnOptions WithBases(RelationalGcnOptions options)
    {
        options.NumBases = 1;
        return options;
    }

    [Fact]
    public void Embed_is_the_leaky_relu_of_each_layer_applied_in_turn()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var model = new RelationalGcn(Options());
        model.eval();
        using var graph = SmallGraphs.FiveNodes(weighted: true);
        var x = randn(5, 4);
        var layers = model.Layers;

        var expected = nn.functional.leaky_relu(layers[1].forward(nn.functional.leaky_relu(layers[0].forward(x, graph), 0.25), graph), 0.25);
        var embedding = model.Embed(x, graph);

        embedding.shape.Should().Equal(5, 5);
        (embedding - expected).abs().max().item<float>().Should().Be(0f);
        embedding.min().item<float>().Should().BeLessThan(0f, "LeakyReLU keeps a quarter of negative values");
    }

    [Fact]
    public void Forward_returns_the_linear_head_applied_to_the_embedding()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = new RelationalGcn(Options());
        model.eval();
        using var graph = SmallGraphs.FiveNodes();
        var x = randn(5, 4);
        var state = model.state_dict();

        var embedding = model.Embed(x, graph);
        var expected = embedding.matmul(state["head.weight"].t()) + state["head.bias"];
        var logits = model.forward(x, graph);

        logits.shape.Should().Equal(5, 3);
        (logits - expected).abs().max().item<float>().Should().BeLessThan(1e-6f);
    }

    [Fact]
    public void A_graph_convolution_head_is_one_more_relational_layer_without_activation()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var model = new RelationalGcn(Options(head: RelationalGcnHead.GraphConvolution));
        model.eval();
        using var graph = SmallGraphs.FiveNodes();
        var x = randn(5, 4);
        using var headLayer = new RelationalGraphConv(5, 3, 2);
        headLayer.load_state_dict(model.state_dict().Where(p => p.Key.StartsWith("head.")).ToDictionary(p => p.Key[5..], p => p.Value));

        var logits = model.forward(x, graph);
        var expected = headLayer.forward(model.Embed(x, graph), graph);

        model.state_dict().Keys.Should().Contain(["head.weight", "head.root", "head.bias"]);
        (logits - expected).abs().max().item<float>().Should().Be(0f);
    }

    [Fact]
    public void Without_a_head_forward_returns_the_embedding_and_classify_refuses()
    {
        using var scope = NewDisposeScope();
        using var model = new RelationalGcn(Options(classes: null));
        model.eval();
        using var graph = SmallGraphs.FiveNodes();
        using var generator = new Generator(93);
        var x = randn(5, 4, generator: generator);

        (model.forward(x, graph) - model.Embed(x, graph)).abs().max().item<float>().Should().Be(0f);
        var act = () => model.Classify(model.Embed(x, graph), graph);
        act.Should().Throw<InvalidOperationException>().WithMessage("*no classifier head*");
    }

    [Fact]
    public void Dropout_acts_in_training_mode_only()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = new RelationalGcn(Options());
        using var graph = SmallGraphs.FiveNodes();
        var x = randn(5, 4);

        bool trainingDiffers = !model.forward(x, graph).allclose(model.forward(x, graph), 0, 0);
        model.eval();
        bool evalDiffers = !model.forward(x, graph).allclose(model.forward(x, graph), 0, 0);

        trainingDiffers.Should().BeTrue();
        evalDiffers.Should().BeFalse();
    }

    [Fact]
    public void State_dict_save_and_load_round_trips_the_outputs()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"rgcn-{Guid.NewGuid():N}.bin");
        try
        {
            manual_seed(8);
            using var original = new RelationalGcn(WithBases(Options()));
            original.eval();
            original.save(path);
            manual_seed(9);
            using var restored = new RelationalGcn(WithBases(Options()));
            restored.eval();
            using var graph = SmallGraphs.FiveNodes(weighted: true);
            var x = randn(5, 4);
            bool differedBefore = !original.forward(x, graph).allclose(restored.forward(x, graph), 0, 0);

            restored.load(path);

            differedBefore.Should().BeTrue();
            restored.forward(x, graph).allclose(original.forward(x, graph), 0, 0).Should().BeTrue();
            restored.state_dict().Keys.Should().BeEquivalentTo(
                "layers.0.weight", "layers.0.comp", "layers.0.root", "layers.0.bias",
                "layers.1.weight", "layers.1.comp", "layers.1.root", "layers.1.bias",
                "head.weight", "head.bias");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void To_float64_moves_every_parameter_and_keeps_the_function()
    {
        using var scope = NewDisposeScope();
        manual_seed(10);
        using var model = new RelationalGcn(Options(head: RelationalGcnHead.GraphConvolution));
        model.eval();
        using var graph = SmallGraphs.FiveNodes(weighted: true);
        var x = randn(5, 4);
        var single = model.forward(x, graph);

        model.to(x.device, ScalarType.Float64);
        var twice = model.forward(x.to(ScalarType.Float64), graph);

        model.parameters().Select(p => p.dtype).Should().AllBeEquivalentTo(ScalarType.Float64);
        twice.dtype.Should().Be(ScalarType.Float64);
        (twice - single.to(ScalarType.Float64)).abs().max().item<double>().Should().BeLessThan(1e-5);
    }

    [Theory]
    [InlineData(nameof(RelationalGcnOptions.InputSize))]
    [InlineData(nameof(RelationalGcnOptions.HiddenSizes))]
    [InlineData(nameof(RelationalGcnOptions.NumBases))]
    [InlineData(nameof(RelationalGcnOptions.NumBlocks))]
    [InlineData(nameof(RelationalGcnOptions.Dropout))]
    [InlineData(nameof(RelationalGcnOptions.ClassCount))]
    public void Invalid_options_are_rejected_naming_the_option(string option)
    {
        var options = Options();
        switch (option)
        {
            case nameof(RelationalGcnOptions.InputSize): options.InputSize = 0; break;
            case nameof(RelationalGcnOptions.HiddenSizes): options.HiddenSizes = [6, 0]; break;
            case nameof(RelationalGcnOptions.NumBases): options.NumBases = 3; break;
            case nameof(RelationalGcnOptions.NumBlocks): options.NumBlocks = 3; break;
            case nameof(RelationalGcnOptions.Dropout): options.Dropout = 1.0; break;
            case nameof(RelationalGcnOptions.ClassCount): options.ClassCount = 1; break;
        }

        var direct = () => new RelationalGcn(options);
        var viaOptions = () => new RelationalGcn(Microsoft.Extensions.Options.Options.Create(options));

        direct.Should().Throw<OptionsValidationException>().WithMessage($"*{option}*");
        viaOptions.Should().Throw<OptionsValidationException>().WithMessage($"*{option}*");
    }

    [Theory]
    [InlineData(RelationalGcnHead.Linear)]
    [InlineData(RelationalGcnHead.GraphConvolution)]
    public void Classify_refuses_an_embedding_of_another_dtype_than_the_head_naming_it(RelationalGcnHead head)
    {
        using var scope = NewDisposeScope();
        using var model = new RelationalGcn(Options(head: head));
        using var graph = SmallGraphs.FiveNodes();

        var wider = () => model.Classify(zeros(5, model.EmbeddingSize, dtype: ScalarType.Float64), graph);
        var integers = () => model.Classify(zeros(5, model.EmbeddingSize, dtype: ScalarType.Int32), graph);

        wider.Should().Throw<ArgumentException>().WithParameterName("embedding")
            .WithMessage("Embeddings are Float64 but the classifier head's parameters are Float32; convert one of them*");
        integers.Should().Throw<ArgumentException>().WithParameterName("embedding").WithMessage("Embeddings are Int32*");
    }
}
