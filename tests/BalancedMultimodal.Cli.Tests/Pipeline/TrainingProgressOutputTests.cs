using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

public class TrainingProgressOutputTests
{
    private static TrainingProgress Pre(string modality, int epoch) => new(TrainingPhase.Pretraining, modality, epoch, 300, 0.61234, 0.68261, null, null);

    private static TrainingProgress Joint(int epoch) => new(TrainingPhase.Joint, null, epoch, 300, 2.67094, 0.65031, [0.6, 0.7], [1.0, 1.18]);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public void A_plain_line_names_phase_modality_epoch_loss_and_validation_f1()
    {
        TrainingProgressFormat.PlainLine(Pre("1", 5))
            .Should().Be("  Pretraining  1          epoch    5/300  loss 0.6123  val macro-F1 0.6826");
    }

    [Fact]
    public void A_plain_joint_line_ends_with_the_weights()
    {
        TrainingProgressFormat.PlainLine(Joint(50))
            .Should().Be("  Joint        fused      epoch   50/300  loss 2.6709  val macro-F1 0.6503  weights 1.00 1.18");
    }

    [Fact]
    public void Plain_progress_prints_phase_changes_and_every_50_epochs_only()
    {
        var output = new StringWriter();
        var progress = new ConsoleTrainingProgress(output);

        foreach (var e in new[] { 5, 10, 45, 50, 55 }) progress.Report(Pre("1", e));
        progress.Report(Pre("2", 5));
        progress.Report(Joint(5));

        Lines(output.ToString()).Select(l => l.Split("epoch")[1][..9].Trim()).Should().Equal("5/300", "50/300", "5/300", "5/300");
    }

    [Fact]
    public void Plain_progress_announces_each_fold_when_cross_fitting()
    {
        var output = new StringWriter();
        var progress = new ConsoleTrainingProgress(output, foldCount: 2);

        progress.Report(Pre("1", 5));
        progress.Report(Joint(5));
        progress.Report(Pre("1", 5));

        Lines(output.ToString()).Where(l => l.TrimStart().StartsWith("fold", StringComparison.Ordinal)).Should().Equal("  fold 1/2", "  fold 2/2");
    }

    [Fact]
    public void Plain_progress_counts_announced_folds_including_one_resumed_after_phase_1()
    {
        var output = new StringWriter();
        var progress = new ConsoleTrainingProgress(output, foldCount: 3);

        progress.FoldStarting(null);
        progress.Report(Pre("1", 5));
        progress.Report(Joint(5));
        // A resumed fold reports no phase 1: its first report is a joint one, like the last report of the fold before.
        progress.FoldStarting("/ck/fold1.ckpt");
        progress.Report(Joint(5));
        progress.FoldStarting(null);
        progress.Report(Pre("1", 5));

        Lines(output.ToString()).Select(l => l.Trim()).Should().Equal(
            "fold 1/3", TrainingProgressFormat.PlainLine(Pre("1", 5)).Trim(), TrainingProgressFormat.PlainLine(Joint(5)).Trim(),
            "fold 2/3", "fold 2: resumed from /ck/fold1.ckpt (phase 1 skipped)", TrainingProgressFormat.PlainLine(Joint(5)).Trim(),
            "fold 3/3", TrainingProgressFormat.PlainLine(Pre("1", 5)).Trim());
    }

    [Fact]
    public void Live_progress_starts_a_new_line_for_an_announced_resumed_fold()
    {
        var output = new StringWriter();
        using (var progress = new LiveTrainingProgress(output, foldCount: 2, width: () => 200))
        {
            progress.FoldStarting(null);
            progress.Report(Joint(5));
            progress.FoldStarting("/ck/fold1.ckpt");
            progress.Report(Joint(5));
        }

        var lines = output.ToString().Split(Environment.NewLine);
        lines.Should().HaveCount(4);
        lines[0].Should().StartWith("\rfold 1/2 Joint");
        lines[1].Should().Be("fold 2: resumed from /ck/fold1.ckpt (phase 1 skipped)");
        lines[2].Should().StartWith("\rfold 2/2 Joint");
        lines[3].Should().BeEmpty();
    }

    [Fact]
    public void A_live_line_shows_a_bar_filled_in_proportion_to_the_epoch()
    {
        var line = TrainingProgressFormat.LiveLine(Pre("1", 150), fold: 2, foldCount: 5, barWidth: 10);

        line.Should().Be("fold 2/5 Pretraining  1      [#####-----]  150/300  loss 0.6123  val F1 0.6826");
    }

    [Fact]
    public void Live_progress_redraws_one_line_in_place_until_the_phase_changes()
    {
        var output = new StringWriter();
        using (var progress = new LiveTrainingProgress(output, foldCount: 1, width: () => 200))
        {
            progress.Report(Pre("1", 5));
            progress.Report(Pre("1", 10));
            progress.Report(Joint(5));
        }

        var text = output.ToString();
        var lines = text.Split(Environment.NewLine);
        lines.Should().HaveCount(3, "two finished lines and nothing after the last newline");
        lines[0].Split('\r', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2, "the phase-1 line was drawn twice in place");
        lines[0].Should().Contain("10/300");
        lines[1].Should().Contain("Joint").And.Contain("weights 1.00 1.18");
        lines[2].Should().BeEmpty();
    }

    [Fact]
    public void Live_progress_never_writes_past_the_terminal_width()
    {
        var output = new StringWriter();
        var progress = new LiveTrainingProgress(output, foldCount: 1, width: () => 40);

        progress.Report(Joint(5));

        output.ToString().TrimStart('\r').Length.Should().Be(39);
    }
}
