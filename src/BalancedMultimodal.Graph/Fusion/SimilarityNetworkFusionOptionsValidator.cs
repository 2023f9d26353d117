using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>Validates <see cref="SimilarityNetworkFusionOptions"/>: K &gt;= 1, Iterations &gt;= 1, Alpha finite and
/// &gt;= 0, a defined <see cref="FusionProductPath"/>. (K below the sample count is checked when fusing.)</summary>
public sealed class SimilarityNetworkFusionOptionsValidator : IValidateOptions<SimilarityNetworkFusionOptions>
{
    private const string Prefix = nameof(SimilarityNetworkFusionOptions) + ".";

    /// <summary>Checks every option and names each one that is out of range.</summary>
    /// <param name="name">The options name (unused).</param>
    /// <param name="options">The options to check.</param>
    /// <returns>Success, or a failure listing every offending option.</returns>
    public ValidateOptionsResult Validate(string? name, SimilarityNetworkFusionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.K < 1)
            failures.Add($"{Prefix}{nameof(SimilarityNetworkFusionOptions.K)} must be at least 1, got {options.K}.");
        if (options.Iterations < 1)
            failures.Add($"{Prefix}{nameof(SimilarityNetworkFusionOptions.Iterations)} must be at least 1, got {options.Iterations}.");
        if (!double.IsFinite(options.Alpha) || options.Alpha < 0)
            failures.Add($"{Prefix}{nameof(SimilarityNetworkFusionOptions.Alpha)} must be finite and non-negative, got {options.Alpha}.");
        if (!Enum.IsDefined(options.ProductPath))
            failures.Add($"{Prefix}{nameof(SimilarityNetworkFusionOptions.ProductPath)} has the undefined value {(int)options.ProductPath}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Runs the validator and throws <see cref="OptionsValidationException"/> when it fails.</summary>
    /// <param name="options">The options to check.</param>
    /// <returns><paramref name="options"/>, unchanged.</returns>
    public static SimilarityNetworkFusionOptions EnsureValid(SimilarityNetworkFusionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new SimilarityNetworkFusionOptionsValidator().Validate(null, options);
        if (result.Failed)
            throw new OptionsValidationException(nameof(SimilarityNetworkFusionOptions), typeof(SimilarityNetworkFusionOptions), result.Failures);
        return options;
    }
}
