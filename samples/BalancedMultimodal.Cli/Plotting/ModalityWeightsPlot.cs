using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Distillation.Training;
using ScottPlot;

namespace BalancedMultimodal.Cli.Plotting;

/// <summary>
/// <c>modality_weights.png</c>: the performance-gated loss weight w_m of each modality at every evaluation step of the
/// joint phase (the <see cref="TrainingProgress.Weights"/> set at each evaluation, which train the epochs after it), with a dotted line at the epoch whose checkpoint
/// was kept for fold 0. Fold 0 in full colour; other folds faint.
/// </summary>
public static class ModalityWeightsPlot
{
    /// <summary>Width of the PNG in pixels.</summary>
    public const int Width = 1000;

    /// <summary>Height of the PNG in pixels.</summary>
    public const int Height = 600;

    /// <summary>Writes the figure.</summary>
    /// <param name="folds">The folds of a run (at least one; joint-phase records carry the weights).</param>
    /// <param name="modalityNames">The modality names, in the order of the weight lists.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <exception cref="ArgumentException">When no joint-phase record carries weights.</exception>
    public static void Save(IReadOnlyList<FoldOutcome> folds, IReadOnlyList<string> modalityNames, string path)
    {
        ArgumentNullException.ThrowIfNull(folds);
        ArgumentNullException.ThrowIfNull(modalityNames);
        if (folds.Count == 0) throw new ArgumentException("There are no folds to plot.", nameof(folds));
        PlotStyle.PrepareOutput(path);
        var plot = PlotStyle.NewPlot();
        int maxEpoch = 0;
        double maxWeight = 0, minWeight = double.PositiveInfinity;
        for (int f = folds.Count - 1; f >= 0; f--)
        {
            var joint = folds[f].History.Where(r => r.Phase == TrainingPhase.Joint && r.Weights is not null).OrderBy(r => r.Epoch).ToArray();
            if (joint.Length == 0) continue;
            var xs = joint.Select(r => (double)r.Epoch).ToArray();
            maxEpoch = Math.Max(maxEpoch, joint.Max(r => Math.Max(r.Epoch, r.MaxEpochs)));
            for (int m = 0; m < modalityNames.Count; m++)
            {
                var ys = joint.Select(r => r.Weights!.Count > m ? r.Weights[m] : double.NaN).ToArray();
                maxWeight = Math.Max(maxWeight, ys.Where(double.IsFinite).DefaultIfEmpty(0).Max());
                minWeight = Math.Min(minWeight, ys.Where(double.IsFinite).DefaultIfEmpty(1).Min());
                PlotStyle.AddLine(plot, xs, ys, PlotStyle.ModalityColor(m), f == 0, f == 0 ? PlotStyle.ModalityLabel(modalityNames[m]) : null);
            }
        }
        if (maxEpoch == 0) throw new ArgumentException("No joint-phase record carries modality weights; there is nothing to plot.", nameof(folds));

        if (folds[0].BestJointEpoch > 0)
        {
            var best = plot.Add.VerticalLine(folds[0].BestJointEpoch);
            best.Color = Colors.Gray;
            best.LinePattern = LinePattern.Dotted;
            best.LineWidth = 1.5f;
            best.LegendText = $"checkpoint kept (fold 1, epoch {folds[0].BestJointEpoch})";
        }
        string foldNote = PlotStyle.FoldNote(folds.Count);
        plot.Title("Modality loss weights in the joint phase" + foldNote);
        plot.XLabel("joint epoch");
        plot.YLabel("loss weight w_m");
        // From the tenth below the smallest weight (at most 0.9) to above the largest, so changes stay visible.
        double bottom = Math.Max(0, Math.Min(0.9, Math.Floor(minWeight * 10) / 10 - 0.1));
        plot.Axes.SetLimits(0, maxEpoch + 1, bottom, Math.Max(1, maxWeight) + 0.1);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width, Height);
    }
}
