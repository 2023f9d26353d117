using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Encoding;

[Collection(GlobalGeneratorCollection.Name)]
public class MlpEncoderTests
{
    [Fact]
    public void The_factory_builds_an_encoder_with_the_requested_width_dtype_and_embedding_size()
    {
        var factory = new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [8, 5], Dropout = 0 });
        using var encoder = factory.Create(new ModalityEncoderRequest(0, "rna", 7, CPU_DEVICE, ScalarType.Float64));
        using var generator = new Generator(16);
        var output = encoder.forward(randn(4, 7, dtype: ScalarType.Float64, generator: generator));

        encoder.EmbeddingDim.Should().Be(5);
        output.shape.Should().Equal(4, 5);
        output.dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void Without_dropout_the_encoder_computes_stacked_leaky_relu_layers()
    {
        using var encoder = new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [2], Dropout = 0, NegativeSlope = 0.25 }, dtype: ScalarType.Float64);
        var x = tensor(new double[] { 1, -2, 0.5, 0, 1, -1 }, 2, 3);
        var layer = (TorchSharp.Modules.Linear)encoder.children().First().children().First();
        var expected = nn.functional.leaky_relu(x.matmul(layer.weight!.T) + layer.bias!, 0.25);

        encoder.forward(x).allclose(expected).Should().BeTrue();
    }

    [Fact]
    public void Slope_one_makes_the_encoder_exactly_the_composed_affine_maps_so_it_is_linear()
    {
        using var encoder = new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [4, 2], Dropout = 0, NegativeSlope = 1 }, dtype: ScalarType.Float64);
        var x = tensor(new double[] { 1, -2, 0.5, 0, 1, -1, -3, -0.5, 2 }, 3, 3);
        var layers = encoder.children().First().children().Cast<TorchSharp.Modules.Linear>().ToArray();
        using (no_grad())
        {
            // Fixed weights (not the generator's draw) so that some pre-activations are negative in every test order.
            layers[0].weight!.copy_(tensor(new double[] { 1, 0, -1, 0.5, 2, 0, -1, -1, 1, 0, 0.5, 3 }, 4, 3));
            layers[0].bias!.copy_(tensor(new double[] { 0.1, -0.2, 0.3, -0.4 }));
            layers[1].weight!.copy_(tensor(new double[] { 1, -1, 0.5, 2, -0.5, 1, 1, -2 }, 2, 4));
            layers[1].bias!.copy_(tensor(new double[] { -0.3, 0.2 }));
        }
        var expected = (x.matmul(layers[0].weight!.T) + layers[0].bias!).matmul(layers[1].weight!.T) + layers[1].bias!;

        var output = encoder.forward(x);

        output.allclose(expected, rtol: 0, atol: 1e-14).Should().BeTrue();
        (output < 0).any().item<bool>().Should().BeTrue("negative pre-activations pass through unchanged, so the check covers them");
        using var doubled = encoder.forward(x * 2) - layers[1].bias!;
        doubled.allclose((output - layers[1].bias!) * 2 - (layers[0].bias!.matmul(layers[1].weight!.T)), atol: 1e-12).Should().BeTrue("the map is affine");
    }

    [Fact]
    public void Empty_hidden_sizes_are_rejected()
    {
        var act = () => new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [] });
        act.Should().Throw<OptionsValidationException>().WithMessage("*MlpEncoderOptions.HiddenSizes*");
    }

    [Fact]
    public void Features_of_another_width_or_dtype_are_rejected_naming_both_shapes_or_dtypes()
    {
        using var encoder = new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [2] }, dtype: ScalarType.Float64);

        encoder.InputDim.Should().Be(3);
        FluentActions.Invoking(() => encoder.forward(zeros(4, 5, dtype: ScalarType.Float64)))
            .Should().Throw<ArgumentException>().WithMessage("The MLP encoder expects input of shape (n, 3), got (4, 5).*");
        FluentActions.Invoking(() => encoder.forward(zeros(3, dtype: ScalarType.Float64)))
            .Should().Throw<ArgumentException>().WithMessage("*shape (n, 3), got (3)*");
        FluentActions.Invoking(() => encoder.forward(zeros(4, 3, dtype: ScalarType.Float32)))
            .Should().Throw<ArgumentException>().WithMessage("*Float64 on cpu, but input is Float32 on cpu*");
    }

    private static readonly Device CPU_DEVICE = new(TorchSharp.DeviceType.CPU);

    [Fact]
    public void The_input_weights_are_the_first_layers_weight_matrix_only()
    {
        using var encoder = new MlpEncoder(7, new MlpEncoderOptions { HiddenSizes = [5, 3] });

        encoder.InputWeights.Should().ContainSingle();
        encoder.InputWeights[0].shape.Should().Equal(5, 7);
        var named = encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        encoder.InputWeights[0].Should().BeSameAs(named["layers.0.weight"]);
    }

    [Fact]
    public void A_non_floating_parameter_dtype_is_rejected_by_the_constructor()
    {
        var act = () => new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3] }, dtype: ScalarType.Int32);

        act.Should().Throw<ArgumentException>().WithMessage("*floating*Int32*").And.ParamName.Should().Be("dtype");
    }

    [Fact]
    public void A_forward_pass_leaves_only_its_embedding_alive()
    {
        using var encoder = new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [8, 8], Dropout = 0.2 });
        using var x = ones(5, 4);
        encoder.forward(x).Dispose();   // warm-up
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        using (var embedding = encoder.forward(x))
            TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before + 1);

        TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void No_input_feature_is_rejected_naming_the_input_dimension()
    {
        var act = () => new MlpEncoder(0, new MlpEncoderOptions { HiddenSizes = [2] });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("inputDim").WithMessage("An encoder needs at least one input feature.*")
            .Which.ActualValue.Should().Be(0L);
        using var single = new MlpEncoder(1, new MlpEncoderOptions { HiddenSizes = [2] });
        single.InputWeights[0].shape.Should().Equal(2, 1);
    }

    [Fact]
    public void Invalid_options_are_rejected_by_the_constructor()
    {
        var act = () => new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [2], Dropout = 1 });

        act.Should().Throw<OptionsValidationException>().WithMessage("MlpEncoderOptions.Dropout must lie in [0, 1), got 1.");
    }

    [Fact]
    public void The_default_options_are_two_layers_of_64_with_dropout_one_half_and_slope_one_quarter()
    {
        var options = new MlpEncoderOptions();

        options.HiddenSizes.Should().Equal(64, 64);
        options.Dropout.Should().Be(0.5);
        options.NegativeSlope.Should().Be(0.25);
    }

    [Fact]
    public void While_training_dropout_with_the_options_probability_precedes_every_layer()
    {
        // h1 = LeakyReLU(D(x) W0^T + b0), h2 = LeakyReLU(D(h1) W1^T + b1), D = InvertedDropout with p = 0.4, the masks
        // drawn in that order from the seeded global generator; in evaluation mode D is the identity.
        using var scope = NewDisposeScope();
        using var encoder = new MlpEncoder(6, new MlpEncoderOptions { HiddenSizes = [5, 4], Dropout = 0.4, NegativeSlope = 0.1 }, dtype: ScalarType.Float64);
        var layers = encoder.children().First().children().Cast<TorchSharp.Modules.Linear>().ToArray();
        var x = tensor(Enumerable.Range(0, 18).Select(i => (i % 7) - 3.0).ToArray(), 3, 6);
        Tensor Layer(int l, Tensor h) => nn.functional.leaky_relu(h.matmul(layers[l].weight!.T) + layers[l].bias!, 0.1);

        manual_seed(8);
        var expected = Layer(1, InvertedDropout.Apply(Layer(0, InvertedDropout.Apply(x, 0.4, training: true)), 0.4, training: true));
        manual_seed(8);
        var trained = encoder.forward(x);
        encoder.eval();
        var evaluated = encoder.forward(x);

        trained.allclose(expected, rtol: 1e-12, atol: 1e-14).Should().BeTrue();
        evaluated.allclose(Layer(1, Layer(0, x)), rtol: 1e-12, atol: 1e-14).Should().BeTrue();
        trained.allclose(evaluated).Should().BeFalse("dropout changed the training pass");
    }

    [Fact]
    public void Missing_options_or_requests_are_rejected_by_name()
    {
        FluentActions.Invoking(() => new MlpEncoder(3, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [2] }).forward(null!)).Should().Throw<ArgumentNullException>().WithParameterName("input");
        FluentActions.Invoking(() => new MlpEncoderFactory(null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new MlpEncoderFactory(new MlpEncoderOptions()).Create(null!)).Should().Throw<ArgumentNullException>().WithParameterName("request");
        FluentActions.Invoking(() => new ModalityEncoderRequest(0, null!, 3, CPU_DEVICE, ScalarType.Float32)).Should().Throw<ArgumentNullException>().WithParameterName("ModalityName");
        FluentActions.Invoking(() => new ModalityEncoderRequest(0, "rna", 3, null!, ScalarType.Float32)).Should().Throw<ArgumentNullException>().WithParameterName("Device");
    }
}
