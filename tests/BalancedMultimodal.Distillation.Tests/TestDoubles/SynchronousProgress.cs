using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Distillation.Tests.TestDoubles;

/// <summary>A progress sink that handles every report on the reporting thread, at once (System.Progress posts to a
/// synchronisation context, which would race with the assertions).</summary>
internal sealed class SynchronousProgress(Action<TrainingProgress> handler) : IProgress<TrainingProgress>
{
    /// <summary>A sink that appends every report to <paramref name="reports"/>, then calls <paramref name="onReport"/>.</summary>
    public SynchronousProgress(List<TrainingProgress> reports, Action<TrainingProgress>? onReport = null)
        : this(report =>
        {
            reports.Add(report);
            onReport?.Invoke(report);
        })
    {
        Reports = reports;
    }

    /// <summary>The list given to the recording constructor, else null.</summary>
    public List<TrainingProgress>? Reports { get; }

    public void Report(TrainingProgress value) => handler(value);
}
