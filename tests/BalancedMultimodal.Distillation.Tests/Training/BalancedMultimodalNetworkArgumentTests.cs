using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The network's construction rules and entry points at their edges, and the modules it registers.</summary>
public class BalancedMultimodalNetworkArgumentTests
{
    private static readonly Device Cpu = CPU;

    private static BalancedMultimodalNetwork Network(int classCount = 2, double dropout = 0, params ModalityEncoder[] encoders) =>
        new(encoders.Length > 0 ? encoders : [Mlp(4, 3), Mlp(6, 2)], classCount, dropout, Cpu, ScalarType.Float64);

    private static MlpEncoder Mlp(long inputs, int width) => new(inputs, new MlpEncoderOptions { HiddenSizes = [width], Dropout = 0 }, dtype: ScalarType.Float64);

    [Fact]
    public void Null_encoders_or_device_are_rejected_by_name()
    {
        FluentActions.Invoking(() => new BalancedMultimodalNetwork(null!, 2, 0, Cpu, ScalarType.Float64))
            .Should().Throw<ArgumentNullException>().WithParameterName("modalityEncoders");
        using var first = Mlp(4, 3);
        using var second = Mlp(6, 2);
        FluentActions.Invoking(() => new BalancedMultimodalNetwork([first, second], 2, 0, null!, ScalarType.Float64))
            .Should().Throw<ArgumentNullException>().WithParameterName("device");
    }

    [Fact]
    public void A_device_given_with_an_explicit_or_default_index_matches_the_encoders_device()
    {
        // torch.CUDA is cuda:-1 and its tensors report cuda:0; on CPU the same mismatch is cpu:0 against cpu:-1.
        var cpu0 = new Device(TorchSharp.DeviceType.CPU, 0);
        using var first = new MlpEncoder(4, new MlpEncoderOptions { HiddenSizes = [3], Dropout = 0 }, cpu0, ScalarType.Float64);
        using var second = new MlpEncoder(6, new MlpEncoderOptions { HiddenSizes = [2], Dropout = 0 }, cpu0, ScalarType.Float64);
        first.parameters().First().device.index.Should().Be(-1, "the mismatch this test covers");

        var act = () => new BalancedMultimodalNetwork([first, second], 2, 0, cpu0, ScalarType.Float64).Dispose();

        act.Should().NotThrow();
    }

    [Fact]
    public void A_single_encoder_is_rejected()
    {
        using var only = Mlp(4, 3);
        var act = () => new BalancedMultimodalNetwork([only], 2, 0, Cpu, ScalarType.Float64);
        act.Should().Throw<ArgumentException>().WithParameterName("modalityEncoders").WithMessage("At least two modality encoders are needed.*");
    }

    [Fact]
    public void An_encoder_without_embedding_width_is_rejected_naming_its_modality()
    {
        using var first = Mlp(4, 3);
        using var empty = new PassThroughEncoder(0);
        var act = () => new BalancedMultimodalNetwork([first, empty], 2, 0, Cpu, ScalarType.Float64);
        act.Should().Throw<ArgumentException>().WithParameterName("modalityEncoders").WithMessage("The encoder of modality 1 has embedding width 0; it must be at least 1.*");
    }

    [Fact]
    public void Encoders_of_width_one_or_without_parameters_are_accepted_and_the_fused_head_sees_every_embedding()
    {
        using var network = Network(3, 0, new PassThroughEncoder(2), Mlp(5, 1));
        using var scope = NewDisposeScope();

        network.FusedHead.weight!.shape.Should().Equal(3, 3);   // C x (2 + 1)
        network.Head(0).weight!.shape.Should().Equal(3, 2);
        network.Head(1).weight!.shape.Should().Equal(3, 1);
        network.ClassCount.Should().Be(3);
        network.ModalityCount.Should().Be(2);
        var outputs = network.Forward([randn(4, 2, dtype: ScalarType.Float64), randn(4, 5, dtype: ScalarType.Float64)]);
        outputs.FusedLogits.shape.Should().Equal(4, 3);
    }

