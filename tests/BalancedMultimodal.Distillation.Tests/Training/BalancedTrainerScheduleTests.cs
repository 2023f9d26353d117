using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The schedule's decisions on the tiny fixture: when it evaluates, when it stops, which checkpoint it keeps
/// and which weights it reports (METHOD.md sections 6-8). No dropout anywhere, so a run is a deterministic function of
/// its options, and a shorter run reproduces a longer one's early epochs exactly.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class BalancedTrainerScheduleTests
{
    /// <summary>The validation labels are the flipped signal classes, so fitting the training rows drives validation
    /// away: each phase's best epoch comes early and early stopping ends it.</summary>
    private static BalancedTrainingData Contradicting() =>
        TrainingFixtures.Tiny((row, signal) => row is >= 20 and < 32 ? 1 - signal : signal);

    [Fact]
    public void Evaluation_steps_fall_on_every_interval_and_on_each_phases_last_epoch()
    {
        var options = TrainingFixtures.TinyOptions();
        options.PretrainingEpochs = 7;
        options.DistillationEpochs = 5;
        options.JointEpochs = 5;
        options.EvaluationInterval = 3;
        using var result = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny());

        var students = result.Plan!.Students.Select(s => s.Name).ToArray();
        students.Should().Equal("faint", "noise");   // delta 0 and every pair dependent: every modality below the best
        var expected = new[] { "clear", "faint", "noise" }.SelectMany(m => new[] { 3, 6, 7 }.Select(e => (TrainingPhase.Pretraining, (string?)m, e, 7)))
            .Concat(students.SelectMany(m => new[] { 3, 5 }.Select(e => (TrainingPhase.Distillation, (string?)m, e, 5))))
            .Concat(new[] { 3, 5 }.Select(e => (TrainingPhase.Joint, (string?)null, e, 5)));
        result.History.Select(h => (h.Phase, h.Modality, h.Epoch, h.MaxEpochs)).Should().Equal(expected);
        result.History.Where(h => h.Phase != TrainingPhase.Joint).Should().OnlyContain(h => h.ModalityScores == null && h.Weights == null);
        result.History.Where(h => h.Phase == TrainingPhase.Joint).Should().OnlyContain(h => h.ModalityScores!.Count == 3 && h.Weights!.Count == 3);
    }

    [Fact]
    public void Each_phase_stops_patience_epochs_after_its_best_and_keeps_the_best_state()
    {
        var data = Contradicting();
        var stopping = TrainingFixtures.TinyOptions();
        stopping.EnableDistillation = false;
        stopping.PretrainingEpochs = stopping.JointEpochs = 20;
        stopping.Patience = 3;
        // Without early stopping, phase 1 ends at epoch 3, the best epoch of every modality here (1, 3 and 3), and the
        // joint phase after its first epoch, its best: the same states the stopped run must restore.
        var short_ = TrainingFixtures.TinyOptions();
        short_.EnableDistillation = false;
        short_.PretrainingEpochs = 3;
        short_.JointEpochs = 1;

        using var stopped = TrainingFixtures.TinyTrainer(stopping).Fit(data);
        using var reference = TrainingFixtures.TinyTrainer(short_).Fit(data);

        foreach (var (modality, best) in new[] { ("clear", 1), ("faint", 3), ("noise", 3) })
        {
            var reports = stopped.History.Where(h => h.Phase == TrainingPhase.Pretraining && h.Modality == modality).ToArray();
            reports.Should().ContainSingle(h => h.ValidationScore == reports.Max(r => r.ValidationScore)).Which.Epoch.Should().Be(best);
            reports.Select(h => h.Epoch).Should().Equal(Enumerable.Range(1, best + 3), $"{modality} stops 3 epochs after its best epoch {best}");
        }
        var joint = stopped.History.Where(h => h.Phase == TrainingPhase.Joint).ToArray();
        joint.Select(h => h.Epoch).Should().Equal(1, 2, 3, 4);
        joint.Should().ContainSingle(h => h.ValidationScore == joint.Max(r => r.ValidationScore)).Which.Epoch.Should().Be(1);
        stopped.BestJointEpoch.Should().Be(1);
        stopped.PretrainingScores.Should().Equal(reference.PretrainingScores);
        stopped.FusedValidationScore.Should().Be(reference.FusedValidationScore);
        stopped.FusedProbabilities.data<float>().ToArray().Should().Equal(reference.FusedProbabilities.data<float>().ToArray());
    }

    [Theory]
    [InlineData(PredictionSource.FusedHead)]
    [InlineData(PredictionSource.AllHeads)]
    public void The_joint_checkpoint_is_the_best_validation_macro_f1_and_on_a_tie_the_lowest_validation_loss(PredictionSource source)
    {
        // With one pretraining epoch (always evaluated) and uniform weights, evaluating changes nothing in training, so
        // a run of e joint epochs evaluated only at its end holds the state of epoch e of the full run. Two mislabelled
        // validation rows make the validation loss turn while the macro-F1 stays: the best macro-F1 is reached at several
        // epochs (fused head: 6 and 7; pooled heads: 6 to 10, the loss lowest at 9).
        var data = TrainingFixtures.Tiny((row, signal) => row is 20 or 21 ? 1 - signal : signal);
        BalancedTrainingOptions Options(int jointEpochs, int interval)
        {
            var options = TrainingFixtures.TinyOptions();
            options.EnableDistillation = false;
            options.PretrainingEpochs = 1;
            options.JointEpochs = jointEpochs;
            options.EvaluationInterval = interval;
            options.Prediction = source;
            options.Weighting.Policy = ModalityWeightingPolicy.Uniform;
            return options;
        }
        const int epochs = 10;
        var states = new List<(int Epoch, double Score, double Loss, float[] Fused)>();
        for (int e = 1; e <= epochs; e++)
        {
            using var run = TrainingFixtures.TinyTrainer(Options(e, epochs)).Fit(data);
            run.BestJointEpoch.Should().Be(e, "a single evaluation is the only candidate");
            states.Add((e, run.FusedValidationScore, ValidationLoss(data, run.PredictedProbabilities), run.FusedProbabilities.data<float>().ToArray()));
        }

        using var full = TrainingFixtures.TinyTrainer(Options(epochs, 1)).Fit(data);

        var expected = states.OrderByDescending(s => s.Score).ThenBy(s => s.Loss).ThenBy(s => s.Epoch).First();
        states.Count(s => s.Score == expected.Score).Should().BeGreaterThan(1, "the test needs a tie on the best macro-F1");
        full.History.Where(h => h.Phase == TrainingPhase.Joint).Select(h => h.ValidationScore).Should().Equal(states.Select(s => s.Score));
        full.BestJointEpoch.Should().Be(expected.Epoch);
        full.FusedValidationScore.Should().Be(expected.Score);
        full.FusedProbabilities.data<float>().ToArray().Should().Equal(expected.Fused);
    }

    [Fact]
    public void The_weights_follow_the_gate_fed_with_each_evaluations_modality_scores_and_the_final_ones_are_the_best_checkpoints()
    {
        var options = TrainingFixtures.TinyOptions();
        options.JointEpochs = 8;
        options.EvaluationInterval = 2;
        // An explicit level 0 (used as given by the trainer and the replaying gate alike), so that the noise modality, at
        // or below the default's 1/C = 0.5, is boosted too and the weights move.
        options.Weighting.PerformanceGated.ChanceLevel = 0;
        using var result = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny());

        var joint = result.History.Where(h => h.Phase == TrainingPhase.Joint).ToArray();
        var gate = new ModalityLossWeighterFactory(options.Weighting).Create(3);
        foreach (var report in joint)
        {
            gate.Update(report.ModalityScores!);
            report.Weights.Should().Equal(gate.Weights, $"epoch {report.Epoch}'s weights are the gate's after its scores");
        }
        joint.Select(h => h.Weights).Distinct(new SequenceComparer()).Should().HaveCountGreaterThan(1, "the weights move during the phase");
        var best = joint.Single(h => h.Epoch == result.BestJointEpoch);
        result.FusedValidationScore.Should().Be(best.ValidationScore);
        result.FinalModalityScores.Should().Equal(best.ModalityScores);
        result.FinalWeights.Should().Equal(best.Weights);
    }

    /// <summary>The contradicting set with distillation off, 3 phase-1 epochs and up to 20 joint epochs stopped 3 epochs
    /// after the best: the run ends after its best joint epoch.</summary>
    private static BalancedTrainingOptions EarlyStopping(PredictionSource source)
    {
        var options = TrainingFixtures.TinyOptions();
        options.EnableDistillation = false;
        options.PretrainingEpochs = 3;
        options.JointEpochs = 20;
        options.Patience = 3;
        options.Prediction = source;
        // Explicit level 0, so that every modality is boosted and the weights move between evaluations.
        options.Weighting.PerformanceGated.ChanceLevel = 0;
        return options;
    }

    [Fact]
    public void After_an_early_stop_the_final_weights_and_modality_scores_are_the_best_checkpoints_not_the_last_evaluations()
    {
        using var result = TrainingFixtures.TinyTrainer(EarlyStopping(PredictionSource.FusedHead)).Fit(Contradicting());

        var joint = result.History.Where(h => h.Phase == TrainingPhase.Joint).ToArray();
        var best = joint.Single(h => h.Epoch == result.BestJointEpoch);
        var last = joint[^1];
        last.Epoch.Should().BeGreaterThan(best.Epoch, "the run stops after its best epoch");
        (last.Weights!.SequenceEqual(best.Weights!) && last.ModalityScores!.SequenceEqual(best.ModalityScores!)).Should()
            .BeFalse("the last evaluation's weights or scores must differ from the best's for the test to tell them apart");
        result.FinalWeights.Should().Equal(best.Weights);
        result.FinalModalityScores.Should().Equal(best.ModalityScores);
    }

    [Fact]
    public void After_an_early_stop_the_pooling_weights_are_those_of_the_best_checkpoint()
    {
        var data = Contradicting();
        var options = EarlyStopping(PredictionSource.AllHeadsValidationWeighted);
        options.FinalPoolingRule = null;
        using var result = TrainingFixtures.TinyTrainer(options).Fit(data);

        var joint = result.History.Where(h => h.Phase == TrainingPhase.Joint).ToArray();
        joint[^1].Epoch.Should().BeGreaterThan(result.BestJointEpoch, "the run stops after its best epoch");
        using var scope = NewDisposeScope();
        var rows = tensor(data.ValidationRows.Select(r => (long)r).ToArray());
        var labels = tensor(data.ValidationRows.Select(r => data.LabelValues[r]).ToArray());
        var network = result.Network;
        network.eval();
        double[] expected;
        using (no_grad())
        {
            var outputs = network.Forward(data.Features);
            var heads = new[] { outputs.FusedLogits }.Concat(outputs.ModalityLogits).Select(z => z.index_select(0, rows)).ToArray();
            expected = HeadPoolingWeights.FromValidation(heads, labels, options.PoolingRule, options.PoolingWeightShrinkage);
        }
        result.PoolingWeights.Should().NotBeNull();
        result.PoolingWeights!.Should().HaveCount(expected.Length);
        for (int h = 0; h < expected.Length; h++)
            result.PoolingWeights![h].Should().BeApproximately(expected[h], 1e-9, $"head {h}'s weight is measured on the restored best checkpoint");
        var predictions = result.PredictedProbabilities.index_select(0, rows).argmax(1).data<long>().Select(v => (int)v).ToArray();
        ClassificationMetrics.MacroF1(data.ValidationRows.Select(r => (int)data.LabelValues[r]).ToArray(), predictions)
            .Should().Be(result.FusedValidationScore);
    }

    /// <summary>-mean log p_y over the validation rows (the checkpoint's tie-break; for the fused head equal to the
    /// cross-entropy of its logits up to rounding).</summary>
    private static double ValidationLoss(BalancedTrainingData data, Tensor probabilities)
    {
        using var scope = NewDisposeScope();
        var rows = tensor(data.ValidationRows.Select(r => (long)r).ToArray());
        var labels = tensor(data.ValidationRows.Select(r => data.LabelValues[r]).ToArray());
        return nn.functional.nll_loss(probabilities.index_select(0, rows).to(ScalarType.Float64).clamp_min(1e-12).log(), labels).item<double>();
    }

    private sealed class SequenceComparer : IEqualityComparer<IReadOnlyList<double>?>
    {
        public bool Equals(IReadOnlyList<double>? x, IReadOnlyList<double>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(IReadOnlyList<double>? obj) => obj!.Count;
    }
}
