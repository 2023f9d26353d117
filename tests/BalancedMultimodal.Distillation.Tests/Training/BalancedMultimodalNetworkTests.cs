using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The network's entry points reject bad input naming the modality, before libtorch sees it.</summary>
public class BalancedMultimodalNetworkTests
{
    private static BalancedMultimodalNetwork Network() => new(
        [new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3] }, dtype: ScalarType.Float64),
         new MlpEncoder(6, new MlpEncoderOptions { HiddenSizes = [2] }, dtype: ScalarType.Float64)],
        classCount: 2, headDropout: 0, device: zeros(1).device, dtype: ScalarType.Float64);

    [Fact]
    public void Forward_gives_one_embedding_and_logit_matrix_per_modality_and_fused_logits()
    {
        using var network = Network();
        using var scope = NewDisposeScope();

        using var generator = new Generator(23);
        var outputs = network.Forward([randn(5, 4, dtype: ScalarType.Float64, generator: generator), randn(5, 6, dtype: ScalarType.Float64, generator: generator)]);

        outputs.Embeddings.Select(e => e.shape[1]).Should().Equal(3, 2);
        outputs.ModalityLogits.Should().AllSatisfy(z => z.shape.Should().Equal(5, 2));
        outputs.FusedLogits.shape.Should().Equal(5, 2);
    }

    [Fact]
    public void Features_of_the_wrong_width_name_the_modality()
    {
        using var network = Network();
        using var scope = NewDisposeScope();

        using var generator = new Generator(36);
        var act = () => network.Forward([randn(5, 4, dtype: ScalarType.Float64, generator: generator), randn(5, 4, dtype: ScalarType.Float64, generator: generator)]);

        act.Should().Throw<ArgumentException>().WithMessage("Modality 1: *shape (n, 6), got (5, 4)*");
    }

    [Fact]
    public void A_modality_index_outside_the_network_is_rejected()
    {
        using var network = Network();
        using var scope = NewDisposeScope();

        using var generator = new Generator(47);
        FluentActions.Invoking(() => network.Embed(2, randn(5, 4, dtype: ScalarType.Float64, generator: generator)))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modality");
        FluentActions.Invoking(() => network.ModalityLogits(-1, randn(5, 3, dtype: ScalarType.Float64, generator: generator)))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modality");
    }
}
