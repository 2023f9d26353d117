using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The performance gate's chance level in <see cref="BalancedTrainer"/>: the default (null) is macro-F1's 1/C, so a
/// modality scoring no better than chance is not boosted (METHOD.md section 8); an explicit level is used as given.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class BalancedTrainerChanceLevelTests
{
    [Fact]
    public void With_the_default_options_a_modality_at_or_below_chance_keeps_weight_one()
    {
        var options = TrainingFixtures.TinyOptions();
        options.Weighting.PerformanceGated.ChanceLevel.Should().BeNull("the default");

        using var result = TrainingFixtures.TinyTrainer(options).Fit(ClearAndFlat());

        var joint = result.History.Where(h => h.Phase == TrainingPhase.Joint).ToArray();
        joint.Should().NotBeEmpty();
        foreach (var report in joint)
        {
            report.ModalityScores![1].Should().BeLessThanOrEqualTo(0.5, "the flat modality predicts one class: at most chance for two classes");
            report.ModalityScores[0].Should().BeGreaterThan(report.ModalityScores[1], "the clear modality leads, so a gate at 0 would boost the flat one");
            report.Weights![1].Should().Be(1.0, $"epoch {report.Epoch}: a modality at or below 1/C = 0.5 is not boosted");
        }
        result.FinalWeights[1].Should().Be(1.0);
        options.Weighting.PerformanceGated.ChanceLevel.Should().BeNull("the trainer resolves the level on its own copy, not the caller's options");
    }

    [Fact]
    public void An_explicit_chance_level_of_zero_is_honoured_and_boosts_the_lagging_modality()
    {
        var options = TrainingFixtures.TinyOptions();
        options.Weighting.PerformanceGated.ChanceLevel = 0;

        using var result = TrainingFixtures.TinyTrainer(options).Fit(ClearAndFlat());

        var joint = result.History.Where(h => h.Phase == TrainingPhase.Joint).ToArray();
        joint.Should().Contain(r => r.Weights![1] > 1.5, "with chance level 0 only a zero score is at chance: the flat modality (about 0.33) is boosted");
        options.Weighting.PerformanceGated.ChanceLevel.Should().Be(0);
    }

    /// <summary>Two classes alternating over 40 rows (the rows of <see cref="TrainingFixtures.Tiny"/>): "clear", three
    /// standard-normal features whose first adds 1.5 (2 class - 1), and "flat", three features that are zero on every
    /// labelled row, so its head sees the same input for every validation row and predicts one class (validation macro-F1
    /// 1/3 on the balanced validation rows).</summary>
    private static BalancedTrainingData ClearAndFlat()
    {
        const int n = 40;
        using var generator = new Generator(11);
        var signal = Enumerable.Range(0, n).Select(i => (long)(i % 2)).ToArray();
        using var direction = tensor(signal.Select(c => 2f * c - 1f).ToArray());
        var clear = randn(n, 3, generator: generator);
        using (var column = clear[.., 0])
        using (var shift = direction * 1.5f)
            column.add_(shift);
        // Zero on the labelled rows 0-31 (training and validation) and varying only on the unlabelled rows 32-39, which
        // no loss reads: a modality may not be constant on every row.
        var flat = zeros(n, 3);
        using (var unlabelled = flat[32.., ..])
        using (var values = randn(n - 32, 3, generator: generator))
            unlabelled.copy_(values);
        return new BalancedTrainingData(["clear", "flat"], [clear, flat], tensor(signal), 2, TrainingFixtures.TinyTrainRows, TrainingFixtures.TinyValidationRows);
    }
}
