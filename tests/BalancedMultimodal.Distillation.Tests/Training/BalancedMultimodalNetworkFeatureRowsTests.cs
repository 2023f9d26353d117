using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary><see cref="BalancedMultimodalNetwork.Forward"/> checks the feature matrices (null entries, shape, one row count)
/// before any encoder runs, naming <c>features</c> and the modality that disagrees, instead of failing on the embeddings
/// after both encoders ran.</summary>
public class BalancedMultimodalNetworkFeatureRowsTests
{
    private static MlpEncoder Mlp(long inputs, int width) => new(inputs, new MlpEncoderOptions { HiddenSizes = [width], Dropout = 0 }, dtype: ScalarType.Float64);

    private static BalancedMultimodalNetwork Network(params ModalityEncoder[] encoders) => new(encoders, 2, 0, CPU, ScalarType.Float64);

    private static Tensor Features(long rows, long columns) => zeros(rows, columns, dtype: ScalarType.Float64);

    [Fact]
    public void Two_modalities_of_different_row_counts_are_refused_before_any_encoder_runs_naming_both()
    {
        using var scope = NewDisposeScope();
        var counting = new CountingEncoder(3);
        using var network = Network(counting, Mlp(4, 2));

        var act = () => network.Forward([Features(39, 3), Features(40, 4)]);

        act.Should().Throw<ArgumentException>().WithParameterName("features")
            .WithMessage("Modality 1: features[1] has 40 rows but features[0] (modality 0) has 39; every modality's features hold the same n samples*");
        counting.Calls.Should().Be(0, "the row counts are checked first");
    }

    [Fact]
    public void The_modality_whose_row_count_differs_from_the_others_is_the_one_named()
    {
        using var scope = NewDisposeScope();
        using var network = Network(Mlp(3, 2), Mlp(4, 2), Mlp(5, 2));

        var act = () => network.Forward([Features(39, 3), Features(40, 4), Features(40, 5)]);

        act.Should().Throw<ArgumentException>().WithParameterName("features")
            .WithMessage("Modality 0: features[0] has 39 rows but most modalities' features have 40*");
    }

    [Fact]
    public void A_null_feature_matrix_is_refused_naming_its_modality()
    {
        using var scope = NewDisposeScope();
        using var network = Network(Mlp(3, 2), Mlp(4, 2));

        var act = () => network.Forward([Features(5, 3), null!]);

        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("Modality 1: features[1] is null.*");
    }

    [Fact]
    public void A_feature_vector_is_refused_naming_its_modality_and_shape()
    {
        using var scope = NewDisposeScope();
        using var network = Network(Mlp(3, 2), Mlp(4, 2));

        var act = () => network.Forward([Features(5, 3), zeros(5, dtype: ScalarType.Float64)]);

        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("Modality 1: features[1] must be an (n, d) matrix, got shape (5).*");
    }

    [Fact]
    public void An_encoder_returning_embeddings_of_another_row_count_is_blamed_not_the_data()
    {
        using var scope = NewDisposeScope();
        using var network = Network(Mlp(3, 2), new DroppingEncoder(4));

        var act = () => network.Forward([Features(5, 3), Features(5, 4)]);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("Modality 1: its encoder (DroppingEncoder) returned embeddings of shape (4, 4) for features of shape (5, 4); expected (5, 4)*");
    }

    /// <summary>A pass-through encoder that counts its forward calls.</summary>
    private sealed class CountingEncoder(long width) : ModalityEncoder(nameof(CountingEncoder))
    {
        public int Calls { get; private set; }

        public override long EmbeddingDim => width;

        public override Tensor forward(Tensor input)
        {
            Calls++;
            return input.alias();
        }
    }

    /// <summary>A faulty encoder that drops the last row.</summary>
    private sealed class DroppingEncoder(long width) : ModalityEncoder(nameof(DroppingEncoder))
    {
        public override long EmbeddingDim => width;

        public override Tensor forward(Tensor input) => input.narrow(0, 0, input.shape[0] - 1);
    }
}
