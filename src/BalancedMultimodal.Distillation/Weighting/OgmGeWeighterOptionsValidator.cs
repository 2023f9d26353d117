using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>Validates <see cref="OgmGeWeighterOptions"/>: Alpha finite and &gt; 0; a defined formula.</summary>
public sealed class OgmGeWeighterOptionsValidator : IValidateOptions<OgmGeWeighterOptions>
{
    private const string Prefix = nameof(OgmGeWeighterOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OgmGeWeighterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!double.IsFinite(options.Alpha) || options.Alpha <= 0)
            failures.Add($"{Prefix}{nameof(OgmGeWeighterOptions.Alpha)} must be a finite number > 0 (was {options.Alpha}).");
        if (!Enum.IsDefined(options.Formula))
            failures.Add($"{Prefix}{nameof(OgmGeWeighterOptions.Formula)} must be Paper or Code (was {(int)options.Formula}).");
        return OptionsGuard.ToResult(failures);
    }
}
