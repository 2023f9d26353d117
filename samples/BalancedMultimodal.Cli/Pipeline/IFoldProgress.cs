using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// A progress receiver that is also told where the folds start: <see cref="TrainingPipeline.Run"/> calls
/// <see cref="FoldStarting"/> before each fold model it trains, a fold resumed after phase 1 from a checkpoint
/// included. Such a fold reports no phase-1 progress, so its start cannot be recognised from the reports alone
/// (<see cref="FoldTracker"/>).
/// </summary>
public interface IFoldProgress : IProgress<TrainingProgress>
{
    /// <summary>The next fold model starts.</summary>
    /// <param name="resumedFrom">The checkpoint file the fold resumes from (its phase 1 is skipped), or null when it
    /// trains from the start.</param>
    void FoldStarting(string? resumedFrom);
}
