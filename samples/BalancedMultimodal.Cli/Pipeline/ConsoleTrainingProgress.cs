using System.Globalization;
using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>Prints one line per phase change and a line every 50 epochs (plain lines suit CI logs).</summary>
public sealed class ConsoleTrainingProgress(TextWriter output) : IProgress<TrainingProgress>
{
    private (TrainingPhase Phase, string? Modality)? _current;

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var key = (value.Phase, value.Modality);
        bool changed = _current is not { } current || current.Phase != key.Phase || current.Modality != key.Modality;
        _current = key;
        if (!changed && value.Epoch % 50 != 0) return;
        var weights = value.Weights is null ? "" : "  weights " + string.Join(" ", value.Weights.Select(w => w.ToString("F2", CultureInfo.InvariantCulture)));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {value.Phase,-12} {value.Modality ?? "fused",-10} epoch {value.Epoch,4}/{value.MaxEpochs}  loss {value.Loss:F4}  val macro-F1 {value.ValidationScore:F4}{weights}"));
    }
}
