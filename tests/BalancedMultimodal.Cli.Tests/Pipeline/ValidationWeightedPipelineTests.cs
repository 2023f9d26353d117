using System.Text.Json.Nodes;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>A pipeline whose prediction pools the heads with weights measured on each fold's validation rows.</summary>
[Collection(TrainedPipelineCollection.Name)]
public class ValidationWeightedPipelineTests(TrainedPipelineFixture fixture)
{
    private TrainedPipeline Train() =>
        new TrainingPipeline(TrainedPipelineFixture.MlpOptions(PredictionSource.AllHeadsValidationWeighted)) { KeepTrainedModel = true }.Run(MogonetFolderLoader.Load(fixture.DataFolder)).Model!;

    [Fact]
    public void Prediction_is_the_fold_average_of_the_heads_pooled_with_each_folds_validation_weights()
    {
        using var model = Train();
        var modalities = fixture.NewModalities();

        var predicted = model.Predict(modalities);

        // Per fold: softmax(sum_h w_h z_h) with that fold's weights (fused head first), then the fold average.
        using var scope = NewDisposeScope();
        int n = fixture.NewRows.Length;
        var features = TrainedPipelineFixture.StandardizedByHand(model, modalities, n);
        var expected = zeros(n, 2, dtype: ScalarType.Float64);
        using (no_grad())
            foreach (var fold in model.Folds)
            {
                var w = fold.PoolingWeights!;
                w.Should().HaveCount(4);
                w.Sum().Should().BeApproximately(1, 1e-12);
                var outputs = fold.Network.Forward(features);
                var pooled = outputs.FusedLogits * w[0];
                for (int m = 0; m < 3; m++) pooled = pooled + outputs.ModalityLogits[m] * w[m + 1];
                expected.add_(nn.functional.softmax(pooled, 1).to(ScalarType.Float64));
            }
        expected.div_(model.Folds.Count);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 2; c++)
                predicted.Probabilities[i, c].Should().BeApproximately(expected[i, c].item<double>(), 1e-5);
    }

    [Fact]
    public void A_loaded_pipeline_keeps_the_pooling_weights_and_predicts_exactly_the_same()
    {
        using var model = Train();
        var folder = Path.Combine(fixture.Root, "validation-weighted-model");
        model.Save(folder);

        using var loaded = TrainedPipeline.Load(folder);

        loaded.Folds.Select(f => f.PoolingWeights).Should().BeEquivalentTo(model.Folds.Select(f => f.PoolingWeights), o => o.WithStrictOrdering());
        var modalities = fixture.NewModalities((i, m) => i % 4 != m);
        loaded.Predict(modalities).Probabilities.Should().BeEquivalentTo(model.Predict(modalities).Probabilities, o => o.WithStrictOrdering());

        // A fold file without its weights cannot be pooled the way training chose: refused, naming the file.
        var path = Path.Combine(folder, "fold_1.json");
        var record = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        record.Remove("PoolingWeights");
        File.WriteAllText(path, record.ToJsonString());

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("fold_1.json: Training.Prediction is AllHeadsValidationWeighted, which needs 4 pooling weights*");
    }
}
