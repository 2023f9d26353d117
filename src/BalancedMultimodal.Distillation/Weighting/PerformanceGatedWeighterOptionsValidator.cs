using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>
/// Validates <see cref="PerformanceGatedWeighterOptions"/>: Beta finite &gt;= 0, Gamma finite &gt; 0, EmaDecay in [0, 1),
/// 0 &lt; MinWeight &lt;= 1 &lt;= MaxWeight (finite), ChanceLevel null (the chance level of the gated score: 1/C in
/// <c>BalancedTrainer</c>, 0 in a weighter made directly) or in [0, 1).
/// </summary>
public sealed class PerformanceGatedWeighterOptionsValidator : IValidateOptions<PerformanceGatedWeighterOptions>
{
    private const string Prefix = nameof(PerformanceGatedWeighterOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PerformanceGatedWeighterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!double.IsFinite(options.Beta) || options.Beta < 0)
            failures.Add($"{Prefix}{nameof(PerformanceGatedWeighterOptions.Beta)} must be a finite number >= 0 (was {options.Beta}).");
        if (!double.IsFinite(options.Gamma) || options.Gamma <= 0)
            failures.Add($"{Prefix}{nameof(PerformanceGatedWeighterOptions.Gamma)} must be a finite number > 0 (was {options.Gamma}).");
        if (!(options.EmaDecay >= 0 && options.EmaDecay < 1))
            failures.Add($"{Prefix}{nameof(PerformanceGatedWeighterOptions.EmaDecay)} must lie in [0, 1) (was {options.EmaDecay}).");
        if (!(options.MinWeight > 0 && options.MinWeight <= 1))
            failures.Add($"{Prefix}{nameof(PerformanceGatedWeighterOptions.MinWeight)} must lie in (0, 1] so the best modality keeps weight 1 (was {options.MinWeight}).");
        if (!double.IsFinite(options.MaxWeight) || options.MaxWeight < 1)
            failures.Add($"{Prefix}{nameof(PerformanceGatedWeighterOptions.MaxWeight)} must be a finite number >= 1 (was {options.MaxWeight}).");
        if (options.ChanceLevel is double chance && !(chance >= 0 && chance < 1))
            failures.Add($"{Prefix}{nameof(PerformanceGatedWeighterOptions.ChanceLevel)} must be null or lie in [0, 1) (was {chance}).");
        return OptionsGuard.ToResult(failures);
    }
}
