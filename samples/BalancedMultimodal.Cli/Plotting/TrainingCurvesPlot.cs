using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Distillation.Training;
using ScottPlot;

namespace BalancedMultimodal.Cli.Plotting;

/// <summary>
/// <c>training_curves.png</c>: two panels over the schedule axis of <see cref="ScheduleTimeline"/> (phase 1, then
/// distillation, then the joint phase, separated by dashed lines). Left: the training loss of each modality in phase 1
/// and distillation (each modality's own cross-entropy, or the distillation objective of a student), and the joint
/// phase's total weighted multitask loss (black). Right: each modality head's validation macro-F1 (phase 1,
/// distillation, and in the joint phase the per-modality scores) and the validation macro-F1 of the final prediction
/// (black; the validation-weighted pooled heads by default, the fused head with <c>FusedHead</c>).
/// Fold 0 is drawn in full colour; the other folds, when cross-fitting, as faint lines of the same colours.
/// </summary>
public static class TrainingCurvesPlot
{
    /// <summary>Width of the PNG in pixels.</summary>
    public const int Width = 1600;

    /// <summary>Height of the PNG in pixels.</summary>
    public const int Height = 620;

    /// <summary>Writes the figure.</summary>
    /// <param name="folds">The folds of a run (at least one, with a non-empty history).</param>
    /// <param name="modalityNames">The modality names, in the order of the joint phase's score and weight lists.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void Save(IReadOnlyList<FoldOutcome> folds, IReadOnlyList<string> modalityNames, string path)
    {
        ArgumentNullException.ThrowIfNull(folds);
        ArgumentNullException.ThrowIfNull(modalityNames);
        if (folds.Count == 0) throw new ArgumentException("There are no folds to plot.", nameof(folds));
        PlotStyle.PrepareOutput(path);
        var timeline = ScheduleTimeline.From(folds.Select(f => f.History));

        var loss = PlotStyle.NewPlot();
        var score = PlotStyle.NewPlot();
        // Faint folds first, so fold 0 is drawn on top (Series lists them in that order).
        foreach (var line in Lines(folds, modalityNames, timeline))
            PlotStyle.AddLine(line.Panel == CurvePanel.Loss ? loss : score, line.Positions, line.Values,
                line.Modality is int m ? PlotStyle.ModalityColor(m) : PlotStyle.FusedColor, line.Fold == 0, line.Legend);

        string foldNote = PlotStyle.FoldNote(folds.Count);
        double maxLoss = folds.SelectMany(f => f.History).Select(r => r.Loss).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        Decorate(loss, timeline, "Training loss" + foldNote, "loss", 0, maxLoss * 1.12);
        // The F1 axis starts at the tenth below the lowest score (not at 0), so the curves use the panel's height.
        double minScore = folds.SelectMany(f => f.History)
            .SelectMany(r => (r.ModalityScores ?? []).Append(r.ValidationScore)).Where(double.IsFinite).DefaultIfEmpty(0).Min();
        Decorate(score, timeline, "Validation macro-F1" + foldNote, "validation macro-F1", Math.Max(0, Math.Floor(minScore * 10) / 10 - 0.05), 1.04);
        // One legend (the colours are shared): right of the second panel.
        score.ShowLegend(Edge.Right);

        var figure = new Multiplot();
        figure.Reset(loss);
        figure.AddPlot(score);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        figure.SavePng(path, Width, Height);
    }

    /// <summary>The panel a <see cref="CurveLine"/> is drawn on.</summary>
    public enum CurvePanel
    {
        /// <summary>The left panel: training losses.</summary>
        Loss,

        /// <summary>The right panel: validation macro-F1.</summary>
        Score,
    }

    /// <summary>One plotted line.</summary>
    /// <param name="Fold">Index of the fold in the list given to <see cref="Series"/> (0 is drawn in full colour).</param>
    /// <param name="Panel">The panel it is drawn on.</param>
    /// <param name="Modality">Index of the modality whose colour it takes; null for the joint phase's total loss and the
    /// final prediction's score (black).</param>
    /// <param name="Phase">The phase of its records.</param>
    /// <param name="Positions">The records' positions on the schedule axis (<see cref="ScheduleTimeline.Position"/>), by epoch.</param>
    /// <param name="Values">The loss or validation macro-F1 at those positions.</param>
    /// <param name="Legend">The legend entry, or null.</param>
    public sealed record CurveLine(int Fold, CurvePanel Panel, int? Modality, TrainingPhase Phase, double[] Positions, double[] Values, string? Legend);

