using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

public class BalancedTrainingOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(Action<BalancedTrainingOptions> edit)
    {
        var options = new BalancedTrainingOptions();
        edit(options);
        return new BalancedTrainingOptionsValidator().Validate(null, options).Failures?.ToArray() ?? [];
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Failures(_ => { }).Should().BeEmpty();
    }

    [Fact]
    public void Every_option_at_the_edge_of_its_range_is_valid()
    {
        Failures(o =>
        {
            o.PretrainingEpochs = o.JointEpochs = o.EvaluationInterval = o.Patience = 1;
            o.DistillationEpochs = 0;
            o.LearningRate = 1e-12;
            o.WeightDecay = 0;
            o.InputWeightDecayWidthExponent = 2;
            o.InputWeightDecayReferenceWidth = 1;
            o.HeadDropout = 0;
            o.UnlabelledEntropyWeight = 0;
            o.PoolingWeightShrinkage = 1;
        }).Should().BeEmpty();
        Failures(o => { o.InputWeightDecayWidthExponent = 0; o.PoolingWeightShrinkage = 0; }).Should().BeEmpty();
    }

    public static TheoryData<string, Action<BalancedTrainingOptions>, string> InvalidOptions => new()
    {
        { "PretrainingEpochs", o => o.PretrainingEpochs = 0, "BalancedTrainingOptions.PretrainingEpochs must be at least 1, got 0." },
        { "JointEpochs", o => o.JointEpochs = 0, "BalancedTrainingOptions.JointEpochs must be at least 1, got 0." },
        { "EvaluationInterval", o => o.EvaluationInterval = 0, "BalancedTrainingOptions.EvaluationInterval must be at least 1, got 0." },
        { "Patience", o => o.Patience = 0, "BalancedTrainingOptions.Patience must be at least 1, got 0." },
        { "DistillationEpochs", o => o.DistillationEpochs = -1, "BalancedTrainingOptions.DistillationEpochs must be non-negative, got -1." },
        { "LearningRate 0", o => o.LearningRate = 0, "BalancedTrainingOptions.LearningRate must be finite and positive, got 0." },
        { "LearningRate inf", o => o.LearningRate = double.PositiveInfinity, "BalancedTrainingOptions.LearningRate must be finite and positive*" },
        { "LearningRate NaN", o => o.LearningRate = double.NaN, "BalancedTrainingOptions.LearningRate must be finite and positive*" },
        { "WeightDecay", o => o.WeightDecay = -1e-9, "BalancedTrainingOptions.WeightDecay must be finite and non-negative*" },
        { "WeightDecay inf", o => o.WeightDecay = double.PositiveInfinity, "BalancedTrainingOptions.WeightDecay must be finite and non-negative*" },
        { "InputWeightDecayWidthExponent low", o => o.InputWeightDecayWidthExponent = -0.1, "BalancedTrainingOptions.InputWeightDecayWidthExponent must lie in [0, 2]*" },
        { "InputWeightDecayWidthExponent high", o => o.InputWeightDecayWidthExponent = 2.1, "BalancedTrainingOptions.InputWeightDecayWidthExponent must lie in [0, 2]*" },
        { "InputWeightDecayReferenceWidth", o => o.InputWeightDecayReferenceWidth = 0.5, "BalancedTrainingOptions.InputWeightDecayReferenceWidth must be finite and at least 1*" },
        { "InputWeightDecayReferenceWidth inf", o => o.InputWeightDecayReferenceWidth = double.PositiveInfinity, "BalancedTrainingOptions.InputWeightDecayReferenceWidth must be finite*" },
        { "HeadDropout 1", o => o.HeadDropout = 1, "BalancedTrainingOptions.HeadDropout must lie in [0, 1), got 1." },
        { "HeadDropout negative", o => o.HeadDropout = -0.1, "BalancedTrainingOptions.HeadDropout must lie in [0, 1)*" },
        { "UnlabelledEntropyWeight inf", o => o.UnlabelledEntropyWeight = double.PositiveInfinity, "BalancedTrainingOptions.UnlabelledEntropyWeight must be finite and non-negative*" },
        { "PoolingWeightShrinkage", o => o.PoolingWeightShrinkage = 1.01, "BalancedTrainingOptions.PoolingWeightShrinkage must lie in [0, 1]*" },
        { "Prediction", o => o.Prediction = (PredictionSource)42, "BalancedTrainingOptions.Prediction must be FusedHead or *, got 42." },
        { "PoolingRule", o => o.PoolingRule = (HeadPoolingRule)9, "BalancedTrainingOptions.PoolingRule must be InformationGain or ValidationEvidence, got 9." },
        { "FinalPoolingRule", o => o.FinalPoolingRule = (HeadPoolingRule)5, "BalancedTrainingOptions.FinalPoolingRule must be null, InformationGain or ValidationEvidence, got 5." },
        { "Distillation null", o => o.Distillation = null!, "BalancedTrainingOptions.Distillation must not be null." },
        { "Assessment null", o => o.Assessment = null!, "BalancedTrainingOptions.Assessment must not be null." },
        { "Weighting null", o => o.Weighting = null!, "BalancedTrainingOptions.Weighting must not be null." },
        { "Distillation nested", o => o.Distillation = new DistillationLossOptions { Temperature = 0 }, "Distillation: DistillationLossOptions.Temperature*" },
        { "Assessment nested", o => o.Assessment = new ModalityAssessmentOptions { Delta = -1 }, "Assessment: ModalityAssessmentOptions.Delta*" },
        { "Weighting nested", o => o.Weighting = new ModalityWeightingOptions { Policy = (ModalityWeightingPolicy)8 }, "Weighting: ModalityWeightingOptions.Policy*" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void An_invalid_option_gives_exactly_one_failure_naming_it(string option, Action<BalancedTrainingOptions> edit, string message)
    {
        Failures(edit).Should().ContainSingle(option).Which.Should().Match(message);
    }

    [Fact]
    public void ThrowIfInvalid_lists_every_failure_in_an_options_validation_exception()
    {
        var act = () => BalancedTrainingOptionsValidator.ThrowIfInvalid(new BalancedTrainingOptions { Patience = 0, HeadDropout = 1 });

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(2);
    }

    [Fact]
    public void ThrowIfInvalid_accepts_valid_options()
    {
        var act = () => BalancedTrainingOptionsValidator.ThrowIfInvalid(new BalancedTrainingOptions());

        act.Should().NotThrow();
    }
}
