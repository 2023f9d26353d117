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
    private TrainedPipeline Train() => fixture.TrainMlp(PredictionSource.AllHeadsValidationWeighted);

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

    [Fact]
    public void Each_folds_weights_are_the_final_pooling_rules_weights_measured_on_its_validation_rows_at_the_checkpoint()
    {
        var data = MogonetFolderLoader.Load(fixture.DataFolder);
        var options = TrainedPipelineFixture.MlpOptions(PredictionSource.AllHeadsValidationWeighted);
        options.Training.FinalPoolingRule = HeadPoolingRule.ValidationEvidence;   // the pipeline's default (the fixture builds its own Training options)
        using var model = new TrainingPipeline(options) { KeepTrainedModel = true }.Run(data).Model!;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        int differing = 0;
        foreach (var fold in model.Folds)
        {
            var (heads, labels) = ValidationHeads(model, fold, data);
            var evidence = HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, 0);
            var trainers = HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.InformationGain, options.Training.PoolingWeightShrinkage);
            fold.PoolingWeights.Should().HaveCount(4);
            for (int h = 0; h < 4; h++) fold.PoolingWeights![h].Should().BeApproximately(evidence[h], 1e-9, $"fold {fold.Fold}, head {h}");
            if (Enumerable.Range(0, 4).Any(h => Math.Abs(evidence[h] - trainers[h]) > 1e-3)) differing++;
        }
        differing.Should().BePositive("the re-pooled weights must differ from the checkpoint's own somewhere, or this test could not fail");
    }

    [Fact]
    public void Without_a_final_pooling_rule_the_folds_keep_the_checkpoints_weights()
    {
        var data = MogonetFolderLoader.Load(fixture.DataFolder);
        var options = TrainedPipelineFixture.MlpOptions(PredictionSource.AllHeadsValidationWeighted);
        options.Training.FinalPoolingRule = null;
        using var model = new TrainingPipeline(options) { KeepTrainedModel = true }.Run(data).Model!;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        foreach (var fold in model.Folds)
        {
            var (heads, labels) = ValidationHeads(model, fold, data);
            var trainers = HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.InformationGain, options.Training.PoolingWeightShrinkage);
            for (int h = 0; h < 4; h++) fold.PoolingWeights![h].Should().BeApproximately(trainers[h], 1e-9, $"fold {fold.Fold}, head {h}");
        }
    }

    [Fact]
    public void An_undefined_final_pooling_rule_is_rejected_naming_the_option()
    {
        var data = MogonetFolderLoader.Load(fixture.DataFolder);
        var options = TrainedPipelineFixture.MlpOptions(PredictionSource.AllHeadsValidationWeighted);
        options.Training.FinalPoolingRule = (HeadPoolingRule)7;

        var act = () => TrainingPipeline.Validate(options, data);

        act.Should().Throw<ArgumentException>().WithMessage("*FinalPoolingRule must be null, InformationGain or ValidationEvidence, got 7.*");
    }

    /// <summary>The kept fold network's head logits on its validation rows (cohort features, fused head first) and those rows' labels.</summary>
    private static (Tensor[] Heads, Tensor Labels) ValidationHeads(TrainedPipeline model, TrainedFold fold, MultimodalDataset data)
    {
        var outputs = fold.Network.Forward(model.CohortFeatures);
        var rows = tensor(fold.ValidationRows.Select(r => (long)r).ToArray());
        var heads = new[] { outputs.FusedLogits }.Concat(outputs.ModalityLogits).Select(z => z.index_select(0, rows)).ToArray();
        return (heads, tensor(fold.ValidationRows.Select(r => (long)data.Labels[r]).ToArray()));
    }
}
