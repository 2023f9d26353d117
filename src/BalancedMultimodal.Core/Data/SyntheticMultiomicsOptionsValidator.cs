using System.Globalization;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Data;

/// <summary>Validates <see cref="SyntheticMultiomicsOptions"/>; every failure starts with the option's class-qualified name
/// (<c>SyntheticMultiomicsOptions.SampleCount must be &gt;= 2 (got 1).</c>) and names every other option it involves the same way.</summary>
public sealed class SyntheticMultiomicsOptionsValidator : IValidateOptions<SyntheticMultiomicsOptions>
{
    private const string Prefix = nameof(SyntheticMultiomicsOptions) + ".";
    private const string SampleCount = Prefix + nameof(SyntheticMultiomicsOptions.SampleCount);
    private const string ClassProportions = Prefix + nameof(SyntheticMultiomicsOptions.ClassProportions);
    private const string Modalities = Prefix + nameof(SyntheticMultiomicsOptions.Modalities);
    private const string ValidationFraction = Prefix + nameof(SyntheticMultiomicsOptions.ValidationFraction);
    private const string TestFraction = Prefix + nameof(SyntheticMultiomicsOptions.TestFraction);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SyntheticMultiomicsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.SampleCount < 2) failures.Add($"{SampleCount} must be >= 2 (got {options.SampleCount}).");
        if (options.ClassProportions is null || options.ClassProportions.Length < 2)
            failures.Add($"{ClassProportions} must list at least two classes.");
        else
            for (int c = 0; c < options.ClassProportions.Length; c++)
                if (!(double.IsFinite(options.ClassProportions[c]) && options.ClassProportions[c] > 0))
                    failures.Add($"{ClassProportions}[{c}] must be finite and > 0 (got {options.ClassProportions[c].ToString(CultureInfo.InvariantCulture)}).");
        if (options.ClassProportions is not null && options.SampleCount < options.ClassProportions.Length)
            failures.Add($"{SampleCount} ({options.SampleCount}) must be at least the number of classes ({options.ClassProportions.Length}).");
        if (options.Modalities is null || options.Modalities.Length == 0)
            failures.Add($"{Modalities} must list at least one modality.");
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int m = 0; m < options.Modalities.Length; m++)
            {
                var modality = options.Modalities[m];
                if (modality is null) { failures.Add($"{Modalities}[{m}] is null."); continue; }
                if (string.IsNullOrWhiteSpace(modality.Name)) failures.Add($"{Modalities}[{m}].{nameof(modality.Name)} must be non-empty.");
                else if (!names.Add(modality.Name)) failures.Add($"{Modalities}[{m}].{nameof(modality.Name)} '{modality.Name}' is used twice.");
                if (modality.FeatureCount < 1) failures.Add($"{Modalities}[{m}].{nameof(modality.FeatureCount)} must be >= 1 (got {modality.FeatureCount}).");
                if (modality.InformativeFeatureCount < 0 || modality.InformativeFeatureCount > modality.FeatureCount)
                    failures.Add($"{Modalities}[{m}].{nameof(modality.InformativeFeatureCount)} must be in [0, {Modalities}[{m}].{nameof(modality.FeatureCount)} = {modality.FeatureCount}] (got {modality.InformativeFeatureCount}).");
                if (!(double.IsFinite(modality.SignalStrength) && modality.SignalStrength >= 0))
                    failures.Add($"{Modalities}[{m}].{nameof(modality.SignalStrength)} must be finite and >= 0 (got {modality.SignalStrength.ToString(CultureInfo.InvariantCulture)}).");
            }
        }
        if (!(options.ValidationFraction >= 0 && options.ValidationFraction < 1))
            failures.Add($"{ValidationFraction} must be in [0, 1) (got {options.ValidationFraction.ToString(CultureInfo.InvariantCulture)}).");
        if (!(options.TestFraction >= 0 && options.TestFraction < 1))
            failures.Add($"{TestFraction} must be in [0, 1) (got {options.TestFraction.ToString(CultureInfo.InvariantCulture)}).");
        else if (options.ValidationFraction + options.TestFraction >= 1)
            failures.Add($"{ValidationFraction} + {TestFraction} must be < 1 so that training rows remain.");
        if (failures.Count == 0) CheckSplitFeasible(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every class must keep a training row after its stratified test and validation rows
    /// (<see cref="StratifiedSplitter.Split(IReadOnlyList{int}, double, double, int, IReadOnlyList{int}?)"/>'s rounding), so that generating never fails half-way.</summary>
    private static void CheckSplitFeasible(SyntheticMultiomicsOptions options, List<string> failures)
    {
        var counts = SyntheticMultiomicsGenerator.ClassCounts(options.SampleCount, options.ClassProportions);
        for (int c = 0; c < counts.Length; c++)
        {
            int test = StratifiedSplitter.PartSize(counts[c], options.TestFraction);
            int validation = StratifiedSplitter.PartSize(counts[c], options.ValidationFraction);
            if (counts[c] - test - validation >= 1) continue;
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{SampleCount} = {options.SampleCount} gives class {c} {counts[c]} sample(s) ({ClassProportions}), too few for {TestFraction} = {options.TestFraction} " +
                $"and {ValidationFraction} = {options.ValidationFraction}: the class needs {test} test, {validation} validation and at least one training row."));
        }
    }
}
