using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>Validates <see cref="BalancedTrainingOptions"/> and its nested options. Every failure starts with the option's
/// class-qualified name (<c>BalancedTrainingOptions.HeadDropout must lie in [0, 1), got 1.5.</c>); a failure of a nested
/// section is its own validator's message behind the section's name (<c>Distillation: DistillationLossOptions.Temperature must ...</c>).</summary>
public sealed class BalancedTrainingOptionsValidator : IValidateOptions<BalancedTrainingOptions>
{
    private const string Prefix = nameof(BalancedTrainingOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BalancedTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Positive(int value, string option) { if (value < 1) failures.Add($"{Prefix}{option} must be at least 1, got {value}."); }
        Positive(options.PretrainingEpochs, nameof(options.PretrainingEpochs));
        Positive(options.JointEpochs, nameof(options.JointEpochs));
        Positive(options.EvaluationInterval, nameof(options.EvaluationInterval));
        Positive(options.Patience, nameof(options.Patience));
        if (options.DistillationEpochs < 0) failures.Add($"{Prefix}{nameof(options.DistillationEpochs)} must be non-negative, got {options.DistillationEpochs}.");
        if (!(options.LearningRate > 0) || double.IsInfinity(options.LearningRate))
            failures.Add($"{Prefix}{nameof(options.LearningRate)} must be finite and positive, got {options.LearningRate}.");
        AddWeightDecayFailures(failures, options);
        if (!(options.HeadDropout >= 0 && options.HeadDropout < 1))
            failures.Add($"{Prefix}{nameof(options.HeadDropout)} must lie in [0, 1), got {options.HeadDropout}.");
        if (!(options.UnlabelledEntropyWeight >= 0) || double.IsInfinity(options.UnlabelledEntropyWeight))
            failures.Add($"{Prefix}{nameof(options.UnlabelledEntropyWeight)} must be finite and non-negative, got {options.UnlabelledEntropyWeight}.");
        if (!(options.PoolingWeightShrinkage >= 0 && options.PoolingWeightShrinkage <= 1))
            failures.Add($"{Prefix}{nameof(options.PoolingWeightShrinkage)} must lie in [0, 1], got {options.PoolingWeightShrinkage}.");
        if (!Enum.IsDefined(options.PoolingRule))
            failures.Add($"{Prefix}{nameof(options.PoolingRule)} must be {string.Join(" or ", Enum.GetNames<HeadPoolingRule>())}, got {(int)options.PoolingRule}.");
        if (options.FinalPoolingRule is HeadPoolingRule finalRule && !Enum.IsDefined(finalRule))
            failures.Add($"{Prefix}{nameof(options.FinalPoolingRule)} must be null, {string.Join(" or ", Enum.GetNames<HeadPoolingRule>())}, got {(int)finalRule}.");
        if (!Enum.IsDefined(options.ClassWeighting))
            failures.Add($"{Prefix}{nameof(options.ClassWeighting)} must be {string.Join(" or ", Enum.GetNames<ClassWeighting>())}, got {(int)options.ClassWeighting}.");
        if (!Enum.IsDefined(options.Prediction))
            failures.Add($"{Prefix}{nameof(options.Prediction)} must be {string.Join(" or ", Enum.GetNames<PredictionSource>())}, got {(int)options.Prediction}.");
        if (options.Distillation is null) failures.Add($"{Prefix}{nameof(options.Distillation)} must not be null.");
        else AddNested(failures, nameof(options.Distillation), new DistillationLossOptionsValidator().Validate(name, options.Distillation));
        if (options.Assessment is null) failures.Add($"{Prefix}{nameof(options.Assessment)} must not be null.");
        else AddNested(failures, nameof(options.Assessment), new ModalityAssessmentOptionsValidator().Validate(name, options.Assessment));
        if (options.Weighting is null) failures.Add($"{Prefix}{nameof(options.Weighting)} must not be null.");
        else AddNested(failures, nameof(options.Weighting), new ModalityWeightingOptionsValidator().Validate(name, options.Weighting));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The rules of the options <see cref="BalancedTrainingOptions.InputWeightDecay"/> reads: the weight decay,
    /// the width exponent and the reference width.</summary>
    internal static void AddWeightDecayFailures(List<string> failures, BalancedTrainingOptions options)
    {
        if (!(options.WeightDecay >= 0) || double.IsInfinity(options.WeightDecay))
            failures.Add($"{Prefix}{nameof(options.WeightDecay)} must be finite and non-negative, got {options.WeightDecay}.");
        if (!(options.InputWeightDecayWidthExponent >= 0 && options.InputWeightDecayWidthExponent <= 2))
            failures.Add($"{Prefix}{nameof(options.InputWeightDecayWidthExponent)} must lie in [0, 2], got {options.InputWeightDecayWidthExponent}.");
        if (!(options.InputWeightDecayReferenceWidth >= 1) || double.IsInfinity(options.InputWeightDecayReferenceWidth))
            failures.Add($"{Prefix}{nameof(options.InputWeightDecayReferenceWidth)} must be finite and at least 1 (a number of features), got {options.InputWeightDecayReferenceWidth}.");
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> when <paramref name="options"/> are invalid.</summary>
    public static void ThrowIfInvalid(BalancedTrainingOptions options)
    {
        var result = new BalancedTrainingOptionsValidator().Validate(null, options);
        if (result.Failed) throw new OptionsValidationException(nameof(BalancedTrainingOptions), typeof(BalancedTrainingOptions), result.Failures);
    }

    private static void AddNested(List<string> failures, string prefix, ValidateOptionsResult result)
    {
        if (result.Failed) failures.AddRange(result.Failures.Select(f => $"{prefix}: {f}"));
    }
}
