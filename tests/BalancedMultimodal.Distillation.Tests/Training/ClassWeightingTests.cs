using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

[Collection(GlobalGeneratorCollection.Name)]
public class ClassWeightingTests
{
    /// <summary>300 samples, 85 % class 0, two weak modalities: an unweighted fit leans towards the majority.</summary>
    private static MultimodalDataset Imbalanced() =>
        new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions
        {
            SampleCount = 300,
            ClassProportions = [0.85, 0.15],
            Seed = 5,
            Modalities =
            [
                new SyntheticModalityOptions { Name = "a", FeatureCount = 20, InformativeFeatureCount = 5, SignalStrength = 0.5 },
                new SyntheticModalityOptions { Name = "b", FeatureCount = 20, InformativeFeatureCount = 5, SignalStrength = 0.4 },
            ],
        }).Generate();

    [Fact]
    public void Inverse_frequency_weighting_raises_the_predicted_share_of_the_rare_class()
    {
        var dataset = Imbalanced();
        var data = TrainingFixtures.ToTrainingData(dataset);
        // On the test rows (never fitted, so an over-fitted training row cannot hide the shift).
        (double MeanRareProbability, long RarePredictions) Fit(ClassWeighting weighting)
        {
            var options = TrainingFixtures.FastOptions(seed: 1);
            // Scored only at the last epoch, so both runs return their epoch-40 state (no checkpoint choice in between).
            options.PretrainingEpochs = options.JointEpochs = options.EvaluationInterval = 40;
            options.EnableDistillation = false;
            options.ClassWeighting = weighting;
            using var result = TrainingFixtures.Trainer(options).Fit(data);
            using var scope = NewDisposeScope();
            var p = result.PredictedProbabilities.index_select(0, tensor(dataset.TestIndices.Select(r => (long)r).ToArray()));
            return (p[.., 1].mean().to(ScalarType.Float64).item<double>(), p.argmax(1).sum().item<long>());
        }

        var plain = Fit(ClassWeighting.None);
        var weighted = Fit(ClassWeighting.InverseFrequency);

        // Seed 1 (60 test rows, 9 of the rare class): mean rare-class probability 0.13 -> 0.23, rare predictions 3 -> 9.
        weighted.MeanRareProbability.Should().BeGreaterThan(plain.MeanRareProbability + 0.05);
        weighted.RarePredictions.Should().BeGreaterThan(plain.RarePredictions);
    }

    /// <summary>The tiny set with its training rows made 15 / 5 (every fourth row relabelled to class 0), so that
    /// inverse-frequency weights are 2/3 and 2.</summary>
    private static BalancedTrainingData TinyImbalanced() => TrainingFixtures.Tiny((row, label) => row < 20 && row % 4 == 1 ? 0 : label);

    private static Dictionary<(TrainingPhase, string?), double> FirstEpochLosses(ClassWeighting weighting, TrainingCheckpoint? checkpoint, bool distil = true)
    {
        var options = TrainingFixtures.TinyOptions();
        options.ClassWeighting = weighting;
        options.EnableDistillation = distil;
        var seen = new List<TrainingProgress>();
        using var result = checkpoint is null
            ? TrainingFixtures.TinyTrainer(options).Fit(TinyImbalanced(), new SynchronousProgress(seen))
            : TrainingFixtures.TinyTrainer(options).Fit(TinyImbalanced(), checkpoint, new SynchronousProgress(seen));
        return seen.Where(p => p.Epoch == 1).ToDictionary(p => (p.Phase, p.Modality), p => p.Loss);
    }

    [Fact]
    public void Every_phase_weights_its_cross_entropy()
    {
        // Phase 1: both runs start from the same seeded initialisation, so their first losses differ only by the weights.
        var plain = FirstEpochLosses(ClassWeighting.None, null);
        var weighted = FirstEpochLosses(ClassWeighting.InverseFrequency, null);
        foreach (var modality in new[] { "clear", "faint", "noise" })
            weighted[(TrainingPhase.Pretraining, modality)].Should().NotBe(plain[(TrainingPhase.Pretraining, modality)], $"phase 1 of {modality}");

        // Distillation, then the joint phase (without distillation, so that it too starts from the checkpoint's state):
        // the runs resume from one unweighted phase-1 checkpoint, so only the weights can tell their first losses apart.
        using var checkpoint = new TrainingCheckpoint();
        var reference = FirstEpochLosses(ClassWeighting.None, checkpoint);
        var resumedPlain = FirstEpochLosses(ClassWeighting.None, checkpoint);
        var resumedWeighted = FirstEpochLosses(ClassWeighting.InverseFrequency, checkpoint);
        var distilled = resumedPlain.Keys.Where(k => k.Item1 == TrainingPhase.Distillation).ToArray();
        distilled.Should().NotBeEmpty("the tiny trainer distils every weak modality");
        foreach (var key in distilled)
        {
            resumedPlain[key].Should().Be(reference[key], "a resumed run repeats the uninterrupted one");
            resumedWeighted[key].Should().NotBe(resumedPlain[key], $"the distillation CE of {key.Item2}");
        }
        var joint = (TrainingPhase.Joint, (string?)null);
        var jointPlain = FirstEpochLosses(ClassWeighting.None, checkpoint, distil: false);
        FirstEpochLosses(ClassWeighting.None, checkpoint, distil: false)[joint].Should().Be(jointPlain[joint], "a resumed run is deterministic");
        FirstEpochLosses(ClassWeighting.InverseFrequency, checkpoint, distil: false)[joint].Should().NotBe(jointPlain[joint], "the joint phase's fused and per-modality CE");
    }

    [Fact]
    public void The_same_seed_gives_the_same_weighted_result()
    {
        var data = TrainingFixtures.ToTrainingData(Imbalanced());
        double[] Fit()
        {
            var options = TrainingFixtures.FastOptions(seed: 3);
            options.PretrainingEpochs = options.JointEpochs = 20;
            options.DistillationEpochs = 10;
            options.ClassWeighting = ClassWeighting.InverseFrequency;
            using var result = TrainingFixtures.Trainer(options).Fit(data);
            return result.PredictedProbabilities.to(ScalarType.Float64).data<double>().ToArray();
        }

        Fit().Should().Equal(Fit());
    }

    [Fact]
    public void Inverse_frequency_weights_count_the_training_rows_only()
    {
        // Two data sets that differ only in three validation labels (rows 21, 23 and 25, class 1 -> 0). Each phase is
        // evaluated only at its last epoch (interval 50), so its one checkpoint is its last state whatever the validation
        // says: only class weights counted on validation rows could tell the runs' training losses apart.
        var plain = TrainingFixtures.Tiny((row, label) => row < 20 && row % 4 == 1 ? 0 : label);
        var relabelled = TrainingFixtures.Tiny((row, label) => row < 20 && row % 4 == 1 ? 0 : row is 21 or 23 or 25 ? 0 : label);
        TrainingFixtures.TinyValidationRows.Should().Contain([21, 23, 25]);
        IReadOnlyList<(TrainingPhase, string?, int, double)> Losses(BalancedTrainingData data)
        {
            var options = TrainingFixtures.TinyOptions();
            options.EnableDistillation = false;
            options.EvaluationInterval = 50;
            options.ClassWeighting = ClassWeighting.InverseFrequency;
            using var result = TrainingFixtures.TinyTrainer(options).Fit(data);
            return result.History.Select(h => (h.Phase, h.Modality, h.Epoch, h.Loss)).ToArray();
        }

        var expected = Losses(plain);
        expected.Should().Contain(h => h.Item1 == TrainingPhase.Joint);
        Losses(relabelled).Should().Equal(expected);
    }

    [Fact]
    public void An_undefined_class_weighting_is_rejected_naming_the_option()
    {
        var act = () => BalancedTrainingOptionsValidator.ThrowIfInvalid(new BalancedTrainingOptions { ClassWeighting = (ClassWeighting)7 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*BalancedTrainingOptions.ClassWeighting must be None or InverseFrequency, got 7*");
    }
}
