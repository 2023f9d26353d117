using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>Validates <see cref="ModalityWeightingOptions"/>: a defined policy and valid options for every policy. Every
/// failure starts with the option's class-qualified name: <c>ModalityWeightingOptions.Policy ...</c>, or the nested
/// weighter options' own (<c>PerformanceGatedWeighterOptions.Beta ...</c>).</summary>
public sealed class ModalityWeightingOptionsValidator : IValidateOptions<ModalityWeightingOptions>
{
    private const string Prefix = nameof(ModalityWeightingOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ModalityWeightingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Policy))
            failures.Add($"{Prefix}{nameof(ModalityWeightingOptions.Policy)} must be PerformanceGated, Uniform, OgmGe or Uncertainty (was {(int)options.Policy}).");
        Collect(failures, options.PerformanceGated, nameof(options.PerformanceGated), o => new PerformanceGatedWeighterOptionsValidator().Validate(name, o));
        Collect(failures, options.OgmGe, nameof(options.OgmGe), o => new OgmGeWeighterOptionsValidator().Validate(name, o));
        Collect(failures, options.Uncertainty, nameof(options.Uncertainty), o => new UncertaintyWeighterOptionsValidator().Validate(name, o));
        return OptionsGuard.ToResult(failures);
    }

    private static void Collect<T>(List<string> failures, T? options, string property, Func<T, ValidateOptionsResult> validate)
        where T : class
    {
        if (options is null)
        {
            failures.Add($"{Prefix}{property} must not be null.");
            return;
        }
        var result = validate(options);
        if (result.Failed)
            failures.AddRange(result.Failures ?? [result.FailureMessage]);
    }
}
