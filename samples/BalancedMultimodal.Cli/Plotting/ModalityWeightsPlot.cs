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
        var series = Series(folds, modalityNames.Count);
        var plot = PlotStyle.NewPlot();
        foreach (var line in series.Lines)
            PlotStyle.AddLine(plot, line.Epochs, line.Weights, PlotStyle.ModalityColor(line.Modality), line.Fold == 0,
                line.Fold == 0 ? PlotStyle.ModalityLabel(modalityNames[line.Modality]) : null);

        if (series.CheckpointEpoch is int kept)
        {
            var best = plot.Add.VerticalLine(kept);
            best.Color = Colors.Gray;
            best.LinePattern = LinePattern.Dotted;
            best.LineWidth = 1.5f;
            best.LegendText = $"checkpoint kept (fold 1, epoch {kept})";
        }
        string foldNote = PlotStyle.FoldNote(folds.Count);
        plot.Title("Modality loss weights in the joint phase" + foldNote);
        plot.XLabel("joint epoch");
        plot.YLabel("loss weight w_m");
        // From the tenth below the smallest weight (at most 0.9) to above the largest, so changes stay visible.
        double bottom = Math.Max(0, Math.Min(0.9, Math.Floor(series.MinWeight * 10) / 10 - 0.1));
        plot.Axes.SetLimits(0, series.MaxEpoch + 1, bottom, Math.Max(1, series.MaxWeight) + 0.1);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>One plotted line: modality <paramref name="Modality"/>'s loss weight in fold <paramref name="Fold"/>'s
    /// joint phase, at each evaluation step that recorded weights (NaN where a record lists fewer modalities).</summary>
    /// <param name="Fold">Index of the fold in the list given to <see cref="Series"/> (0 is drawn in full colour).</param>
    /// <param name="Modality">Index of the modality (its colour, and its name in the legend).</param>
    /// <param name="Epochs">The joint epochs, ascending (the x values).</param>
    /// <param name="Weights">The weights w_m at those epochs (the y values).</param>
    public sealed record WeightLine(int Fold, int Modality, double[] Epochs, double[] Weights);

    /// <summary>What the figure draws.</summary>
    /// <param name="Lines">The lines in drawing order: the last fold first, so fold 0 is drawn on top; within a fold,
    /// modality 0 first.</param>
    /// <param name="MaxEpoch">The last joint epoch of the axis (the largest epoch or <see cref="TrainingProgress.MaxEpochs"/>
    /// of a plotted record).</param>
    /// <param name="MinWeight">The smallest finite weight plotted (1 when none).</param>
    /// <param name="MaxWeight">The largest finite weight plotted (at least 0).</param>
    /// <param name="CheckpointEpoch">Where the dotted line marks the joint checkpoint fold 0 kept; null when it kept none.</param>
    public sealed record WeightSeries(IReadOnlyList<WeightLine> Lines, int MaxEpoch, double MinWeight, double MaxWeight, int? CheckpointEpoch);

    /// <summary>The plotted series of <see cref="Save"/>, computed without drawing.</summary>
    /// <param name="folds">The folds of a run (at least one; joint-phase records carry the weights).</param>
    /// <param name="modalityCount">The number of modalities (lines per fold).</param>
    /// <exception cref="ArgumentException">When no joint-phase record carries weights.</exception>
    public static WeightSeries Series(IReadOnlyList<FoldOutcome> folds, int modalityCount)
    {
        ArgumentNullException.ThrowIfNull(folds);
        if (folds.Count == 0) throw new ArgumentException("There are no folds to plot.", nameof(folds));
        var lines = new List<WeightLine>();
        int maxEpoch = 0;
        double maxWeight = 0, minWeight = double.PositiveInfinity;
        for (int f = folds.Count - 1; f >= 0; f--)
        {
            var joint = folds[f].History.Where(r => r.Phase == TrainingPhase.Joint && r.Weights is not null).OrderBy(r => r.Epoch).ToArray();
            if (joint.Length == 0) continue;
            var xs = joint.Select(r => (double)r.Epoch).ToArray();
            maxEpoch = Math.Max(maxEpoch, joint.Max(r => Math.Max(r.Epoch, r.MaxEpochs)));
            for (int m = 0; m < modalityCount; m++)
            {
                var ys = joint.Select(r => r.Weights!.Count > m ? r.Weights[m] : double.NaN).ToArray();
                maxWeight = Math.Max(maxWeight, ys.Where(double.IsFinite).DefaultIfEmpty(0).Max());
                minWeight = Math.Min(minWeight, ys.Where(double.IsFinite).DefaultIfEmpty(1).Min());
                lines.Add(new WeightLine(f, m, xs, ys));
            }
        }
        if (maxEpoch == 0) throw new ArgumentException("No joint-phase record carries modality weights; there is nothing to plot.", nameof(folds));
        return new WeightSeries(lines, maxEpoch, minWeight, maxWeight, folds[0].BestJointEpoch > 0 ? folds[0].BestJointEpoch : null);
    }
}
