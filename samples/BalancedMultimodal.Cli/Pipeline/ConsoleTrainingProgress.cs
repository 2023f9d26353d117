using System.Globalization;
using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Plain progress for logs (CI, redirected output): a <c>"fold k/K"</c> line when a fold starts (cross-fitting only),
/// a <see cref="TrainingProgressFormat.ResumedLine"/> when it resumes from a checkpoint, then one
/// <see cref="TrainingProgressFormat.PlainLine"/> at each phase or modality change and every 50 epochs.
/// </summary>
/// <param name="output">Where the lines go.</param>
/// <param name="foldCount">Number of folds the run trains (1: no fold lines).</param>
public sealed class ConsoleTrainingProgress(TextWriter output, int foldCount = 1) : IFoldProgress
{
    private readonly FoldTracker _folds = new();
    private (TrainingPhase Phase, string? Modality)? _current;

    /// <inheritdoc />
    public void FoldStarting(string? resumedFrom)
    {
        _folds.StartFold();
        _current = null;
        if (foldCount > 1)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  fold {_folds.Fold}/{foldCount}"));
        if (resumedFrom is not null)
            output.WriteLine("  " + TrainingProgressFormat.ResumedLine(_folds.Fold, resumedFrom));
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool newFold = _folds.Observe(value);
        if (newFold && foldCount > 1)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  fold {_folds.Fold}/{foldCount}"));
        var key = (value.Phase, value.Modality);
        bool changed = newFold || _current is not { } current || current.Phase != key.Phase || current.Modality != key.Modality;
        _current = key;
        if (!changed && value.Epoch % 50 != 0) return;
        output.WriteLine(TrainingProgressFormat.PlainLine(value));
    }
}
