using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Encoding;

public class MlpEncoderTests
{
    [Fact]
    public void The_factory_builds_an_encoder_with_the_requested_width_dtype_and_embedding_size()
    {
        var factory = new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [8, 5], Dropout = 0 });
        using var encoder = factory.Create(new ModalityEncoderRequest(0, "rna", 7, CPU_DEVICE, ScalarType.Float64));
        var output = encoder.forward(randn(4, 7, dtype: ScalarType.Float64));

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
    public void Empty_hidden_sizes_are_rejected()
    {
        var act = () => new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [] });
        act.Should().Throw<OptionsValidationException>().WithMessage("*HiddenSizes*");
    }

    [Fact]
    public void Features_of_another_width_or_dtype_are_rejected_naming_both_shapes_or_dtypes()
    {
        using var encoder = new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [2] }, dtype: ScalarType.Float64);

        encoder.InputDim.Should().Be(3);
        FluentActions.Invoking(() => encoder.forward(zeros(4, 5, dtype: ScalarType.Float64)))
            .Should().Throw<ArgumentException>().WithMessage("*shape (n, 3), got (4, 5)*");
        FluentActions.Invoking(() => encoder.forward(zeros(3, dtype: ScalarType.Float64)))
            .Should().Throw<ArgumentException>().WithMessage("*shape (n, 3), got (3)*");
        FluentActions.Invoking(() => encoder.forward(zeros(4, 3, dtype: ScalarType.Float32)))
            .Should().Throw<ArgumentException>().WithMessage("*Float64 on cpu, but the features are Float32 on cpu*");
    }

    private static readonly Device CPU_DEVICE = new(TorchSharp.DeviceType.CPU);
}
