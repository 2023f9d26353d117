using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary><see cref="BalancedTrainer.MinimumAssessmentRows"/> validates its options as the trainer does, naming the
/// option, instead of answering for invalid options (or failing on a null nested one).</summary>
public class MinimumAssessmentRowsTests
{
    private static readonly KsgEstimator Ksg = new(new KsgEstimatorOptions { K = 4 });

    [Fact]
    public void Null_assessment_options_are_refused_naming_the_option()
    {
        var options = new BalancedTrainingOptions { Assessment = null! };

        var act = () => BalancedTrainer.MinimumAssessmentRows(options, Ksg, 2);

        act.Should().Throw<OptionsValidationException>().WithMessage("*BalancedTrainingOptions.Assessment must not be null.*")
            .Which.OptionsType.Should().Be(typeof(BalancedTrainingOptions));
    }

    [Fact]
    public void Invalid_nested_options_are_refused_naming_the_option()
    {
        var options = new BalancedTrainingOptions { Assessment = { PcaComponents = -3 } };

        var act = () => BalancedTrainer.MinimumAssessmentRows(options, Ksg, 2);

        act.Should().Throw<OptionsValidationException>().WithMessage("*Assessment: ModalityAssessmentOptions.PcaComponents*");
    }

    [Fact]
    public void Invalid_options_are_refused_even_with_distillation_off()
    {
        var options = new BalancedTrainingOptions { EnableDistillation = false, LearningRate = double.NaN };

        var act = () => BalancedTrainer.MinimumAssessmentRows(options, Ksg, 2);

        act.Should().Throw<OptionsValidationException>().WithMessage("*BalancedTrainingOptions.LearningRate must be finite and positive, got NaN.*");
    }

    [Fact]
    public void Valid_options_give_the_estimators_minimum()
    {
        BalancedTrainer.MinimumAssessmentRows(new BalancedTrainingOptions(), Ksg, 2).Should().Be(5, "k + 1 rows for KSG with k = 4");
        BalancedTrainer.MinimumAssessmentRows(new BalancedTrainingOptions { EnableDistillation = false }, Ksg, 2).Should().Be(0);
    }
}
