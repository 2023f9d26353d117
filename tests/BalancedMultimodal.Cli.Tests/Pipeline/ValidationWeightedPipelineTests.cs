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

        model.Folds.Should().OnlyContain(f => f.PoolingWeights!.Count == 4 && Math.Abs(f.PoolingWeights.Sum() - 1) < 1e-12);
        // Per fold softmax(sum_h w_h z_h) with that fold's weights (fused head first), then the fold average.
        fixture.PredictionShouldBeTheFoldAverageOf(model, (fold, outputs) =>
        {
            var w = fold.PoolingWeights!;
            var pooled = outputs.ModalityLogits.Select((z, m) => z * w[m + 1]).Aggregate(outputs.FusedLogits * w[0], (sum, t) => sum + t);
            return nn.functional.softmax(pooled, 1);
        });
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
        ModelFolderEdit.RecordChecksum(folder, "fold_1.json");

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("fold_1.json: Training.Prediction is AllHeadsValidationWeighted, which needs 4 pooling weights*");
    }
}
