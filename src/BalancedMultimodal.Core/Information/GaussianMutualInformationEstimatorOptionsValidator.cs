using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Information;

/// <summary>Validates <see cref="GaussianMutualInformationEstimatorOptions"/>: Ridge finite and &gt;= 0.</summary>
public sealed class GaussianMutualInformationEstimatorOptionsValidator : IValidateOptions<GaussianMutualInformationEstimatorOptions>
{
    private const string Prefix = nameof(GaussianMutualInformationEstimatorOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GaussianMutualInformationEstimatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return double.IsFinite(options.Ridge) && options.Ridge >= 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{Prefix}{nameof(GaussianMutualInformationEstimatorOptions.Ridge)} must be finite and >= 0, got {options.Ridge}.");
    }
}
