using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Information;

/// <summary>Validates <see cref="ContinuousDiscreteEstimatorOptions"/>: K &gt;= 1, BlockSize &gt;= 0.</summary>
public sealed class ContinuousDiscreteEstimatorOptionsValidator : IValidateOptions<ContinuousDiscreteEstimatorOptions>
{
    private const string Prefix = nameof(ContinuousDiscreteEstimatorOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ContinuousDiscreteEstimatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.K < 1) failures.Add($"{Prefix}{nameof(ContinuousDiscreteEstimatorOptions.K)} must be at least 1, got {options.K}.");
        if (options.BlockSize < 0) failures.Add($"{Prefix}{nameof(ContinuousDiscreteEstimatorOptions.BlockSize)} must be 0 (automatic) or positive, got {options.BlockSize}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