    /// <summary>The lines <see cref="Save"/> draws, computed without drawing, on the schedule axis of
    /// <see cref="ScheduleTimeline.From"/> over the folds' histories.</summary>
    /// <param name="folds">The folds of a run (at least one, with a non-empty history).</param>
    /// <param name="modalityNames">The modality names, in the order of the joint phase's score lists.</param>
    /// <returns>The lines in drawing order: the last fold first, so fold 0 is drawn on top; within a fold, per modality its
    /// phase-1 and distillation loss and score and its joint-phase score, then the joint total loss and the final
    /// prediction's score.</returns>
    public static IReadOnlyList<CurveLine> Series(IReadOnlyList<FoldOutcome> folds, IReadOnlyList<string> modalityNames)
    {
        ArgumentNullException.ThrowIfNull(folds);
        ArgumentNullException.ThrowIfNull(modalityNames);
        if (folds.Count == 0) throw new ArgumentException("There are no folds to plot.", nameof(folds));
        return Lines(folds, modalityNames, ScheduleTimeline.From(folds.Select(f => f.History)));
    }

    private static List<CurveLine> Lines(IReadOnlyList<FoldOutcome> folds, IReadOnlyList<string> names, ScheduleTimeline timeline)
    {
        var lines = new List<CurveLine>();
        for (int f = folds.Count - 1; f >= 0; f--)
        {
            bool main = f == 0;
            var history = folds[f].History;
            for (int m = 0; m < names.Count; m++)
            {
                bool legendGiven = false;
                foreach (var phase in new[] { TrainingPhase.Pretraining, TrainingPhase.Distillation })
                {
                    var records = history.Where(r => r.Phase == phase && r.Modality == names[m]).OrderBy(r => r.Epoch).ToArray();
                    if (records.Length == 0) continue;
                    var xs = records.Select(timeline.Position).ToArray();
                    string? legend = main && !legendGiven ? PlotStyle.ModalityLabel(names[m]) : null;
                    lines.Add(new CurveLine(f, CurvePanel.Loss, m, phase, xs, records.Select(r => r.Loss).ToArray(), null));
                    lines.Add(new CurveLine(f, CurvePanel.Score, m, phase, xs, records.Select(r => r.ValidationScore).ToArray(), legend));
                    legendGiven = true;
                }
                var joint = history.Where(r => r.Phase == TrainingPhase.Joint && r.ModalityScores is { } s && s.Count > m).OrderBy(r => r.Epoch).ToArray();
                if (joint.Length > 0)
                    lines.Add(new CurveLine(f, CurvePanel.Score, m, TrainingPhase.Joint, joint.Select(timeline.Position).ToArray(),
                        joint.Select(r => r.ModalityScores![m]).ToArray(), main && !legendGiven ? PlotStyle.ModalityLabel(names[m]) : null));
            }
            var fused = history.Where(r => r.Phase == TrainingPhase.Joint).OrderBy(r => r.Epoch).ToArray();
            if (fused.Length == 0) continue;
            var fusedXs = fused.Select(timeline.Position).ToArray();
            lines.Add(new CurveLine(f, CurvePanel.Loss, null, TrainingPhase.Joint, fusedXs, fused.Select(r => r.Loss).ToArray(), null));
            lines.Add(new CurveLine(f, CurvePanel.Score, null, TrainingPhase.Joint, fusedXs, fused.Select(r => r.ValidationScore).ToArray(),
                main ? "joint total loss /\nfinal prediction F1" : null));
        }
        return lines;
    }

    private static void Decorate(Plot plot, ScheduleTimeline timeline, string title, string yLabel, double yMin, double yMax)
    {
        plot.Title(title);
        plot.XLabel("schedule epoch (phase 1 | distillation | joint)");
        plot.YLabel(yLabel);
        plot.Axes.SetLimits(0, timeline.TotalEpochs + 1, yMin, yMax);
        var phases = new List<(string Label, double Start, double End)> { ("phase 1", 0, timeline.PretrainingEpochs) };
        if (timeline.DistillationEpochs > 0)
            phases.Add(("distillation", timeline.PretrainingEpochs, timeline.PretrainingEpochs + timeline.DistillationEpochs));
        phases.Add(("joint", timeline.Offset(TrainingPhase.Joint), timeline.TotalEpochs));
        foreach (var (label, start, end) in phases)
        {
            if (start > 0)
            {
                var boundary = plot.Add.VerticalLine(start + 0.5);
                boundary.Color = Colors.Gray;
                boundary.LinePattern = LinePattern.Dashed;
                boundary.LineWidth = 1;
                boundary.ExcludeFromLegend = true;
            }
            var text = plot.Add.Text(label, (start + end) / 2 + 0.5, yMax);
            text.LabelAlignment = Alignment.UpperCenter;
            text.LabelFontSize = 13;
            text.LabelFontColor = Colors.DimGray;
            text.LabelFontName = PlotFonts.FamilyName;
        }
    }
}
