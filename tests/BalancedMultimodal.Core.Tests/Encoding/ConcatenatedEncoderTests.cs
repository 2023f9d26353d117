using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Encoding;

public class ConcatenatedEncoderTests
{
    private static readonly Device CPU_DEVICE = new(TorchSharp.DeviceType.CPU);

    [Fact]
    public void The_embedding_is_the_parts_embeddings_side_by_side_in_order()
    {
        var first = new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [2], Dropout = 0 }, dtype: ScalarType.Float64);
        var second = new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [4], Dropout = 0 }, dtype: ScalarType.Float64);
        using var encoder = new ConcatenatedEncoder([first, second]);
        var x = tensor(new double[] { 1, -2, 0.5, 0, 1, -1 }, 2, 3);

        var output = encoder.forward(x);

        encoder.EmbeddingDim.Should().Be(6);
        output.shape.Should().Equal(2, 6);
        output.narrow(1, 0, 2).allclose(first.forward(x)).Should().BeTrue();
        output.narrow(1, 2, 4).allclose(second.forward(x)).Should().BeTrue();
        encoder.parameters().Count().Should().Be(4, "both parts' weights and biases are trained");
    }

    [Fact]
    public void The_factory_builds_one_part_per_factory_for_the_requested_modality()
    {
        var factory = new ConcatenatedEncoderFactory([
            new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [3] }),
            new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [5] })]);

        using var encoder = (ConcatenatedEncoder)factory.Create(new ModalityEncoderRequest(1, "methylation", 7, CPU_DEVICE, ScalarType.Float32));

        using var generator = new Generator(39);
        encoder.Parts.Select(p => p.EmbeddingDim).Should().Equal(3, 5);
        encoder.forward(randn(4, 7, generator: generator)).shape.Should().Equal(4, 8);
    }

    /// <summary>Builds an MLP part and keeps a handle on its first weight.</summary>
    private sealed class RecordingFactory : IModalityEncoderFactory
    {
        public TorchSharp.Modules.Parameter? FirstWeight { get; private set; }

        public ModalityEncoder Create(ModalityEncoderRequest request)
        {
            var encoder = new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [3] }).Create(request);
            FirstWeight = encoder.parameters().First();
            return encoder;
        }
    }

    private sealed class RefusingFactory : IModalityEncoderFactory
    {
        public ModalityEncoder Create(ModalityEncoderRequest request) => throw new InvalidOperationException("refused");
    }

    [Fact]
    public void Parts_already_built_are_disposed_when_a_later_factory_refuses()
    {
        var recording = new RecordingFactory();
        var factory = new ConcatenatedEncoderFactory([recording, new RefusingFactory()]);

        var act = () => factory.Create(new ModalityEncoderRequest(0, "mrna", 5, CPU_DEVICE, ScalarType.Float32));

        act.Should().Throw<InvalidOperationException>().WithMessage("refused");
        recording.FirstWeight!.IsInvalid.Should().BeTrue("the first part's native parameters must be freed, not left to the finaliser");
    }

    [Fact]
    public void An_empty_list_of_encoders_or_factories_is_rejected()
    {
        var encoders = () => new ConcatenatedEncoder([]);
        var factories = () => new ConcatenatedEncoderFactory([]);

        encoders.Should().Throw<ArgumentException>().WithParameterName("encoders").WithMessage("At least one encoder is needed.*");
        factories.Should().Throw<ArgumentException>().WithParameterName("factories").WithMessage("At least one encoder factory is needed.*");
    }

    [Fact]
    public void Parts_of_different_dtypes_are_rejected_naming_the_part_before_any_forward_pass()
    {
        using var first = new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [2] }, dtype: ScalarType.Float64);
        using var second = new MlpEncoder(3, new MlpEncoderOptions { HiddenSizes = [2] }, dtype: ScalarType.Float32);

        var act = () => new ConcatenatedEncoder([first, second]);

        act.Should().Throw<ArgumentException>().WithParameterName("encoders")
            .WithMessage("Encoder 1 holds Float32 parameters on cpu; encoder 0 holds Float64 on cpu.*");
    }

    [Fact]
    public void The_input_weights_are_every_parts_in_order()
    {
        var first = new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3] });
        var second = new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [2, 2] });
        using var encoder = new ConcatenatedEncoder([first, second]);

        encoder.InputWeights.Should().HaveCount(2);
        encoder.InputWeights[0].Should().BeSameAs(first.InputWeights[0]);
        encoder.InputWeights[1].Should().BeSameAs(second.InputWeights[0]);
    }

    [Fact]
    public void A_null_encoder_or_factory_is_rejected_naming_its_position()
    {
        using var part = new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3] });
        var encoders = () => new ConcatenatedEncoder([part, null!]);
        var factories = () => new ConcatenatedEncoderFactory([null!]);

        encoders.Should().Throw<ArgumentException>().WithParameterName("encoders").WithMessage("Encoder 1 is null.*");
        factories.Should().Throw<ArgumentException>().WithParameterName("factories").WithMessage("Factory 0 is null.*");
    }

    [Fact]
    public void Missing_arguments_are_rejected_by_name()
    {
        using var encoder = new ConcatenatedEncoder([new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3] })]);
        var factory = new ConcatenatedEncoderFactory([new MlpEncoderFactory(new MlpEncoderOptions())]);

        FluentActions.Invoking(() => new ConcatenatedEncoder(null!)).Should().Throw<ArgumentNullException>().WithParameterName("encoders");
        FluentActions.Invoking(() => new ConcatenatedEncoderFactory(null!)).Should().Throw<ArgumentNullException>().WithParameterName("factories");
        FluentActions.Invoking(() => factory.Create(null!)).Should().Throw<ArgumentNullException>().WithParameterName("request");
        FluentActions.Invoking(() => encoder.forward(null!)).Should().Throw<ArgumentNullException>().WithParameterName("input");
    }
}
