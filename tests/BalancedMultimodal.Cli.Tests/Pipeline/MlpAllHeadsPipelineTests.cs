using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>A pipeline with graph-free MLP encoders whose prediction averages the fused and modality heads.</summary>
[Collection(TrainedPipelineCollection.Name)]
public class MlpAllHeadsPipelineTests(TrainedPipelineFixture fixture)
{
    private static PipelineOptions Options() => TrainedPipelineFixture.MlpOptions(PredictionSource.AllHeads);

    [Fact]
    public void Prediction_is_the_fold_average_of_the_fused_and_modality_head_probabilities()
    {
        var result = new TrainingPipeline(Options()) { KeepTrainedModel = true }.Run(MogonetFolderLoader.Load(fixture.DataFolder));
        using var model = result.Model!;

        // Per fold (softmax(z) + sum_m softmax(z_m)) / (M + 1), then the fold average.
        fixture.PredictionShouldBeTheFoldAverageOf(model, (_, outputs) =>
            outputs.ModalityLogits.Aggregate(nn.functional.softmax(outputs.FusedLogits, 1), (sum, z) => sum + nn.functional.softmax(z, 1)) / 4);
    }

    [Fact]
    public void A_loaded_mlp_all_heads_pipeline_predicts_exactly_what_the_in_memory_one_predicts()
    {
        var result = new TrainingPipeline(Options()) { KeepTrainedModel = true }.Run(MogonetFolderLoader.Load(fixture.DataFolder));
        using var model = result.Model!;
        var folder = Path.Combine(fixture.Root, "mlp-all-heads-model");
        model.Save(folder);

        using var loaded = TrainedPipeline.Load(folder);

        loaded.Options.EncoderKind.Should().Be(ModalityEncoderKind.Mlp);
        loaded.Options.Training.Prediction.Should().Be(PredictionSource.AllHeads);
        var modalities = fixture.NewModalities((i, m) => i % 4 != m);
        loaded.Predict(modalities).Probabilities.Should().BeEquivalentTo(model.Predict(modalities).Probabilities, o => o.WithStrictOrdering());
    }
}
