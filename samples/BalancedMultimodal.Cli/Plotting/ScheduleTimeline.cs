using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Plotting;

/// <summary>
/// Places every evaluation step of the balanced schedule on one "schedule epoch" axis: phase-1 epochs e map to e,
/// distillation epochs to P + e and joint epochs to P + D + e, where P and D are the largest
/// <see cref="TrainingProgress.MaxEpochs"/> reported for phase 1 and distillation (D = 0 when no modality was
/// distilled). Phase-1 modalities train independently, so they share the axis 1..P.
/// </summary>
public sealed class ScheduleTimeline
{
    private ScheduleTimeline(int pretrainingEpochs, int distillationEpochs, int jointEpochs)
    {
        PretrainingEpochs = pretrainingEpochs;
        DistillationEpochs = distillationEpochs;
        JointEpochs = jointEpochs;
    }

    /// <summary>P: the length of phase 1 on the axis.</summary>
    public int PretrainingEpochs { get; }

    /// <summary>D: the length of the distillation phase on the axis (0 when nothing was distilled).</summary>
    public int DistillationEpochs { get; }

    /// <summary>J: the length of the joint phase on the axis.</summary>
    public int JointEpochs { get; }

    /// <summary>The axis end: P + D + J.</summary>
    public int TotalEpochs => PretrainingEpochs + DistillationEpochs + JointEpochs;

    /// <summary>Builds the axis from the histories of one or more folds.</summary>
    /// <exception cref="ArgumentException">When no history holds any record.</exception>
    public static ScheduleTimeline From(IEnumerable<IReadOnlyList<TrainingProgress>> histories)
    {
        ArgumentNullException.ThrowIfNull(histories);
        var records = histories.SelectMany(h => h).ToArray();
        if (records.Length == 0) throw new ArgumentException("The training history is empty; there is nothing to plot.", nameof(histories));
        int Max(TrainingPhase phase) => records.Where(r => r.Phase == phase).Select(r => Math.Max(r.MaxEpochs, r.Epoch)).DefaultIfEmpty(0).Max();
        return new ScheduleTimeline(Max(TrainingPhase.Pretraining), Max(TrainingPhase.Distillation), Max(TrainingPhase.Joint));
    }

    /// <summary>The first axis position of a phase minus one (the offset added to its 1-based epochs).</summary>
    public int Offset(TrainingPhase phase) => phase switch
    {
        TrainingPhase.Pretraining => 0,
        TrainingPhase.Distillation => PretrainingEpochs,
        TrainingPhase.Joint => PretrainingEpochs + DistillationEpochs,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "Unknown training phase."),
    };

    /// <summary>The axis position of one record: <see cref="Offset"/>(phase) + epoch.</summary>
    public double Position(TrainingProgress record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Offset(record.Phase) + record.Epoch;
    }
}
