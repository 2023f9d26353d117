using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>What every epoch of a phase does on the tiny fixture: it trains in training mode (dropout on) whatever
/// was evaluated before it, it honours a cancellation, and the joint phase trains what its options say.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class BalancedTrainerPhaseTests
{
    [Fact]
    public void Evaluating_between_pretraining_epochs_does_not_change_their_training()
    {
        // Evaluation runs in eval mode without drawing from the generator; the next epoch must switch dropout back on.
        double LastPretrainingLoss(int interval)
        {
            var options = TrainingFixtures.TinyOptions();
            options.EnableDistillation = false;
            options.PretrainingEpochs = 4;
            options.JointEpochs = 1;
            options.EvaluationInterval = interval;
            options.HeadDropout = 0.3;
            using var result = TrainingFixtures.TinyTrainer(options, dropout: 0.3).Fit(TrainingFixtures.Tiny());
            // The first modality: the later ones start after an evaluation in either run.
            return result.History.Last(h => h.Phase == TrainingPhase.Pretraining && h.Modality == "clear").Loss;
        }

        LastPretrainingLoss(1).Should().Be(LastPretrainingLoss(4));
    }

    [Theory]
    [InlineData(TrainingPhase.Distillation, 2)]
    [InlineData(TrainingPhase.Joint, 0)]   // no phase 1b, so both runs enter the joint phase in the same state
    public void Distillation_and_joint_epochs_train_with_dropout_on(TrainingPhase phase, int distillationEpochs)
    {
        // The same phase-1 state resumed by a trainer with dropout and by one without: the phase's first step (after an
        // evaluation in eval mode) must differ, as dropout acts in training mode.
        var data = TrainingFixtures.Tiny();
        BalancedTrainingOptions Options(double dropout)
        {
            var options = TrainingFixtures.TinyOptions();
            options.PretrainingEpochs = options.JointEpochs = 2;
            options.DistillationEpochs = distillationEpochs;
            options.HeadDropout = dropout;
            return options;
        }
        using var checkpoint = new TrainingCheckpoint();
        using (TrainingFixtures.TinyTrainer(Options(0.3), dropout: 0.3).Fit(data, checkpoint)) { }

        using var dropped = TrainingFixtures.TinyTrainer(Options(0.3), dropout: 0.3).Fit(data, checkpoint);
        using var plain = TrainingFixtures.TinyTrainer(Options(0)).Fit(data, checkpoint);

        dropped.History.First(h => h.Phase == phase).Loss.Should().NotBe(plain.History.First(h => h.Phase == phase).Loss, $"{phase} trains with dropout");
    }

    [Theory]
    [InlineData(TrainingPhase.Distillation)]
    [InlineData(TrainingPhase.Joint)]
    public void A_cancellation_during_a_phase_stops_it_before_its_next_epoch(TrainingPhase phase)
    {
        using var cancellation = new CancellationTokenSource();
        var reports = new List<TrainingProgress>();
        var progress = new SynchronousProgress(p =>
        {
            reports.Add(p);
            if (p.Phase == phase) cancellation.Cancel();
        });

        var act = () => TrainingFixtures.TinyTrainer(TrainingFixtures.TinyOptions()).Fit(TrainingFixtures.Tiny(), progress, cancellation.Token);

        act.Should().Throw<OperationCanceledException>();
        reports.Where(r => r.Phase == phase).Should().ContainSingle();
        reports.Should().NotContain(r => r.Phase > phase);
    }

    [Fact]
    public void The_joint_distillation_terms_ignore_the_cross_entropy_weight_of_phase_1b()
    {
        // The students' cross-entropy is already in the multitask loss: the joint pairs add only KL and representation.
        float[] Fused(double crossEntropyWeight)
        {
            var options = TrainingFixtures.TinyOptions();
            options.DistillationEpochs = 0;
            options.Distillation.CrossEntropyWeight = crossEntropyWeight;
            options.Distillation.RepresentationWeight = 0;
            using var result = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny());
            result.Plan!.Students.Should().NotBeEmpty();
            return result.FusedProbabilities.data<float>().ToArray();
        }

        Fused(1.0).Should().Equal(Fused(0.0));
    }

    [Fact]
    public void The_learned_uncertainty_weights_are_trained_in_the_joint_phase()
    {
        var options = TrainingFixtures.TinyOptions();
        options.EnableDistillation = false;
        options.Weighting.Policy = ModalityWeightingPolicy.Uncertainty;

        using var result = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny());

        var joint = result.History.Where(h => h.Phase == TrainingPhase.Joint).ToArray();
        joint[^1].Weights.Should().NotEqual(joint[0].Weights, "the optimiser moves the log-variances");
    }

    [Fact]
    public void The_uncertainty_log_variances_are_not_weight_decayed()
    {
        // METHOD.md's objective is sum_m exp(-s_m) L_m + s_m; with the model's weight decay on s as well, a strong decay
        // (1e4 here) would hold every s_m at 0 and every weight exp(-s_m) at 1. Without it the losses (below 1 nat)
        // pull s_m below 0 at about the learning rate per step.
        var options = TrainingFixtures.TinyOptions();
        options.EnableDistillation = false;
        options.Weighting.Policy = ModalityWeightingPolicy.Uncertainty;
        options.WeightDecay = 1e4;

        using var result = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny());

        var joint = result.History.Where(h => h.Phase == TrainingPhase.Joint).ToArray();
        joint[^1].Weights.Should().OnlyContain(w => w > 1.15, "the log-variances move freely under the decayed model weights");
    }
}
