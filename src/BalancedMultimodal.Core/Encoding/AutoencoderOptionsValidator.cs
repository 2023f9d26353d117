using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>Validates <see cref="AutoencoderOptions"/>.</summary>
public sealed class AutoencoderOptionsValidator : IValidateOptions<AutoencoderOptions>
{
    private const string Prefix = nameof(AutoencoderOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.LatentDim < 1) failures.Add($"{Prefix}{nameof(AutoencoderOptions.LatentDim)} must be at least 1, got {options.LatentDim}.");
        if (options.HiddenSizes is null) failures.Add($"{Prefix}{nameof(AutoencoderOptions.HiddenSizes)} must not be null.");
        else
            for (int i = 0; i < options.HiddenSizes.Count; i++)
                if (options.HiddenSizes[i] < 1)
                    failures.Add($"{Prefix}{nameof(AutoencoderOptions.HiddenSizes)}[{i}] must be at least 1, got {options.HiddenSizes[i]}.");
        if (options.Epochs < 1) failures.Add($"{Prefix}{nameof(AutoencoderOptions.Epochs)} must be at least 1, got {options.Epochs}.");
        if (!(options.LearningRate > 0) || double.IsInfinity(options.LearningRate))
            failures.Add($"{Prefix}{nameof(AutoencoderOptions.LearningRate)} must be finite and positive, got {options.LearningRate}.");
        if (!(options.WeightDecay >= 0) || double.IsInfinity(options.WeightDecay))
            failures.Add($"{Prefix}{nameof(AutoencoderOptions.WeightDecay)} must be finite and non-negative, got {options.WeightDecay}.");
        if (!Enum.IsDefined(options.FitRows)) failures.Add($"{Prefix}{nameof(AutoencoderOptions.FitRows)} has an unknown value {options.FitRows}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> when <paramref name="options"/> are invalid.</summary>
    public static void ThrowIfInvalid(AutoencoderOptions options)
    {
        var result = new AutoencoderOptionsValidator().Validate(null, options);
        if (result.Failed) throw new OptionsValidationException(nameof(AutoencoderOptions), typeof(AutoencoderOptions), result.Failures);
    }
}
