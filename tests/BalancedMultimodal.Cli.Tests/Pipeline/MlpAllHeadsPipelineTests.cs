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
        var modalities = fixture.NewModalities();

        var predicted = model.Predict(modalities);

        // MLP encoders see each row alone: run every fold network on the standardised new rows and average
        // (softmax(z) + sum_m softmax(z_m)) / (M + 1) over the folds by hand.
        using var scope = NewDisposeScope();
        int n = fixture.NewRows.Length;
        var features = TrainedPipelineFixture.StandardizedByHand(model, modalities, n);
        var expected = zeros(n, 2, dtype: ScalarType.Float64);
        using (no_grad())
            foreach (var fold in model.Folds)
            {
                var outputs = fold.Network.Forward(features);
                var sum = nn.functional.softmax(outputs.FusedLogits, 1);
                foreach (var z in outputs.ModalityLogits) sum = sum + nn.functional.softmax(z, 1);
                expected.add_((sum / 4).to(ScalarType.Float64));
            }
        expected.div_(model.Folds.Count);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 2; c++)
                predicted.Probabilities[i, c].Should().BeApproximately(expected[i, c].item<double>(), 1e-5);
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
