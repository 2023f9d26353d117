using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary><see cref="MlpEncoderSettings.AlternativeNegativeSlope"/>: the pipeline runs once per slope and keeps the run
/// the out-of-fold macro-F1 prefers (by more than the margin), reproducing that run exactly.</summary>
public class EncoderSelectionTests
{
    /// <summary>120 samples, two weakly informative modalities, so that validation scores are below 1 and differ.</summary>
    private static MultimodalDataset Data() => TrainingPipelineOptionTests.Data(120, a: (4, 0.45), b: (3, 0.35), seed: 9);

    private static PipelineOptions Options(double slope = 1.0, double? alternative = null, double margin = 0.01)
    {
        var options = TrainedPipelineFixture.Options();
        options.EncoderKind = ModalityEncoderKind.Mlp;
        options.Training.EnableDistillation = false;
        options.Training.PretrainingEpochs = options.Training.JointEpochs = 20;
        options.MlpEncoder.NegativeSlope = slope;
        options.MlpEncoder.AlternativeNegativeSlope = alternative;
        options.MlpEncoder.SelectionMargin = margin;
        return options;
    }

    [Fact]
    public void Selection_keeps_the_better_run_on_validation_and_reports_both_runs_scores_exactly()
    {
        var data = Data();
        var linear = new TrainingPipeline(Options(1.0)).Run(data);
        var leaky = new TrainingPipeline(Options(0.01)).Run(data);
        linear.OutOfFoldMacroF1.Should().NotBe(leaky.OutOfFoldMacroF1, "the check needs runs that differ");

        var selected = new TrainingPipeline(Options(1.0, alternative: 0.01, margin: 0)).Run(data);

        var expected = leaky.OutOfFoldMacroF1 > linear.OutOfFoldMacroF1 ? leaky : linear;
        selected.EncoderSelection.Should().Be(new EncoderSelection(1.0, linear.OutOfFoldMacroF1, 0.01, leaky.OutOfFoldMacroF1, 0,
            ReferenceEquals(expected, leaky) ? 0.01 : 1.0));
        selected.OutOfFoldMacroF1.Should().Be(expected.OutOfFoldMacroF1);
        selected.TestProbabilities.Should().BeEquivalentTo(expected.TestProbabilities, "the kept run is that run, seed for seed");
        selected.Accuracy.Should().Be(expected.Accuracy);
    }

    [Fact]
    public void The_margin_decides_between_a_better_alternative_and_the_primary()
    {
        var data = Data();
        var linear = new TrainingPipeline(Options(1.0)).Run(data);
        var leaky = new TrainingPipeline(Options(0.01)).Run(data);
        // Premise: the runs differ, so the primary can be the worse one and only the margin can keep it.
        linear.OutOfFoldMacroF1.Should().NotBe(leaky.OutOfFoldMacroF1);
        var (worse, better) = linear.OutOfFoldMacroF1 < leaky.OutOfFoldMacroF1 ? ((1.0, linear), (0.01, leaky)) : ((0.01, leaky), (1.0, linear));
        double gap = better.Item2.OutOfFoldMacroF1 - worse.Item2.OutOfFoldMacroF1;

        var justAbove = new TrainingPipeline(Options(worse.Item1, alternative: better.Item1, margin: gap + 1e-9)).Run(data);
        var justBelow = new TrainingPipeline(Options(worse.Item1, alternative: better.Item1, margin: gap - 1e-9)).Run(data);

        justAbove.EncoderSelection!.ChosenSlope.Should().Be(worse.Item1, "the better run does not clear a margin above the gap");
        justAbove.TestProbabilities.Should().BeEquivalentTo(worse.Item2.TestProbabilities);
        justBelow.EncoderSelection!.ChosenSlope.Should().Be(better.Item1, "a margin below the gap lets the better run through");
        justBelow.TestProbabilities.Should().BeEquivalentTo(better.Item2.TestProbabilities);
    }

    [Fact]
    public void A_margin_the_alternative_cannot_clear_keeps_the_primary_slope_and_its_model()
    {
        var data = Data();
        var primary = new TrainingPipeline(Options(0.25)).Run(data);

        var selected = new TrainingPipeline(Options(0.25, alternative: 1.0, margin: 0.99)) { KeepTrainedModel = true }.Run(data);
        using var model = selected.Model!;

        selected.EncoderSelection!.ChosenSlope.Should().Be(0.25);
        selected.TestProbabilities.Should().BeEquivalentTo(primary.TestProbabilities);
        model.Options.MlpEncoder.NegativeSlope.Should().Be(0.25, "a saved model rebuilds the kept encoder");
        model.Options.MlpEncoder.AlternativeNegativeSlope.Should().BeNull("the kept model is one run, not a selection");
    }

    [Fact]
    public void Without_an_alternative_or_with_the_same_slope_the_pipeline_runs_once_without_a_selection_report()
    {
        var data = Data();

        new TrainingPipeline(Options(1.0)).Run(data).EncoderSelection.Should().BeNull();
        new TrainingPipeline(Options(1.0, alternative: 1.0)).Run(data).EncoderSelection.Should().BeNull();
    }

    [Theory]
    [InlineData(-0.1, 0.01, "AlternativeNegativeSlope")]
    [InlineData(double.PositiveInfinity, 0.01, "AlternativeNegativeSlope")]
    [InlineData(0.25, -0.01, "SelectionMargin")]
    [InlineData(0.25, 1.0, "SelectionMargin")]
    public void Invalid_selection_settings_are_rejected_before_any_work_naming_the_option(double alternative, double margin, string option)
    {
        var act = () => new TrainingPipeline(Options(1.0, alternative, margin)).Run(Data());

        act.Should().Throw<ArgumentException>().WithMessage($"MlpEncoder.{option}*");
    }
}
