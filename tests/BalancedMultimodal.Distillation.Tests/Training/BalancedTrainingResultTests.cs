using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>What a result holds is what its network, restored to the chosen checkpoint, computes: the probabilities of
/// every row, the validation scores of the prediction and of each head, and the pooled heads' weights.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class BalancedTrainingResultTests
{
    [Theory]
    [InlineData(PredictionSource.FusedHead)]
    [InlineData(PredictionSource.AllHeads)]
    [InlineData(PredictionSource.AllHeadsGeometricMean)]
    [InlineData(PredictionSource.AllHeadsValidationWeighted)]
    public void The_result_is_what_the_returned_network_predicts_and_scores_on_validation(PredictionSource source)
    {
        var data = TrainingFixtures.Tiny();
        var options = TrainingFixtures.TinyOptions();
        options.Prediction = source;
        options.PoolingWeightShrinkage = 0.25;
        options.HeadDropout = 0.3;   // with dropout, a score taken in training mode would not be the returned network's
        options.JointEpochs = 1;     // a fused head trained for one epoch, next to heads pretrained for six: they disagree
        using var result = TrainingFixtures.TinyTrainer(options, dropout: 0.3).Fit(data);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        result.Network.training.Should().BeFalse("the network is returned in eval mode");
        var outputs = result.Network.Forward(data.Features);
        var validation = tensor(data.ValidationRows.Select(r => (long)r).ToArray());
        var validationLabels = data.ValidationRows.Select(r => (int)data.LabelValues[r]).ToArray();
        double MacroF1(Tensor probabilities) => ClassificationMetrics.MacroF1(validationLabels,
            probabilities.index_select(0, validation).argmax(1).data<long>().Select(v => (int)v).ToArray());

        result.FusedProbabilities.data<float>().ToArray().Should().Equal(nn.functional.softmax(outputs.FusedLogits, 1).data<float>().ToArray());
        for (int m = 0; m < 3; m++)
        {
            result.ModalityProbabilities[m].data<float>().ToArray().Should().Equal(nn.functional.softmax(outputs.ModalityLogits[m], 1).data<float>().ToArray());
            result.FinalModalityScores[m].Should().Be(MacroF1(result.ModalityProbabilities[m]), $"modality {m}'s head at the checkpoint");
        }
        if (source == PredictionSource.AllHeadsValidationWeighted)
        {
            var heads = new[] { outputs.FusedLogits }.Concat(outputs.ModalityLogits).Select(z => z.index_select(0, validation)).ToArray();
            result.PoolingWeights.Should().Equal(HeadPoolingWeights.FromValidation(heads, data.Labels.index_select(0, validation), 0.25));
        }
        else
        {
            result.PoolingWeights.Should().BeNull();
        }
        result.PredictedProbabilities.data<float>().ToArray().Should().Equal(
            PredictionCombiner.Probabilities(outputs, source, result.PoolingWeights).data<float>().ToArray());
        result.FusedValidationScore.Should().Be(MacroF1(result.PredictedProbabilities));
        if (source != PredictionSource.FusedHead)
            MacroF1(result.FusedProbabilities).Should().NotBe(result.FusedValidationScore,
                "on this fixture the pooled prediction and the fused head alone score differently, so the score above is the pooled one");
        result.ModalityNames.Should().Equal("clear", "faint", "noise");
    }

    [Fact]
    public void The_evidence_pooling_rule_gives_the_weights_it_measures_on_the_returned_networks_validation_logits()
    {
        var data = TrainingFixtures.Tiny();
        var options = TrainingFixtures.TinyOptions();
        options.Prediction = PredictionSource.AllHeadsValidationWeighted;
        options.PoolingRule = HeadPoolingRule.ValidationEvidence;
        options.PoolingWeightShrinkage = 0;
        using var result = TrainingFixtures.TinyTrainer(options).Fit(data);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var (outputs, heads, labels) = ValidationHeads(result, data);

        result.PoolingWeights.Should().Equal(HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, 0));
        result.PoolingWeights.Should().NotEqual(HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.InformationGain, 0),
            "on this fixture the two rules weigh the heads differently, so the weights above are the evidence rule's");
        result.PredictedProbabilities.data<float>().ToArray().Should().Equal(
            PredictionCombiner.Probabilities(outputs, PredictionSource.AllHeadsValidationWeighted, result.PoolingWeights).data<float>().ToArray());
    }

    [Fact]
    public void A_final_pooling_rule_re_pools_the_returned_prediction_at_the_checkpoint_the_trainers_rule_chose()
    {
        var data = TrainingFixtures.Tiny();
        TrainingFixtures.TinyOptions().FinalPoolingRule.Should().BeNull("the library default");
        BalancedTrainingResult Fit(HeadPoolingRule? finalRule)
        {
            var options = TrainingFixtures.TinyOptions();
            options.Prediction = PredictionSource.AllHeadsValidationWeighted;
            options.PoolingWeightShrinkage = 0.5;
            options.FinalPoolingRule = finalRule;
            return TrainingFixtures.TinyTrainer(options).Fit(data);
        }
        using var plain = Fit(null);
        using var repooled = Fit(HeadPoolingRule.ValidationEvidence);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var (outputs, heads, labels) = ValidationHeads(repooled, data);

        repooled.BestJointEpoch.Should().Be(plain.BestJointEpoch, "the checkpoint is chosen under the trainer's own rule either way");
        repooled.FusedValidationScore.Should().Be(plain.FusedValidationScore);
        plain.PoolingWeights.Should().Equal(HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.InformationGain, 0.5));
        repooled.PoolingWeights.Should().Equal(HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, 0));
        repooled.PoolingWeights.Should().NotEqual(plain.PoolingWeights!, "on this fixture the re-pooling changes the weights");
        repooled.PredictedProbabilities.data<float>().ToArray().Should().Equal(
            PredictionCombiner.Probabilities(outputs, PredictionSource.AllHeadsValidationWeighted, repooled.PoolingWeights).data<float>().ToArray());
    }

    /// <summary>The returned network's outputs on every row, each head's logits on the validation rows (fused head first)
    /// and those rows' labels: the inputs of <see cref="HeadPoolingWeights"/>.</summary>
    private static (NetworkOutputs Outputs, Tensor[] Heads, Tensor Labels) ValidationHeads(BalancedTrainingResult result, BalancedTrainingData data)
    {
        var outputs = result.Network.Forward(data.Features);
        var validation = tensor(data.ValidationRows.Select(r => (long)r).ToArray());
        var heads = new[] { outputs.FusedLogits }.Concat(outputs.ModalityLogits).Select(z => z.index_select(0, validation)).ToArray();
        return (outputs, heads, data.Labels.index_select(0, validation));
    }

    [Fact]
    public void Disposing_the_result_frees_its_probabilities_and_its_network()
    {
        var options = TrainingFixtures.TinyOptions();
        options.EnableDistillation = false;
        var result = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny());
        var tensors = new[] { result.FusedProbabilities, result.PredictedProbabilities }.Concat(result.ModalityProbabilities)
            .Concat(result.Network.parameters()).ToArray();

        result.Dispose();

        tensors.Should().OnlyContain(t => t.IsInvalid);
    }

    [Fact]
    public void A_result_made_inside_the_callers_dispose_scope_stays_whole_after_it_until_disposed()
    {
        var options = TrainingFixtures.TinyOptions();
        options.EnableDistillation = false;
        var data = TrainingFixtures.Tiny();
        long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        BalancedTrainingResult result;
        using (NewDisposeScope())
        {
            result = TrainingFixtures.TinyTrainer(options).Fit(data);
        }

        var tensors = new[] { result.FusedProbabilities, result.PredictedProbabilities }.Concat(result.ModalityProbabilities).ToArray();
        tensors.Should().OnlyContain(t => !t.IsInvalid, "the result owns its probabilities, as it owns its network");
        result.Network.parameters().Should().OnlyContain(p => !p.IsInvalid);
        using (NewDisposeScope())
            result.FusedProbabilities.sum(1).allclose(ones(data.SampleCount)).Should().BeTrue();

        result.Dispose();
        tensors.Should().OnlyContain(t => t.IsInvalid);
        DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before, "disposing the result frees all it owns");
    }

    [Fact]
    public void A_disposed_result_refuses_its_network_and_tensors_by_name_and_keeps_its_scores()
    {
        var result = TrainingFixtures.TinyTrainer(TrainingFixtures.TinyOptions()).Fit(TrainingFixtures.Tiny());
        var scores = result.PretrainingScores.ToArray();

        result.Dispose();
        result.Dispose();   // idempotent

        var members = new Func<object>[] { () => result.Network, () => result.FusedProbabilities, () => result.PredictedProbabilities, () => result.ModalityProbabilities };
        foreach (var member in members)
            member.Should().Throw<ObjectDisposedException>().WithMessage("*training result was disposed*");
        result.PretrainingScores.Should().Equal(scores);
        result.History.Should().NotBeEmpty();
    }
}
