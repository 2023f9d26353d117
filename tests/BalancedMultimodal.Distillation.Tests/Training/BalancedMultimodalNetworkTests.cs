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
    public void A_training_mode_forward_outside_any_dispose_scope_leaves_only_its_outputs()
    {
        // With head dropout in training mode, the dropped-out embeddings of every head (M + 1 tensors per Forward) were
        // left outside any scope.
        using var network = new BalancedMultimodalNetwork(
            [new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3] }, dtype: ScalarType.Float64),
             new MlpEncoder(6, new MlpEncoderOptions { HiddenSizes = [2] }, dtype: ScalarType.Float64)],
            classCount: 2, headDropout: 0.5, device: zeros(1).device, dtype: ScalarType.Float64);
        network.train();
        using var generator = new Generator(41);
        using var a = randn(5, 4, dtype: ScalarType.Float64, generator: generator);
        using var b = randn(5, 6, dtype: ScalarType.Float64, generator: generator);
        Dispose(network.Forward([a, b]));   // warm-up
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        var outputs = network.Forward([a, b]);
        TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before + 5);   // 2 embeddings, 2 + 1 logits
        Dispose(outputs);

        TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before);
    }

    private static void Dispose(NetworkOutputs outputs)
    {
        foreach (var t in outputs.Embeddings.Concat(outputs.ModalityLogits).Append(outputs.FusedLogits)) t.Dispose();
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
    public void A_null_encoder_is_rejected_naming_its_modality()
    {
        var act = () => new BalancedMultimodalNetwork(
            [new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3] }, dtype: ScalarType.Float64), null!],
            classCount: 2, headDropout: 0, device: zeros(1).device, dtype: ScalarType.Float64);

        act.Should().Throw<ArgumentException>().WithParameterName("modalityEncoders").WithMessage("The encoder of modality 1 is null*");
    }

    [Fact]
    public void Fused_logits_from_the_wrong_number_of_embeddings_are_rejected()
    {
        using var network = Network();
        using var scope = NewDisposeScope();

        var act = () => network.FusedLogits([randn(5, 3, dtype: ScalarType.Float64)]);

        act.Should().Throw<ArgumentException>().WithParameterName("embeddings").WithMessage("Expected 2 embedding matrices*got 1*");
    }

    [Fact]
    public void An_embedding_of_the_wrong_width_or_row_count_is_rejected_naming_its_index()
    {
        using var network = Network();
        using var scope = NewDisposeScope();

        FluentActions.Invoking(() => network.FusedLogits([randn(5, 3, dtype: ScalarType.Float64), randn(5, 4, dtype: ScalarType.Float64)]))
            .Should().Throw<ArgumentException>().WithParameterName("embeddings").WithMessage("Modality 1: embeddings[1] must have shape (5, 2), got (5, 4)*");
        FluentActions.Invoking(() => network.FusedLogits([randn(5, 3, dtype: ScalarType.Float64), randn(4, 2, dtype: ScalarType.Float64)]))
            .Should().Throw<ArgumentException>().WithMessage("Modality 1: embeddings[1] must have shape (5, 2), got (4, 2)*");
        FluentActions.Invoking(() => network.FusedLogits([randn(5, 3), randn(5, 2)]))
            .Should().Throw<ArgumentException>().WithMessage("Modality 0: embeddings[0] is Float32 but the heads are Float64*");
        FluentActions.Invoking(() => network.ModalityLogits(0, randn(5, 2, dtype: ScalarType.Float64)))
            .Should().Throw<ArgumentException>().WithParameterName("embedding").WithMessage("Modality 0: embedding must have shape (5, 3), got (5, 2)*");
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

    [Fact]
    public void An_encoder_of_another_dtype_than_the_heads_is_rejected_naming_its_modality()
    {
        using var second = new MlpEncoder(6, new MlpEncoderOptions { HiddenSizes = [2] }, dtype: ScalarType.Float32);
        using var first = new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3] }, dtype: ScalarType.Float64);

        var act = () => new BalancedMultimodalNetwork([first, second], classCount: 2, headDropout: 0, device: zeros(1).device, dtype: ScalarType.Float64);

        act.Should().Throw<ArgumentException>().WithMessage("The encoder of modality 1 has Float32 parameters*Float64*").And.ParamName.Should().Be("modalityEncoders");
    }

    [Fact]
    public void A_non_floating_dtype_is_rejected_before_any_head_is_built()
    {
        using var second = new MlpEncoder(6, new MlpEncoderOptions { HiddenSizes = [2] });
        using var first = new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3] });

        var act = () => new BalancedMultimodalNetwork([first, second], classCount: 2, headDropout: 0, device: zeros(1).device, dtype: ScalarType.Int64);

        act.Should().Throw<ArgumentException>().WithMessage("*floating*Int64*").And.ParamName.Should().Be("dtype");
    }
}
