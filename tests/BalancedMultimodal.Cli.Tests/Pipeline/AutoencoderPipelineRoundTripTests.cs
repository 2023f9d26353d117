using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

[Collection(TrainedPipelineCollection.Name)]
public class AutoencoderPipelineRoundTripTests(TrainedPipelineFixture fixture)
{
    [Fact]
    public void A_pipeline_with_autoencoders_predicts_the_same_after_save_and_load()
    {
        var options = TrainedPipelineFixture.Options();
        options.CrossFitFolds = 1;
        options.UseAutoencoder = true;
        options.Autoencoder = new AutoencoderOptions { LatentDim = 4, Epochs = 30, LearningRate = 1e-2 };
        options.Training.PretrainingEpochs = 10;
        options.Training.DistillationEpochs = 2;
        options.Training.JointEpochs = 10;
        var result = new TrainingPipeline(options) { KeepTrainedModel = true }.Run(MogonetFolderLoader.Load(fixture.DataFolder));
        using var model = result.Model!;
        var folder = Path.Combine(fixture.Root, "autoencoder-model");
        model.Save(folder);

        using var loaded = TrainedPipeline.Load(folder);

        loaded.Autoencoders.Should().HaveCount(3);
        loaded.CohortFeatures[0].shape.Should().Equal(model.CohortSize, 4);
        var modalities = fixture.NewModalities((i, m) => i % 4 != m);
        loaded.Predict(modalities).Probabilities.Should().BeEquivalentTo(model.Predict(modalities).Probabilities, o => o.WithStrictOrdering());
    }
}
