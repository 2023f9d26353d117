using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary><see cref="PipelineOptions.ClassWeightingImbalanceRatio"/> (off by default): the pipeline trains with
/// inverse-frequency class weights when the labelled rows' classes are imbalanced enough, and leaves balanced data as it
/// was.</summary>
public class ClassWeightingPipelineTests
{
    [Theory]
    [InlineData(1.0, ClassWeighting.None)]
    [InlineData(1.49, ClassWeighting.None)]
    [InlineData(1.5, ClassWeighting.InverseFrequency)]
    [InlineData(5.8, ClassWeighting.InverseFrequency)]
    public void Imbalance_at_a_ratio_of_one_and_a_half_turns_the_weights_on(double imbalance, ClassWeighting expected)
    {
        var options = new PipelineOptions { ClassWeightingImbalanceRatio = 1.5 };

        TrainingPipeline.EffectiveTraining(options, 3, imbalance).ClassWeighting.Should().Be(expected);
        options.Training.ClassWeighting.Should().Be(ClassWeighting.None, "a copy is changed, not the caller's options");
    }

    [Fact]
    public void A_null_ratio_the_default_never_weights_and_configured_weights_are_kept_whatever_the_imbalance()
    {
        var off = new PipelineOptions();
        var on = new PipelineOptions();
        on.Training.ClassWeighting = ClassWeighting.InverseFrequency;
        on.Training.Weighting.PerformanceGated.ChanceLevel = 0.5;

        off.ClassWeightingImbalanceRatio.Should().BeNull();
        TrainingPipeline.EffectiveTraining(off, 2, 10).ClassWeighting.Should().Be(ClassWeighting.None);
        TrainingPipeline.EffectiveTraining(on, 2, 1).Should().BeSameAs(on.Training, "nothing is left to change");
    }

    [Theory]
    [InlineData(0.99)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void An_imbalance_below_one_or_not_finite_is_refused(double imbalance)
    {
        var act = () => TrainingPipeline.EffectiveTraining(new PipelineOptions(), 2, imbalance);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("labelledImbalance");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_ratio_below_one_or_not_finite_is_refused_naming_the_option(double ratio)
    {
        var act = () => TrainingPipeline.Validate(new PipelineOptions { ClassWeightingImbalanceRatio = ratio }, TrainingPipelineOptionTests.Data());

        act.Should().Throw<ArgumentException>().WithMessage("*ClassWeightingImbalanceRatio must be null or a finite number >= 1*");
    }

    [Fact]
    public void The_imbalance_counts_the_labelled_rows_only()
    {
        // 20 rows: training rows 0-9 (class 0 on 6, class 1 on 4), validation rows 10-13 (3 / 1), test rows 14-19 (all
        // class 1). Labelled: 9 / 5 = 1.8; counting the test rows too would give 9 / 11 -> 11 / 9.
        int[] labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
        var values = new double[20, 2];
        for (int i = 0; i < 20; i++) { values[i, 0] = i; values[i, 1] = i % 3; }
        var data = new MultimodalDataset([new Modality("a", values)], labels, 2,
            trainIndices: Enumerable.Range(0, 10).ToArray(), validationIndices: [10, 11, 12, 13], testIndices: [14, 15, 16, 17, 18, 19]);

        TrainingPipeline.LabelledImbalance(data).Should().Be(1.8);
    }

    [Fact]
    public void An_imbalanced_run_reports_the_weighting_it_trained_with_and_a_balanced_one_stays_unweighted()
    {
        var imbalanced = TrainingPipelineOptionTests.Data(sampleCount: 100, classProportions: [0.7, 0.3]);
        var balanced = TrainingPipelineOptionTests.Data();
        var options = TrainingPipelineOptionTests.Options();
        options.ClassWeightingImbalanceRatio = 1.5;

        new TrainingPipeline(options).Run(imbalanced).ClassWeighting.Should().Be(ClassWeighting.InverseFrequency);
        new TrainingPipeline(options).Run(balanced).ClassWeighting.Should().Be(ClassWeighting.None);
        new TrainingPipeline(TrainingPipelineOptionTests.Options()).Run(imbalanced).ClassWeighting.Should().Be(ClassWeighting.None, "off by default");
    }
}
