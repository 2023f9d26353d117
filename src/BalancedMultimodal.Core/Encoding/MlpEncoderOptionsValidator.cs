using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>Validates <see cref="MlpEncoderOptions"/>: at least one hidden layer, positive widths, dropout in [0, 1), slope >= 0.</summary>
public sealed class MlpEncoderOptionsValidator : IValidateOptions<MlpEncoderOptions>
{
    private const string Prefix = nameof(MlpEncoderOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MlpEncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.HiddenSizes is null || options.HiddenSizes.Count == 0)
            failures.Add($"{Prefix}{nameof(MlpEncoderOptions.HiddenSizes)} must list at least one layer width.");
        else
            for (int i = 0; i < options.HiddenSizes.Count; i++)
                if (options.HiddenSizes[i] < 1)
                    failures.Add($"{Prefix}{nameof(MlpEncoderOptions.HiddenSizes)}[{i}] must be at least 1, got {options.HiddenSizes[i]}.");
        if (!(options.Dropout >= 0 && options.Dropout < 1))
            failures.Add($"{Prefix}{nameof(MlpEncoderOptions.Dropout)} must lie in [0, 1), got {options.Dropout}.");
        if (!(options.NegativeSlope >= 0) || double.IsInfinity(options.NegativeSlope))
            failures.Add($"{Prefix}{nameof(MlpEncoderOptions.NegativeSlope)} must be finite and non-negative, got {options.NegativeSlope}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> when <paramref name="options"/> are invalid.</summary>
    public static void ThrowIfInvalid(MlpEncoderOptions options)
    {
        var result = new MlpEncoderOptionsValidator().Validate(null, options);
        if (result.Failed) throw new OptionsValidationException(nameof(MlpEncoderOptions), typeof(MlpEncoderOptions), result.Failures);
    }
}
