using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Information;

/// <summary>Validates <see cref="BootstrapOptions"/>: Resamples &gt;= 2, ConfidenceLevel in (0, 1).</summary>
public sealed class BootstrapOptionsValidator : IValidateOptions<BootstrapOptions>
{
    private const string Prefix = nameof(BootstrapOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BootstrapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Resamples < 2) failures.Add($"{Prefix}{nameof(BootstrapOptions.Resamples)} must be at least 2, got {options.Resamples}.");
        if (!(options.ConfidenceLevel > 0 && options.ConfidenceLevel < 1))
            failures.Add($"{Prefix}{nameof(BootstrapOptions.ConfidenceLevel)} must lie in (0, 1), got {options.ConfidenceLevel}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
