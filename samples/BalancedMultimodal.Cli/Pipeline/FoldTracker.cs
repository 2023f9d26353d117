using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Follows which fold a stream of progress reports belongs to. Fold starts announced explicitly
/// (<see cref="StartFold"/>, from <see cref="IFoldProgress.FoldStarting"/>, as <see cref="TrainingPipeline"/> does) are
/// counted exactly, a fold resumed after phase 1 included; once one has been announced, only announced starts count.
/// Without announcements the start is inferred: the folds are trained one after another, each starting with phase 1,
/// so a phase-1 report that follows a later-phase report starts the next fold (a resumed fold, which reports no
/// phase 1, is then missed).
/// </summary>
public sealed class FoldTracker
{
    private TrainingPhase? _lastPhase;
    private bool _announced;

    /// <summary>The 1-based fold of the last report (0 before the first).</summary>
    public int Fold { get; private set; }

    /// <summary>Records an announced fold start: the next fold begins (<see cref="Fold"/> counts it).</summary>
    public void StartFold()
    {
        Fold++;
        _announced = true;
        _lastPhase = null;
    }

    /// <summary>Records a report; returns true when it starts a new fold that was not announced (including the first).</summary>
    public bool Observe(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool starts = !_announced && (_lastPhase is null || (value.Phase == TrainingPhase.Pretraining && _lastPhase != TrainingPhase.Pretraining));
        if (starts) Fold++;
        _lastPhase = value.Phase;
        return starts;
    }
}
