using BalancedMultimodal.Cli.Pipeline;
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
    public void A_ratio_below_one_is_refused_naming_the_option(double ratio)
    {
        var act = () => TrainingPipeline.Validate(new PipelineOptions { ClassWeightingImbalanceRatio = ratio }, TrainingPipelineOptionTests.Data());

        act.Should().Throw<ArgumentException>().WithMessage("*ClassWeightingImbalanceRatio must be null or a finite number >= 1*");
    }

    [Fact]
    public void The_imbalance_counts_the_labelled_rows_only()
    {
        // 100 samples, 70 / 30, 30 % test rows: the training rows keep the proportions (49 / 21), the test rows are ignored.
        var data = TrainingPipelineOptionTests.Data(sampleCount: 100, classProportions: [0.7, 0.3]);
        var labelled = data.TrainIndices.Concat(data.ValidationIndices).ToArray();
        double expected = (double)labelled.Count(r => data.Labels[r] == 0) / labelled.Count(r => data.Labels[r] == 1);

        TrainingPipeline.LabelledImbalance(data).Should().Be(expected);
        expected.Should().BeApproximately(7.0 / 3, 0.1);
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
