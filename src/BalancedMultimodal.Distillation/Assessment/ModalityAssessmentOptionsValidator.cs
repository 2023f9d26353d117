using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// Validates <see cref="ModalityAssessmentOptions"/>: Delta finite &gt;= 0; Permutations &gt;= 0; SignificanceLevel in (0, 1)
/// and attainable (&gt;= 1/(1 + P)); MinimumMutualInformation finite &gt;= 0; PcaComponents &gt;= 1.
/// </summary>
public sealed class ModalityAssessmentOptionsValidator : IValidateOptions<ModalityAssessmentOptions>
{
    private const string Prefix = nameof(ModalityAssessmentOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ModalityAssessmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!double.IsFinite(options.Delta) || options.Delta < 0)
            failures.Add($"{Prefix}{nameof(ModalityAssessmentOptions.Delta)} must be a finite number >= 0 (was {options.Delta}).");
        if (options.Permutations < 0)
            failures.Add($"{Prefix}{nameof(ModalityAssessmentOptions.Permutations)} must be >= 0 (was {options.Permutations}); 0 disables the permutation test.");
        if (!(options.SignificanceLevel > 0 && options.SignificanceLevel < 1))
            failures.Add($"{Prefix}{nameof(ModalityAssessmentOptions.SignificanceLevel)} must lie in (0, 1) (was {options.SignificanceLevel}).");
        else if (options.Permutations > 0 && 1.0 / (1 + options.Permutations) > options.SignificanceLevel)
            failures.Add($"{Prefix}{nameof(ModalityAssessmentOptions.SignificanceLevel)} {options.SignificanceLevel} is below the smallest p-value 1/(1 + {options.Permutations}) that {options.Permutations} permutations can give; raise {Prefix}{nameof(ModalityAssessmentOptions.Permutations)}.");
        if (!double.IsFinite(options.MinimumMutualInformation) || options.MinimumMutualInformation < 0)
            failures.Add($"{Prefix}{nameof(ModalityAssessmentOptions.MinimumMutualInformation)} must be a finite number >= 0 (was {options.MinimumMutualInformation}).");
        if (options.PcaComponents < 1)
            failures.Add($"{Prefix}{nameof(ModalityAssessmentOptions.PcaComponents)} must be >= 1 (was {options.PcaComponents}).");
        return OptionsGuard.ToResult(failures);
    }
}
