using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Information;

/// <summary>Validates <see cref="KsgEstimatorOptions"/>: K &gt;= 1, BlockSize &gt;= 0.</summary>
public sealed class KsgEstimatorOptionsValidator : IValidateOptions<KsgEstimatorOptions>
{
    private const string Prefix = nameof(KsgEstimatorOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KsgEstimatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.K < 1) failures.Add($"{Prefix}{nameof(KsgEstimatorOptions.K)} must be at least 1, got {options.K}.");
        if (options.BlockSize < 0) failures.Add($"{Prefix}{nameof(KsgEstimatorOptions.BlockSize)} must be 0 (automatic) or positive, got {options.BlockSize}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
