using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Encoding;

/// <summary>The autoencoder's layer widths, its forward pass on fixed weights (hand-computed), and its argument checks.</summary>
public class ModalityAutoencoderTests
{
    [Fact]
    public void The_encoder_narrows_to_the_code_and_the_decoder_mirrors_it()
    {
        using var autoencoder = new ModalityAutoencoder(6, new AutoencoderOptions { LatentDim = 2, HiddenSizes = [4, 3] });

        autoencoder.named_parameters().Select(p => (p.name, shape: string.Join("x", p.parameter.shape))).Should().Equal(
            ("encoder.0.weight", "4x6"), ("encoder.0.bias", "4"), ("encoder.1.weight", "3x4"), ("encoder.1.bias", "3"),
            ("encoder.2.weight", "2x3"), ("encoder.2.bias", "2"),
            ("decoder.0.weight", "3x2"), ("decoder.0.bias", "3"), ("decoder.1.weight", "4x3"), ("decoder.1.bias", "4"),
            ("decoder.2.weight", "6x4"), ("decoder.2.bias", "6"));
        autoencoder.InputDim.Should().Be(6);
        autoencoder.LatentDim.Should().Be(2);
    }

    [Fact]
    public void Leaky_relu_acts_between_hidden_layers_only_so_code_and_reconstruction_are_linear()
    {
        using var scope = NewDisposeScope();
        // d = 2, hidden [2], latent 1, x = (1, 2):
        // encoder: W0 x + b0 = (1 - 2 + 0, 0.5 + 4 - 1) = (-1, 3.5) -> LeakyReLU(0.25) -> (-0.25, 3.5);
        //          code z = 1 * -0.25 - 2 * 3.5 + 0.5 = -6.75 (linear: no activation on the code)
        // decoder: V0 z + c0 = (-13.5, 6.75 + 0.5) -> LeakyReLU -> (-3.375, 7.25);
        //          x^ = (-3.375 + 7.25 + 0.25, 3.375 + 3.625 - 10) = (4.125, -3) (linear reconstruction)
        using var autoencoder = new ModalityAutoencoder(2, new AutoencoderOptions { LatentDim = 1, HiddenSizes = [2] }, dtype: ScalarType.Float64);
        var values = new Dictionary<string, double[]>
        {
            ["encoder.0.weight"] = [1, -1, 0.5, 2], ["encoder.0.bias"] = [0, -1],
            ["encoder.1.weight"] = [1, -2], ["encoder.1.bias"] = [0.5],
            ["decoder.0.weight"] = [2, -1], ["decoder.0.bias"] = [0, 0.5],
            ["decoder.1.weight"] = [1, 1, -1, 0.5], ["decoder.1.bias"] = [0.25, -10],
        };
        using (no_grad())
            foreach (var (name, parameter) in autoencoder.named_parameters())
                parameter.copy_(tensor(values[name]).view(parameter.shape));
        using var x = tensor(new double[] { 1, 2 }, 1, 2);
        using var noGrad = no_grad();

        autoencoder.Encode(x).data<double>().ToArray().Should().Equal(-6.75);
        autoencoder.forward(x).data<double>().ToArray().Should().Equal(4.125, -3.0);
        using var code = tensor(new double[] { -6.75 }, 1, 1);
        autoencoder.Decode(code).data<double>().ToArray().Should().Equal(4.125, -3.0);
    }

    [Fact]
    public void Forward_encode_and_decode_outside_any_dispose_scope_leave_only_their_result()
    {
        // The intermediate activations were left outside any scope: 4 tensors per Encode with two hidden layers, 9 per
        // forward.
        using var autoencoder = new ModalityAutoencoder(8, new AutoencoderOptions { LatentDim = 4, HiddenSizes = [32, 16] });
        using var x = ones(5, 8);
        using var code = ones(5, 4);
        autoencoder.forward(x).Dispose();   // warm-up
        autoencoder.Encode(x).Dispose();
        autoencoder.Decode(code).Dispose();
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        foreach (var (name, call) in new (string, Func<Tensor>)[]
                 { ("forward", () => autoencoder.forward(x)), ("Encode", () => autoencoder.Encode(x)), ("Decode", () => autoencoder.Decode(code)) })
        {
            using (var result = call())
                TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before + 1, "{0} holds only its result", name);

            TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before, "{0}'s result is disposed", name);
        }
    }

    [Fact]
    public void Half_precision_parameter_dtypes_are_accepted()
    {
        using var half = new ModalityAutoencoder(3, new AutoencoderOptions { LatentDim = 2 }, dtype: ScalarType.Float16);
        using var brain = new ModalityAutoencoder(3, new AutoencoderOptions { LatentDim = 2 }, dtype: ScalarType.BFloat16);

        half.parameters().Select(p => p.dtype).Should().AllBeEquivalentTo(ScalarType.Float16);
        brain.parameters().Select(p => p.dtype).Should().AllBeEquivalentTo(ScalarType.BFloat16);
    }

    [Fact]
    public void No_input_feature_is_rejected_naming_the_input_dimension()
    {
        var act = () => new ModalityAutoencoder(0, new AutoencoderOptions { LatentDim = 2 });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("inputDim").WithMessage("An autoencoder needs at least one input feature.*")
            .Which.ActualValue.Should().Be(0L);
    }

    [Fact]
    public void A_three_dimensional_input_whose_last_width_fits_is_still_rejected()
    {
        // (2, 3, 3) has the encoder's width 3 in dimension 1 and libtorch's Linear would accept it (it maps the last
        // dimension); the documented input is a matrix (n, d).
        using var autoencoder = new ModalityAutoencoder(3, new AutoencoderOptions { LatentDim = 2 });
        using var cube = zeros(2, 3, 3);

        var act = () => autoencoder.Encode(cube);

        act.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("The autoencoder's encoder expects input of shape (n, 3), got (2, 3, 3).*");
    }

    [Fact]
    public void An_input_on_another_device_is_rejected_naming_both_devices()
    {
        using var autoencoder = new ModalityAutoencoder(3, new AutoencoderOptions { LatentDim = 2 });
        using var elsewhere = zeros(4, 3, device: META);

        var act = () => autoencoder.Encode(elsewhere);

        act.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*parameters are Float32 on cpu, but input is Float32 on meta*");
    }

    [Fact]
    public void Missing_or_invalid_arguments_are_rejected_by_name()
    {
        FluentActions.Invoking(() => new ModalityAutoencoder(3, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        using var autoencoder = new ModalityAutoencoder(3, new AutoencoderOptions { LatentDim = 2 });
        FluentActions.Invoking(() => autoencoder.Encode(null!)).Should().Throw<ArgumentNullException>().WithParameterName("input");
        FluentActions.Invoking(() => autoencoder.Decode(null!)).Should().Throw<ArgumentNullException>().WithParameterName("code");
        FluentActions.Invoking(() => new ModalityAutoencoder(3, new AutoencoderOptions { LatentDim = 0 }))
            .Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("AutoencoderOptions.LatentDim must be at least 1, got 0.");
    }
}