    [Fact]
    public void Every_encoder_head_and_the_fused_head_are_registered_and_a_modalitys_parameters_are_its_encoder_and_head()
    {
        using var network = Network();

        network.parameters().Should().HaveCount(2 + 2 + 2 * 2 + 2, "two encoders of one layer, two heads and the fused head, each weight and bias");
        network.ModalityParameters(1).Should().Equal(network.Encoder(1).parameters().Concat(network.Head(1).parameters()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-5)]
    public void Fewer_than_two_classes_are_rejected(int classCount)
    {
        var act = () => Network(classCount);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("classCount").WithMessage("At least two classes are needed.*");
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_dropout_outside_zero_to_one_is_rejected(double dropout)
    {
        var act = () => Network(dropout: dropout);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("headDropout").WithMessage("Dropout must lie in [0, 1).*");
    }

    [Fact]
    public void A_dropout_just_below_one_is_accepted()
    {
        using var network = Network(dropout: 0.99);
        network.ClassCount.Should().Be(2);
    }

    [Fact]
    public void Null_inputs_of_the_entry_points_are_rejected_by_name()
    {
        using var network = Network();

        FluentActions.Invoking(() => network.Forward(null!)).Should().Throw<ArgumentNullException>().WithParameterName("features");
        FluentActions.Invoking(() => network.Embed(0, null!)).Should().Throw<ArgumentNullException>().WithParameterName("features");
        FluentActions.Invoking(() => network.ModalityLogits(0, null!)).Should().Throw<ArgumentNullException>().WithParameterName("embedding");
        FluentActions.Invoking(() => network.FusedLogits(null!)).Should().Throw<ArgumentNullException>().WithParameterName("embeddings");
    }

    [Fact]
    public void Forward_with_another_number_of_feature_matrices_is_rejected()
    {
        using var network = Network();
        using var scope = NewDisposeScope();
        var act = () => network.Forward([randn(5, 4, dtype: ScalarType.Float64)]);
        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("Expected 2 feature matrices, got 1.*");
    }

    [Fact]
    public void An_encoders_rejection_of_the_features_is_reported_with_the_modality()
    {
        using var network = Network();
        using var scope = NewDisposeScope();
        var act = () => network.Embed(1, randn(5, 4, dtype: ScalarType.Float64));
        var thrown = act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("Modality 1: *").Which;
        thrown.InnerException.Should().BeAssignableTo<ArgumentException>();
        thrown.Message.Should().EndWith(" (Parameter 'features')").And.Contain("(Parameter", Exactly.Once(),
            "the encoder's own parameter suffix is not repeated inside the wrapper's message");
    }

    [Fact]
    public void A_modality_index_equal_to_the_modality_count_is_out_of_range()
    {
        using var network = Network();
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => network.ModalityLogits(2, randn(5, 3, dtype: ScalarType.Float64)))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modality").WithMessage("The network has 2 modalities.*");
        FluentActions.Invoking(() => network.Embed(2, randn(5, 4, dtype: ScalarType.Float64)))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modality").WithMessage("The network has 2 modalities.*");
    }

    [Fact]
    public void An_embedding_that_is_not_a_matrix_is_rejected_with_n_for_its_row_count()
    {
        using var network = Network();
        using var scope = NewDisposeScope();
        var act = () => network.ModalityLogits(0, randn(5, dtype: ScalarType.Float64));
        act.Should().Throw<ArgumentException>().WithParameterName("embedding").WithMessage("Modality 0: embedding must have shape (n, 3), got (5).*");
    }

    [Fact]
    public void Fused_embeddings_must_share_the_first_ones_row_count_even_when_it_is_zero()
    {
        using var network = Network();
        using var scope = NewDisposeScope();
        var act = () => network.FusedLogits([zeros(0, 3, dtype: ScalarType.Float64), zeros(5, 2, dtype: ScalarType.Float64)]);
        act.Should().Throw<ArgumentException>().WithParameterName("embeddings").WithMessage("Modality 1: embeddings[1] must have shape (0, 2), got (5, 2).*");
    }

    [Fact]
    public void A_null_fused_embedding_is_rejected_naming_its_index()
    {
        using var network = Network();
        using var scope = NewDisposeScope();
        var act = () => network.FusedLogits([zeros(5, 3, dtype: ScalarType.Float64), null!]);
        act.Should().Throw<ArgumentException>().WithParameterName("embeddings").WithMessage("embeddings[1] is null.*");
    }

    [Fact]
    public void A_head_embedding_of_another_dtype_is_rejected_naming_both_dtypes()
    {
        using var network = Network();
        using var scope = NewDisposeScope();
        var act = () => network.ModalityLogits(1, zeros(5, 2));
        act.Should().Throw<ArgumentException>().WithParameterName("embedding").WithMessage("Modality 1: embedding is Float32 but the heads are Float64.*");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void Every_accessor_rejects_a_modality_index_outside_the_network_at_the_call(int modality)
    {
        using var network = Network();

        foreach (var act in new Action[]
        {
            () => network.Encoder(modality),
            () => network.Head(modality),
            () => network.ModalityParameters(modality),
        })
        {
            act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modality").WithMessage("The network has 2 modalities.*");
        }
    }
}
