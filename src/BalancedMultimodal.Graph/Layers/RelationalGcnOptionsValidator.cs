using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Graph.Layers;

/// <summary>Validates <see cref="RelationalGcnOptions"/>; every failure names the option and the rule it breaks, starting
/// with the option's class-qualified name (<c>RelationalGcnOptions.Dropout must be in [0, 1), got 1.5.</c>) and naming every
/// other option it involves the same way (<c>RelationalGcnOptions.NumBlocks (3) must divide RelationalGcnOptions.InputSize (10).</c>).</summary>
public sealed class RelationalGcnOptionsValidator : IValidateOptions<RelationalGcnOptions>
{
    private const string Prefix = nameof(RelationalGcnOptions) + ".";

    /// <summary>Checks every option of <paramref name="options"/>.</summary>
    /// <param name="name">The named-options name (unused).</param>
    /// <param name="options">The options to check.</param>
    /// <returns>Success, or a failure listing every broken rule.</returns>
    public ValidateOptionsResult Validate(string? name, RelationalGcnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.InputSize < 1)
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.InputSize)} must be at least 1, got {options.InputSize}.");
        if (options.HiddenSizes is null || options.HiddenSizes.Length == 0)
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.HiddenSizes)} must list at least one layer size.");
        else
            for (int l = 0; l < options.HiddenSizes.Length; l++)
                if (options.HiddenSizes[l] < 1)
                    failures.Add($"{Prefix}{nameof(RelationalGcnOptions.HiddenSizes)}[{l}] must be at least 1, got {options.HiddenSizes[l]}.");
        if (options.RelationCount < 1)
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.RelationCount)} must be at least 1, got {options.RelationCount}.");
        if (options.NumBases is not null && options.NumBlocks is not null)
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.NumBases)} and {Prefix}{nameof(RelationalGcnOptions.NumBlocks)} cannot both be set.");
        if (options.NumBases is { } bases && (bases < 1 || bases > options.RelationCount))
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.NumBases)} must be between 1 and {Prefix}{nameof(RelationalGcnOptions.RelationCount)} ({options.RelationCount}), got {bases}.");
        if (options.NumBlocks is { } blocks)
        {
            if (blocks < 1)
                failures.Add($"{Prefix}{nameof(RelationalGcnOptions.NumBlocks)} must be at least 1, got {blocks}.");
            else
            {
                if (options.InputSize % blocks != 0)
                    failures.Add($"{Prefix}{nameof(RelationalGcnOptions.NumBlocks)} ({blocks}) must divide {Prefix}{nameof(RelationalGcnOptions.InputSize)} ({options.InputSize}).");
                if (options.HiddenSizes is not null)
                    for (int l = 0; l < options.HiddenSizes.Length; l++)
                        if (options.HiddenSizes[l] % blocks != 0)
                            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.NumBlocks)} ({blocks}) must divide {Prefix}{nameof(RelationalGcnOptions.HiddenSizes)}[{l}] ({options.HiddenSizes[l]}).");
            }
        }
        if (!Enum.IsDefined(options.Activation))
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.Activation)} has the undefined value {(int)options.Activation}.");
        if (!double.IsFinite(options.NegativeSlope) || options.NegativeSlope < 0)
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.NegativeSlope)} must be finite and at least 0, got {options.NegativeSlope}.");
        if (!(options.Dropout >= 0 && options.Dropout < 1))
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.Dropout)} must be in [0, 1), got {options.Dropout}.");
        if (options.ClassCount is { } classes && classes < 2)
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.ClassCount)} must be at least 2 (or null for no head), got {classes}.");
        if (!Enum.IsDefined(options.Head))
            failures.Add($"{Prefix}{nameof(RelationalGcnOptions.Head)} has the undefined value {(int)options.Head}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
