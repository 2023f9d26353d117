using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>Validates <see cref="AffinityOptions"/>: K &gt;= 1, Mu finite and &gt; 0, a defined metric.
/// (K below the sample count is checked when building.)</summary>
public sealed class AffinityOptionsValidator : IValidateOptions<AffinityOptions>
{
    private const string Prefix = nameof(AffinityOptions) + ".";

    /// <summary>Checks every option and names each one that is out of range.</summary>
    /// <param name="name">The options name (unused).</param>
    /// <param name="options">The options to check.</param>
    /// <returns>Success, or a failure listing every offending option.</returns>
    public ValidateOptionsResult Validate(string? name, AffinityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.K < 1)
            failures.Add($"{Prefix}{nameof(AffinityOptions.K)} must be at least 1, got {options.K}.");
        if (!double.IsFinite(options.Mu) || options.Mu <= 0)
            failures.Add($"{Prefix}{nameof(AffinityOptions.Mu)} must be finite and positive, got {options.Mu}.");
        if (!Enum.IsDefined(options.Metric))
            failures.Add($"{Prefix}{nameof(AffinityOptions.Metric)} has the undefined value {(int)options.Metric}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Runs the validator and throws <see cref="OptionsValidationException"/> when it fails.</summary>
    /// <param name="options">The options to check.</param>
    /// <returns><paramref name="options"/>, unchanged.</returns>
    public static AffinityOptions EnsureValid(AffinityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new AffinityOptionsValidator().Validate(null, options);
        if (result.Failed)
            throw new OptionsValidationException(nameof(AffinityOptions), typeof(AffinityOptions), result.Failures);
        return options;
    }
}
