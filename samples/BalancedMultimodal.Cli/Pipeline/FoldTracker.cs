using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Follows which fold a stream of progress reports belongs to: the pipeline trains the folds one after another, each
/// starting with phase 1, so a phase-1 report that follows a later-phase report starts the next fold.
/// </summary>
public sealed class FoldTracker
{
    private TrainingPhase? _lastPhase;

    /// <summary>The 1-based fold of the last report (0 before the first).</summary>
    public int Fold { get; private set; }

    /// <summary>Records a report; returns true when it starts a new fold (including the first).</summary>
    public bool Observe(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool starts = _lastPhase is null || (value.Phase == TrainingPhase.Pretraining && _lastPhase != TrainingPhase.Pretraining);
        if (starts) Fold++;
        _lastPhase = value.Phase;
        return starts;
    }
}
