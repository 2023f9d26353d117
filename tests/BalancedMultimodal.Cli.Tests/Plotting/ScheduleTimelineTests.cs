using BalancedMultimodal.Cli.Plotting;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Plotting;

public class ScheduleTimelineTests
{
    private static TrainingProgress Record(TrainingPhase phase, int epoch, int max) => new(phase, phase == TrainingPhase.Joint ? null : "1", epoch, max, 0.5, 0.5, null, null);

    [Fact]
    public void Phases_follow_each_other_on_one_axis()
    {
        var history = new[] { Record(TrainingPhase.Pretraining, 5, 30), Record(TrainingPhase.Distillation, 5, 20), Record(TrainingPhase.Joint, 10, 40) };

        var timeline = ScheduleTimeline.From([history]);

        timeline.Position(history[0]).Should().Be(5);
        timeline.Position(history[1]).Should().Be(35);
        timeline.Position(history[2]).Should().Be(60);
        timeline.TotalEpochs.Should().Be(90);
    }

    [Fact]
    public void Without_distillation_the_joint_phase_follows_phase_1()
    {
        var history = new[] { Record(TrainingPhase.Pretraining, 5, 30), Record(TrainingPhase.Joint, 5, 40) };

        var timeline = ScheduleTimeline.From([history]);

        timeline.DistillationEpochs.Should().Be(0);
        timeline.Position(history[1]).Should().Be(35);
    }

    [Fact]
    public void A_distillation_phase_in_any_fold_shifts_the_joint_phase_of_every_fold()
    {
        var fold0 = new[] { Record(TrainingPhase.Pretraining, 5, 30), Record(TrainingPhase.Joint, 5, 40) };
        var fold1 = new[] { Record(TrainingPhase.Pretraining, 5, 30), Record(TrainingPhase.Distillation, 5, 20), Record(TrainingPhase.Joint, 5, 40) };

        var timeline = ScheduleTimeline.From([fold0, fold1]);

        timeline.Position(fold0[1]).Should().Be(55);
    }

    [Fact]
    public void An_empty_history_is_rejected()
    {
        var act = () => ScheduleTimeline.From([Array.Empty<TrainingProgress>()]);

        act.Should().Throw<ArgumentException>().WithMessage("The training history is empty*");
    }
}
