using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Weighting;

/// <summary>Every options validator rejects null options with an <see cref="ArgumentNullException"/>.</summary>
public class OptionsValidatorNullTests
{
    [Fact]
    public void The_weighting_assessment_and_training_validators_reject_null_options()
    {
        FluentActions.Invoking(() => new ModalityWeightingOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new PerformanceGatedWeighterOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new OgmGeWeighterOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new UncertaintyWeighterOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new ModalityAssessmentOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new BalancedTrainingOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }
}
