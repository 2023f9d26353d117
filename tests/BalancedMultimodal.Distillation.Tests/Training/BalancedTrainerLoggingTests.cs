using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The trainer's logger gets each phase's summary at Information and every evaluation step at Debug, with the
/// values the result reports.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class BalancedTrainerLoggingTests
{
    private static string F4(double value) => value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);

    private static string Scores(IReadOnlyList<double> values) => $"clear {F4(values[0])}, faint {F4(values[1])}, noise {F4(values[2])}";

    [Fact]
    public void Each_phase_logs_its_summary_and_each_evaluation_its_step()
    {
        var options = TrainingFixtures.TinyOptions();
        options.PretrainingEpochs = options.JointEpochs = 2;
        options.DistillationEpochs = 1;
        var logger = new RecordingLogger<BalancedTrainer>();
        var trainer = new BalancedTrainer(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [4], Dropout = 0 }),
            new ConstantMutualInformationEstimator(1.0), Options.Create(options), logger);

        using var result = trainer.Fit(TrainingFixtures.Tiny());

        var information = logger.Entries.Where(e => e.Level == LogLevel.Information).Select(e => e.Message).ToArray();
        var students = result.Plan!.Students;
        students.Should().NotBeEmpty();
        information.Should().Equal(new[] { $"Phase 1 validation macro-F1: {Scores(result.PretrainingScores)}", $"Distillation plan:\n{result.Plan}" }
            .Concat(students.Select(s => $"Distilled {result.ModalityNames[s.TeacherIndex!.Value]} -> {s.Name}: validation macro-F1 " +
                $"{F4(result.PretrainingScores[s.Index])} -> {F4(result.DistilledScores[s.Index])}"))
            .Append($"Phase 2 best fused validation macro-F1 {F4(result.FusedValidationScore)} at epoch {result.BestJointEpoch}; weights {Scores(result.FinalWeights)}"));
        var first = result.History[0];
        logger.Entries.Where(e => e.Level == LogLevel.Debug).Select(e => e.Message).Should().HaveCount(result.History.Count)
            .And.StartWith($"Pretraining clear epoch 1/2: loss {F4(first.Loss)}, validation macro-F1 {F4(first.ValidationScore)}")
            .And.EndWith($"Joint fused epoch 2/2: loss {F4(result.History[^1].Loss)}, validation macro-F1 {F4(result.History[^1].ValidationScore)}");
    }

    [Fact]
    public void A_resumed_run_logs_that_it_resumed_with_the_saved_scores()
    {
        var options = TrainingFixtures.TinyOptions();
        options.PretrainingEpochs = options.JointEpochs = 2;
        options.EnableDistillation = false;
        var logger = new RecordingLogger<BalancedTrainer>();
        var trainer = new BalancedTrainer(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [4], Dropout = 0 }),
            new ConstantMutualInformationEstimator(1.0), Options.Create(options), logger);
        using var checkpoint = new TrainingCheckpoint();
        using (trainer.Fit(TrainingFixtures.Tiny(), checkpoint)) { }
        logger.Entries.Clear();

        using var resumed = trainer.Fit(TrainingFixtures.Tiny(), checkpoint);

        logger.Entries.Where(e => e.Level == LogLevel.Information).Select(e => e.Message).First()
            .Should().Be($"Resumed after phase 1 from the checkpoint; validation macro-F1: {Scores(checkpoint.PretrainingScores)}");
    }
}
