using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary><c>Fit</c> checks what the encoder factory returns before any training: null, an encoder built for another
/// input width or one whose embeddings are not (n, EmbeddingDim) is refused with an <see cref="InvalidOperationException"/>
/// naming the factory's type, the modality and what was wrong, not blamed on the data.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class EncoderFactoryOutputTests
{
    private static BalancedTrainer Trainer(IModalityEncoderFactory factory) =>
        new(factory, new ConstantMutualInformationEstimator(1.0), TrainingFixtures.TinyOptions());

    [Fact]
    public void A_factory_returning_null_is_refused_naming_it_and_the_modality()
    {
        var reports = new List<TrainingProgress>();
        var act = () => Trainer(new ScriptedFactory(m => m == 1 ? null : Mlp(3))).Fit(TrainingFixtures.Tiny(), new SynchronousProgress(reports));

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("The encoder factory ScriptedFactory returned null for modality 1 ('faint'); it must return a new encoder.");
        reports.Should().BeEmpty("nothing was trained");
    }

    [Fact]
    public void An_encoder_built_for_another_input_width_is_refused_before_training_naming_the_factory_and_the_modality()
    {
        var reports = new List<TrainingProgress>();
        var act = () => Trainer(new ScriptedFactory(m => Mlp(m == 0 ? 4 : 3))).Fit(TrainingFixtures.Tiny(), new SynchronousProgress(reports));

        var thrown = act.Should().Throw<InvalidOperationException>()
            .WithMessage("The encoder factory ScriptedFactory built for modality 0 ('clear', 3 features) an encoder (MlpEncoder) that refuses that modality's features of shape (40, 3): " +
                "The MLP encoder expects input of shape (n, 4), got (40, 3). An encoder must take the requested input width (3) and one row per sample " +
                "(40; a graph encoder needs a graph of 40 nodes).").Which;
        thrown.InnerException.Should().BeOfType<ArgumentException>();
        reports.Should().BeEmpty("nothing was trained");
    }

    [Fact]
    public void An_encoder_whose_embeddings_have_another_width_than_it_declares_is_refused()
    {
        var act = () => Trainer(new ScriptedFactory(m => m == 2 ? new PassThroughEncoder(5) : Mlp(3))).Fit(TrainingFixtures.Tiny());

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("The encoder factory ScriptedFactory built for modality 2 ('noise', 3 features) an encoder (PassThroughEncoder) that returns embeddings of shape (40, 3) for (40, 3) features; expected (40, 5)*");
    }

    [Fact]
    public void An_encoder_the_network_refuses_is_blamed_on_the_factory()
    {
        var act = () => Trainer(new ScriptedFactory(m => m == 1 ? new PassThroughEncoder(0) : Mlp(3))).Fit(TrainingFixtures.Tiny());

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("The encoder factory ScriptedFactory built an encoder the network cannot use: The encoder of modality 1 has embedding width 0; it must be at least 1.");
    }

    private static MlpEncoder Mlp(long inputs) => new(inputs, new MlpEncoderOptions { HiddenSizes = [4], Dropout = 0 });

    /// <summary>A factory whose encoder for modality m the test chooses (null included).</summary>
    private sealed class ScriptedFactory(Func<int, ModalityEncoder?> create) : IModalityEncoderFactory
    {
        public ModalityEncoder Create(ModalityEncoderRequest request) => create(request.ModalityIndex)!;
    }
}
