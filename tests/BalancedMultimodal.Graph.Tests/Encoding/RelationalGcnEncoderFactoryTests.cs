using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using BalancedMultimodal.Graph.Tests.Layers;
using FluentAssertions;
using Microsoft.Extensions.Options;
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

    [Fact]
    public void A_block_decomposition_is_accepted_before_any_modality_width_is_known()
    {
        using var graph = Path(4);
        var factory = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [4], NumBlocks = 2, Dropout = 0 });

        using var encoder = factory.Create(new ModalityEncoderRequest(0, "rna", 6, graph.Device, ScalarType.Float32));

        encoder.forward(randn(4, 6)).shape.Should().Equal(4, 4);
    }

    [Fact]
    public void A_modality_whose_width_the_blocks_do_not_divide_is_rejected_by_name()
    {
        using var graph = Path(4);
        var factory = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [4], NumBlocks = 2 });

        var act = () => factory.Create(new ModalityEncoderRequest(1, "mirna", 5, graph.Device, ScalarType.Float32));

        act.Should().Throw<ArgumentException>().WithMessage("Modality 'mirna': *RelationalGcnOptions.NumBlocks (2) must divide RelationalGcnOptions.InputSize (5)*");
    }

    [Fact]
    public void A_template_without_hidden_sizes_is_rejected_naming_HiddenSizes()
    {
        using var graph = Path(4);

        var act = () => new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = null! });

        act.Should().Throw<OptionsValidationException>().WithMessage("*RelationalGcnOptions.HiddenSizes must list at least one layer size*")
            .And.OptionsType.Should().Be(typeof(RelationalGcnOptions));
    }

    [Fact]
    public void A_request_for_the_default_index_of_the_graphs_device_type_is_accepted()
    {
        // torch.CUDA is cuda:-1 while a tensor on it reports cuda:0; on the CPU the same holds for cpu:0 and cpu.
        using var graph = Path(4);
        var factory = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3] });
        var device = new Device(TorchSharp.DeviceType.CPU, graph.Device.index < 0 ? 0 : -1);

        using var encoder = factory.Create(new ModalityEncoderRequest(0, "m", 2, device, ScalarType.Float32));

        encoder.forward(randn(4, 2)).shape.Should().Equal(4, 3);
    }

    [Fact]
    public void A_request_on_another_device_type_is_rejected_naming_the_modality()
    {
        using var graph = Path(4);
        var factory = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3] });

        var act = () => factory.Create(new ModalityEncoderRequest(0, "rna", 2, new Device(TorchSharp.DeviceType.META), ScalarType.Float32));

        act.Should().Throw<ArgumentException>().WithMessage("Modality 'rna' is trained on meta* but the graph lives on cpu*");
    }

    [Fact]
    public void Changing_the_template_after_construction_does_not_change_the_encoders()
    {
        using var graph = Path(4);
        var template = new RelationalGcnOptions { HiddenSizes = [3], Dropout = 0 };
        var factory = new RelationalGcnEncoderFactory(graph, template);
        template.HiddenSizes[0] = 7;
        template.Dropout = 2;

        using var encoder = factory.Create(new ModalityEncoderRequest(0, "m", 2, graph.Device, ScalarType.Float32));

        encoder.EmbeddingDim.Should().Be(3);
    }

    [Fact]
    public void An_encoder_whose_graph_was_disposed_says_the_graph_was_disposed()
    {
        var graph = Path(4);
        using var encoder = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3] })
            .Create(new ModalityEncoderRequest(0, "m", 2, graph.Device, ScalarType.Float32));
        graph.Dispose();

        var act = () => encoder.forward(randn(4, 2));

        act.Should().Throw<ObjectDisposedException>().WithMessage("*relational graph was disposed*");
    }

    [Fact]
    public void The_input_weights_are_the_first_convolutions_relation_and_root_weights()
    {
        using var graph = Path(5);
        var factory = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [6, 4], Dropout = 0 });
        using var encoder = factory.Create(new ModalityEncoderRequest(0, "m", 9, graph.Device, ScalarType.Float32));

        var named = encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        encoder.InputWeights.Should().HaveCount(2);
        encoder.InputWeights[0].Should().BeSameAs(named.Single(p => p.Key.EndsWith("layers.0.weight")).Value);
        encoder.InputWeights[1].Should().BeSameAs(named.Single(p => p.Key.EndsWith("layers.0.root")).Value);
        encoder.InputWeights[1].shape.Should().Equal(9, 6);
    }

    [Theory]
    [InlineData(RelationalGcnActivation.LeakyRelu, 0.5)]
    [InlineData(RelationalGcnActivation.Elu, 0.25)]
    public void Every_template_option_reaches_the_encoder_as_if_built_directly(RelationalGcnActivation activation, double slope)
    {
        // Basis decomposition, no bias, a non-default activation or slope and dropout 0.3: the factory's encoder has the
        // parameters of an encoder built from the same options by hand and, given the same values and the same seed,
        // computes the same embeddings in evaluation and in training (the dropout masks) mode.
        using var scope = NewDisposeScope();
        using var graph = SmallGraphs.FiveNodes(weighted: true);
        var template = new RelationalGcnOptions
        {
            HiddenSizes = [3, 2], NumBases = 1, Bias = false, Activation = activation, NegativeSlope = slope, Dropout = 0.3,
        };
        using var built = new RelationalGcnEncoderFactory(graph, template)
            .Create(new ModalityEncoderRequest(0, "m", 2, graph.Device, ScalarType.Float64));
        using var direct = new RelationalGcnEncoder(graph, new RelationalGcnOptions
        {
            InputSize = 2, HiddenSizes = [3, 2], RelationCount = 2, NumBases = 1, Bias = false, Activation = activation,
            NegativeSlope = slope, Dropout = 0.3,
        }, dtype: ScalarType.Float64);
        built.named_parameters().Select(p => (p.name, p.parameter.shape))
            .Should().BeEquivalentTo(direct.named_parameters().Select(p => (p.name, p.parameter.shape)), o => o.WithStrictOrdering());
        using (no_grad())
            foreach (var (source, target) in built.parameters().Zip(direct.parameters()))
                target.copy_(source);
        var x = SmallGraphs.Features() * 3 - 2;

        built.eval();
        direct.eval();
        var evaluated = built.forward(x);
        evaluated.eq(direct.forward(x)).all().item<bool>().Should().BeTrue();
        (evaluated < 0).any().item<bool>().Should().BeTrue("negative pre-activations make the activation and slope visible");
        built.train();
        direct.train();
        manual_seed(12);
        var trained = built.forward(x);
        manual_seed(12);
        trained.eq(direct.forward(x)).all().item<bool>().Should().BeTrue("the same dropout probability, so the same masks");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(2147483648L)]
    public void An_input_width_outside_one_to_int_max_is_rejected_naming_the_modality(long width)
    {
        using var graph = Path(4);
        var factory = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3] });

        var act = () => factory.Create(new ModalityEncoderRequest(2, "cnv", width, graph.Device, ScalarType.Float32));

        act.Should().Throw<ArgumentException>().WithParameterName("request")
            .WithMessage($"Modality 'cnv': the input width must be between 1 and 2147483647, got {width}.*");
    }

    [Fact]
    public void A_request_on_another_index_of_the_graphs_device_type_is_rejected()
    {
        using var graph = Path(4);
        var factory = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3] });

        var act = () => factory.Create(new ModalityEncoderRequest(0, "rna", 2, new Device(TorchSharp.DeviceType.CPU, 1), ScalarType.Float32));

        // TorchSharp prints a CPU device without its index, so both read "cpu"; the index itself differs (1 vs 0).
        act.Should().Throw<ArgumentException>().WithParameterName("request").WithMessage("Modality 'rna' is trained on cpu:1 but the graph lives on cpu:0; move the graph*");
    }

    [Fact]
    public void The_widths_one_and_int_max_are_inside_the_accepted_range()
    {
        // Width 1 builds an encoder; int.MaxValue passes the range check and reaches the options validator, whose
        // block rule rejects it (so no 2^31-wide weight is allocated).
        using var graph = Path(4);
        using var narrow = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [3] })
            .Create(new ModalityEncoderRequest(0, "m", 1, graph.Device, ScalarType.Float32));
        var blocks = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [4], NumBlocks = 2 });

        var act = () => blocks.Create(new ModalityEncoderRequest(1, "wide", int.MaxValue, graph.Device, ScalarType.Float32));

        narrow.InputWeights[1].shape.Should().Equal(1, 3);
        act.Should().Throw<ArgumentException>().WithParameterName("request")
            .WithMessage("Modality 'wide': invalid encoder options for its 2147483647 input features:*RelationalGcnOptions.NumBlocks (2) must divide RelationalGcnOptions.InputSize (2147483647)*");
    }
}
