using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Cli.Plotting;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using ScottPlot;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Plotting;

public sealed class PlotFilesTests : IDisposable
{
    private static readonly string[] Names = ["1", "2", "3"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bmm-plot-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A hand-made history: 3 modalities, phase 1 (40 epochs), distillation of modality 3 (20), joint (40), every 5 epochs.</summary>
    private static FoldOutcome Fold(int fold, double shift)
    {
        var history = new List<TrainingProgress>();
        for (int m = 0; m < 3; m++)
            for (int e = 5; e <= 40; e += 5)
                history.Add(new TrainingProgress(TrainingPhase.Pretraining, Names[m], e, 40, 0.7 - 0.01 * e + shift, 0.5 + 0.005 * e - 0.05 * m, null, null));
        for (int e = 5; e <= 20; e += 5)
            history.Add(new TrainingProgress(TrainingPhase.Distillation, "3", e, 20, 0.9 - 0.02 * e, 0.6 + 0.004 * e, null, null));
        for (int e = 5; e <= 40; e += 5)
            history.Add(new TrainingProgress(TrainingPhase.Joint, null, e, 40, 2.5 - 0.03 * e + shift, 0.7 + 0.003 * e,
                [0.7 + 0.002 * e, 0.65 + 0.002 * e, 0.6 + 0.003 * e], [1.0, 1.0 + 0.002 * e, 1.2 - 0.004 * e]));
        return new FoldOutcome(fold, [0, 1], [0.7, 0.65, 0.6], [0.7, 0.65, 0.68], [0.78, 0.73, 0.72], 0.82, [1.0, 1.08, 1.04], null, 30, history);
    }

    [Fact]
    public void Training_curves_are_written_as_a_non_blank_png()
    {
        var path = Path.Combine(_folder, "curves.png");

        TrainingCurvesPlot.Save([Fold(0, 0), Fold(1, 0.1)], Names, path);

        PngAssertions.ShouldBeAPlot(path, TrainingCurvesPlot.Width, TrainingCurvesPlot.Height);
    }

    [Fact]
    public void Modality_weights_are_written_as_a_non_blank_png()
    {
        var path = Path.Combine(_folder, "weights.png");

        ModalityWeightsPlot.Save([Fold(0, 0), Fold(1, 0.1)], Names, path);

        PngAssertions.ShouldBeAPlot(path, ModalityWeightsPlot.Width, ModalityWeightsPlot.Height);
    }

    private static readonly double[] Every5To40 = [5, 10, 15, 20, 25, 30, 35, 40];

    [Fact]
    public void The_weight_plot_draws_each_modality_s_own_joint_weights_per_fold_and_fold_1_s_kept_checkpoint()
    {
        // Fold 1 keeps another checkpoint than fold 0, so the dotted line shows which fold it is taken from.
        var series = ModalityWeightsPlot.Series([Fold(0, 0), Fold(1, 0.1) with { BestJointEpoch = 20 }], Names.Length);

        // The fixture's joint weights: w_1 = 1, w_2 = 1 + 0.002 e, w_3 = 1.2 - 0.004 e at e = 5, 10, ..., 40, in both folds.
        Func<double, double>[] weight = [e => 1.0, e => 1.0 + 0.002 * e, e => 1.2 - 0.004 * e];
        series.Lines.Select(l => (l.Fold, l.Modality)).Should().Equal([(1, 0), (1, 1), (1, 2), (0, 0), (0, 1), (0, 2)],
            "the faint fold first, so fold 0 is drawn on top");
        foreach (var line in series.Lines)
        {
            line.Epochs.Should().Equal(Every5To40);
            line.Weights.Should().Equal(Every5To40.Select(weight[line.Modality]), $"modality {line.Modality + 1}'s weights of fold {line.Fold}");
        }
        series.CheckpointEpoch.Should().Be(30, "fold 0's kept joint epoch");
        series.MaxEpoch.Should().Be(40);
        series.MinWeight.Should().Be(1.0);
        series.MaxWeight.Should().Be(1.2 - 0.004 * 5);
        ModalityWeightsPlot.Series([Fold(0, 0) with { BestJointEpoch = 0 }], Names.Length).CheckpointEpoch.Should().BeNull("no checkpoint was kept");
    }

    [Fact]
    public void The_training_curves_draw_each_record_s_loss_and_validation_score_at_its_schedule_position()
    {
        var series = TrainingCurvesPlot.Series([Fold(0, 0), Fold(1, 0.1)], Names);

        // The fixture's schedule: phase 1 (40 epochs) at positions e, distillation (20) at 40 + e, joint (40) at 60 + e.
        double[] Shifted(IEnumerable<double> epochs, double offset) => epochs.Select(e => offset + e).ToArray();
        double[] Of(IEnumerable<double> epochs, Func<double, double> value) => epochs.Select(value).ToArray();
        double[] distillation = [5, 10, 15, 20];
        var expected = new List<TrainingCurvesPlot.CurveLine>();
        foreach (var (fold, shift) in new[] { (1, 0.1), (0, 0.0) })
        {
            bool main = fold == 0;
            for (int m = 0; m < 3; m++)
            {
                expected.Add(new(fold, TrainingCurvesPlot.CurvePanel.Loss, m, TrainingPhase.Pretraining, Every5To40, Of(Every5To40, e => 0.7 - 0.01 * e + shift), null));
                expected.Add(new(fold, TrainingCurvesPlot.CurvePanel.Score, m, TrainingPhase.Pretraining, Every5To40, Of(Every5To40, e => 0.5 + 0.005 * e - 0.05 * m),
                    main ? BalancedMultimodal.Cli.Plotting.PlotStyle.ModalityLabel(Names[m]) : null));
                if (m == 2)
                {
                    expected.Add(new(fold, TrainingCurvesPlot.CurvePanel.Loss, m, TrainingPhase.Distillation, Shifted(distillation, 40), Of(distillation, e => 0.9 - 0.02 * e), null));
                    expected.Add(new(fold, TrainingCurvesPlot.CurvePanel.Score, m, TrainingPhase.Distillation, Shifted(distillation, 40), Of(distillation, e => 0.6 + 0.004 * e), null));
                }
                Func<double, double>[] jointScore = [e => 0.7 + 0.002 * e, e => 0.65 + 0.002 * e, e => 0.6 + 0.003 * e];
                expected.Add(new(fold, TrainingCurvesPlot.CurvePanel.Score, m, TrainingPhase.Joint, Shifted(Every5To40, 60), Of(Every5To40, jointScore[m]), null));
            }
            expected.Add(new(fold, TrainingCurvesPlot.CurvePanel.Loss, null, TrainingPhase.Joint, Shifted(Every5To40, 60), Of(Every5To40, e => 2.5 - 0.03 * e + shift), null));
            expected.Add(new(fold, TrainingCurvesPlot.CurvePanel.Score, null, TrainingPhase.Joint, Shifted(Every5To40, 60), Of(Every5To40, e => 0.7 + 0.003 * e),
                main ? "joint total loss /\nfinal prediction F1" : null));
        }

        series.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Fact]
    public void The_confusion_matrix_is_written_as_a_non_blank_png()
    {
        var path = Path.Combine(_folder, "confusion.png");

        ConfusionMatrixPlot.Save([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 2], 3, null, path);

        PngAssertions.ShouldBeAPlot(path, ConfusionMatrixPlot.Width, ConfusionMatrixPlot.Height);
    }

    [Fact]
    public void The_fused_similarity_matrix_is_written_as_a_non_blank_png()
    {
        var random = new Random(3);
        int n = 40;
        var labels = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        var fused = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                fused[i, j] = fused[j, i] = (labels[i] == labels[j] ? 2.0 : 1.0) + random.NextDouble();
        var path = Path.Combine(_folder, "fused.png");

        FusedSimilarityPlot.Save(fused, labels, 2, ["control", "case"], path);

        PngAssertions.ShouldBeAPlot(path, FusedSimilarityPlot.Width, FusedSimilarityPlot.Height);
    }

    [Fact]
    public void A_history_without_joint_weights_cannot_give_a_weight_plot()
    {
        var fold = Fold(0, 0) with { History = Fold(0, 0).History.Where(r => r.Phase != TrainingPhase.Joint).ToArray() };

        var act = () => ModalityWeightsPlot.Save([fold], Names, Path.Combine(_folder, "w.png"));

        act.Should().Throw<ArgumentException>().WithMessage("No joint-phase record carries modality weights*");
    }

    [Fact]
    public void A_plot_path_must_end_in_png()
    {
        var act = () => ConfusionMatrixPlot.Save([0, 1], [0, 1], 2, null, Path.Combine(_folder, "confusion.jpg"));

        act.Should().Throw<ArgumentException>().WithMessage("*must end in .png*");
    }

    [Fact]
    public void The_embedded_font_is_read_from_the_assembly_not_the_system()
    {
        using var regular = PlotFonts.CreateTypeface(bold: false);
        using var bold = PlotFonts.CreateTypeface(bold: true);

        regular.FamilyName.Should().Be("DejaVu Sans");
        bold.FontStyle.Weight.Should().Be((int)SkiaSharp.SKFontStyleWeight.Bold);
    }

    [Fact]
    public void Registering_makes_the_embedded_font_scottplots_first_resolver_and_default_family()
    {
        PlotFonts.Register();

        var first = Fonts.FontResolvers[0];
        first.CreateTypeface(PlotFonts.FamilyName, bold: false, italic: false)!.FamilyName.Should().Be("DejaVu Sans");
        first.CreateTypeface("Some Other Family", bold: false, italic: false).Should().BeNull("other names fall through to the system resolver");
        Fonts.Default.Should().Be(PlotFonts.FamilyName);
    }

    [Fact]
    public void The_off_diagonal_quantile_interpolates_between_order_statistics()
    {
        // Off-diagonal entries 1..6; the diagonal (100) is ignored. q = 0.5 lies halfway between 3 and 4.
        var matrix = new double[,] { { 100, 1, 2 }, { 3, 100, 4 }, { 5, 6, 100 } };

        FusedSimilarityPlot.OffDiagonalQuantile(matrix, 0.5).Should().Be(3.5);
        FusedSimilarityPlot.OffDiagonalQuantile(matrix, 0).Should().Be(1);
        FusedSimilarityPlot.OffDiagonalQuantile(matrix, 1).Should().Be(6);
        FusedSimilarityPlot.OffDiagonalQuantile(matrix, 0.1).Should().BeApproximately(1.5, 1e-12);
    }

    [Fact]
    public void The_weight_plot_s_axis_reaches_the_planned_joint_epochs_when_training_stopped_early()
    {
        // Early stopping at epoch 40 of 60: the axis shows the planned length.
        var fold = Fold(0, 0);
        fold = fold with { History = fold.History.Select(r => r.Phase == TrainingPhase.Joint ? r with { MaxEpochs = 60 } : r).ToArray() };

        ModalityWeightsPlot.Series([fold], Names.Length).MaxEpoch.Should().Be(60);
    }

    [Fact]
    public void A_joint_record_listing_fewer_weights_or_scores_than_modalities_leaves_the_missing_ones_out()
    {
        // The first joint record lists two of the three modalities' weights and scores.
        var fold = Fold(0, 0);
        var first = fold.History.First(r => r.Phase == TrainingPhase.Joint);
        fold = fold with
        {
            History = fold.History.Select(r => ReferenceEquals(r, first) ? r with { Weights = r.Weights!.Take(2).ToArray(), ModalityScores = r.ModalityScores!.Take(2).ToArray() } : r).ToArray(),
        };

        var weights = ModalityWeightsPlot.Series([fold], Names.Length);
        var curves = TrainingCurvesPlot.Series([fold], Names);

        double.IsNaN(weights.Lines[2].Weights[0]).Should().BeTrue("the first record has no weight for modality 3");
        weights.Lines[2].Weights.Skip(1).Should().OnlyContain(w => double.IsFinite(w));
        weights.MinWeight.Should().Be(1.0, "the missing weight is not a weight");
        weights.MaxWeight.Should().Be(1.2 - 0.004 * 10);
        var jointScore3 = curves.Single(l => l.Modality == 2 && l.Phase == TrainingPhase.Joint);
        jointScore3.Positions.Should().Equal(Every5To40.Skip(1).Select(e => 60 + e), "the record without modality 3's score is left out");
    }

    [Fact]
    public void A_fold_without_joint_records_does_not_hide_the_folds_drawn_after_it()
    {
        // Fold 1 (drawn first) stopped before the joint phase; fold 0 is drawn in full after it.
        var stopped = Fold(1, 0.1);
        stopped = stopped with { History = stopped.History.Where(r => r.Phase != TrainingPhase.Joint).ToArray() };

        var series = TrainingCurvesPlot.Series([Fold(0, 0), stopped], Names);

        series.Where(l => l.Fold == 1).Should().NotContain(l => l.Phase == TrainingPhase.Joint);
        series.Where(l => l.Fold == 0).Should().HaveCount(13, "fold 0's 3 x 2 phase-1 lines, modality 3's 2 distillation lines, 3 joint scores, the joint loss and the final score")
            .And.Contain(l => l.Modality == null && l.Panel == TrainingCurvesPlot.CurvePanel.Score && l.Legend == "joint total loss /\nfinal prediction F1");
    }
}
