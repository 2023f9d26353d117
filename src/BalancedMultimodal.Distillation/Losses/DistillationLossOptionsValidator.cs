using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.Losses;

/// <summary>
/// Validates <see cref="DistillationLossOptions"/>: weights finite and &gt;= 0, not all zero; temperature finite and &gt; 0;
/// a defined representation kind.
/// </summary>
public sealed class DistillationLossOptionsValidator : IValidateOptions<DistillationLossOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DistillationLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckWeight(failures, nameof(options.CrossEntropyWeight), options.CrossEntropyWeight);
        CheckWeight(failures, nameof(options.KullbackLeiblerWeight), options.KullbackLeiblerWeight);
        CheckWeight(failures, nameof(options.RepresentationWeight), options.RepresentationWeight);
        if (options.CrossEntropyWeight == 0 && options.KullbackLeiblerWeight == 0 && options.RepresentationWeight == 0)
            failures.Add("DistillationLossOptions: CrossEntropyWeight, KullbackLeiblerWeight and RepresentationWeight are all 0; at least one must be positive.");
        if (!double.IsFinite(options.Temperature) || options.Temperature <= 0)
            failures.Add($"DistillationLossOptions.Temperature must be a finite number > 0 (was {options.Temperature}).");
        if (!Enum.IsDefined(options.Representation))
            failures.Add($"DistillationLossOptions.Representation must be ProjectedMse or Cosine (was {(int)options.Representation}).");
        return OptionsGuard.ToResult(failures);
    }

    private static void CheckWeight(List<string> failures, string name, double value)
    {
        if (!double.IsFinite(value) || value < 0)
            failures.Add($"DistillationLossOptions.{name} must be a finite number >= 0 (was {value}).");
    }
}
