using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Information;

/// <summary>Validates <see cref="InfoNceEstimatorOptions"/>: Steps &gt;= 1, HiddenSize &gt;= 1, LearningRate &gt; 0,
/// BatchSize &gt;= 2, HeldOutFraction in [0, 1), Bound defined.</summary>
public sealed class InfoNceEstimatorOptionsValidator : IValidateOptions<InfoNceEstimatorOptions>
{
    private const string Prefix = nameof(InfoNceEstimatorOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, InfoNceEstimatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Steps < 1) failures.Add($"{Prefix}{nameof(InfoNceEstimatorOptions.Steps)} must be at least 1, got {options.Steps}.");
        if (options.HiddenSize < 1) failures.Add($"{Prefix}{nameof(InfoNceEstimatorOptions.HiddenSize)} must be at least 1, got {options.HiddenSize}.");
        if (!(double.IsFinite(options.LearningRate) && options.LearningRate > 0))
            failures.Add($"{Prefix}{nameof(InfoNceEstimatorOptions.LearningRate)} must be finite and positive, got {options.LearningRate}.");
        if (options.BatchSize < 2) failures.Add($"{Prefix}{nameof(InfoNceEstimatorOptions.BatchSize)} must be at least 2, got {options.BatchSize}.");
        if (!(options.HeldOutFraction >= 0 && options.HeldOutFraction < 1))
            failures.Add($"{Prefix}{nameof(InfoNceEstimatorOptions.HeldOutFraction)} must lie in [0, 1), got {options.HeldOutFraction}.");
        if (!Enum.IsDefined(options.Bound)) failures.Add($"{Prefix}{nameof(InfoNceEstimatorOptions.Bound)} is not a known bound: {options.Bound}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
