using System.Globalization;
using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>The text of one progress report, shared by the plain and the live console reporters.</summary>
public static class TrainingProgressFormat
{
    /// <summary>
    /// The plain line: <c>"  {phase,-12} {modality or fused,-10} epoch {e,4}/{max}  loss {loss:F4}  val macro-F1 {f1:F4}"</c>,
    /// followed in the joint phase by <c>"  weights w1 w2 ..."</c> (F2), all with invariant culture.
    /// </summary>
    public static string PlainLine(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Create(CultureInfo.InvariantCulture,
            $"  {value.Phase,-12} {value.Modality ?? "fused",-10} epoch {value.Epoch,4}/{value.MaxEpochs}  loss {value.Loss:F4}  val macro-F1 {value.ValidationScore:F4}{Weights(value)}");
    }

    /// <summary>
    /// The live line: fold, phase, modality, a bar of <paramref name="barWidth"/> cells filled in proportion to
    /// epoch / max, the epoch, loss and validation macro-F1 (and the weights in the joint phase), e.g.
    /// <c>"fold 1/5 Pretraining  1      [######------] 120/300  loss 0.6098  val F1 0.6826"</c>.
    /// </summary>
    public static string LiveLine(TrainingProgress value, int fold, int foldCount, int barWidth = 20)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfLessThan(barWidth, 1);
        double fraction = value.MaxEpochs > 0 ? Math.Clamp((double)value.Epoch / value.MaxEpochs, 0, 1) : 0;
        int filled = (int)Math.Round(fraction * barWidth);
        string bar = new string('#', filled) + new string('-', barWidth - filled);
        string foldText = foldCount > 1 ? $"fold {fold}/{foldCount} " : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{foldText}{value.Phase,-12} {value.Modality ?? "fused",-6} [{bar}] {value.Epoch,4}/{value.MaxEpochs}  loss {value.Loss:F4}  val F1 {value.ValidationScore:F4}{Weights(value)}");
    }

    /// <summary>The line of a fold resumed after phase 1: <c>"fold {fold}: resumed from {checkpointFile} (phase 1 skipped)"</c>.</summary>
    public static string ResumedLine(int fold, string checkpointFile)
    {
        ArgumentNullException.ThrowIfNull(checkpointFile);
        return string.Create(CultureInfo.InvariantCulture, $"fold {fold}: resumed from {checkpointFile} (phase 1 skipped)");
    }

    private static string Weights(TrainingProgress value) =>
        value.Weights is null ? "" : "  weights " + string.Join(" ", value.Weights.Select(w => w.ToString("F2", CultureInfo.InvariantCulture)));
}
