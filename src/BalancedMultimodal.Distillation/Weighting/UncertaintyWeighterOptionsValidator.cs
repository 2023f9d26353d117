using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>Validates <see cref="UncertaintyWeighterOptions"/>: a finite initial log-variance.</summary>
public sealed class UncertaintyWeighterOptionsValidator : IValidateOptions<UncertaintyWeighterOptions>
{
    private const string Prefix = nameof(UncertaintyWeighterOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, UncertaintyWeighterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!double.IsFinite(options.InitialLogVariance))
            failures.Add($"{Prefix}{nameof(UncertaintyWeighterOptions.InitialLogVariance)} must be finite (was {options.InitialLogVariance}).");
        return OptionsGuard.ToResult(failures);
    }
}
