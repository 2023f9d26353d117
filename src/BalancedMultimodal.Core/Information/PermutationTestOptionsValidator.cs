using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Information;

/// <summary>Validates <see cref="PermutationTestOptions"/>: Permutations &gt;= 1.</summary>
public sealed class PermutationTestOptionsValidator : IValidateOptions<PermutationTestOptions>
{
    private const string Prefix = nameof(PermutationTestOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PermutationTestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Permutations >= 1
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{Prefix}{nameof(PermutationTestOptions.Permutations)} must be at least 1, got {options.Permutations}.");
    }
}
