using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

[Collection(GlobalGeneratorCollection.Name)]
public class UnlabelledEntropyTests
{
    [Fact]
    public void Entropy_minimisation_makes_the_predictions_on_unlabelled_rows_more_confident()
    {
        var dataset = TrainingFixtures.StrongWeakNoise(samples: 120);
        var data = TrainingFixtures.ToTrainingData(dataset);
        double MeanTestEntropy(double weight)
        {
            var options = TrainingFixtures.FastOptions(seed: 2);
            // Scored only at the last epoch, so both runs return their epoch-20 state (no checkpoint choice in between).
            options.PretrainingEpochs = options.JointEpochs = options.EvaluationInterval = 20;
            options.EnableDistillation = false;
            options.UnlabelledEntropyWeight = weight;
            using var result = TrainingFixtures.Trainer(options).Fit(data);
            using var p = result.PredictedProbabilities.index_select(0, tensor(dataset.TestIndices.Select(r => (long)r).ToArray()));
            return (-(p * p.clamp_min(1e-12).log()).sum(1).mean()).to(ScalarType.Float64).item<double>();
        }

        MeanTestEntropy(5.0).Should().BeLessThan(MeanTestEntropy(0.0));
    }

    [Fact]
    public void A_negative_entropy_weight_is_rejected_naming_the_option()
    {
        var act = () => BalancedTrainingOptionsValidator.ThrowIfInvalid(new BalancedTrainingOptions { UnlabelledEntropyWeight = -0.1 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*BalancedTrainingOptions.UnlabelledEntropyWeight*");
    }
}
