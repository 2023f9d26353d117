using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.Losses;

/// <summary>
/// Validates <see cref="DistillationLossOptions"/>: weights finite and &gt;= 0, not all zero; temperature finite and &gt; 0
/// with a square T^2 that is a finite positive normal double (about 1.5e-154 &lt;= T &lt;= 1.3e154); a defined
/// representation kind.
/// </summary>
public sealed class DistillationLossOptionsValidator : IValidateOptions<DistillationLossOptions>
{
    private const string Prefix = nameof(DistillationLossOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DistillationLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckWeight(failures, nameof(options.CrossEntropyWeight), options.CrossEntropyWeight);
        CheckWeight(failures, nameof(options.KullbackLeiblerWeight), options.KullbackLeiblerWeight);
        CheckWeight(failures, nameof(options.RepresentationWeight), options.RepresentationWeight);
        if (options.CrossEntropyWeight == 0 && options.KullbackLeiblerWeight == 0 && options.RepresentationWeight == 0)
            failures.Add($"{Prefix}{nameof(options.CrossEntropyWeight)}, {Prefix}{nameof(options.KullbackLeiblerWeight)} and "
                + $"{Prefix}{nameof(options.RepresentationWeight)} are all 0; at least one must be positive.");
        if (TemperatureProblem(options.Temperature) is { } problem)
            failures.Add($"{Prefix}{nameof(DistillationLossOptions.Temperature)} {problem}");
        if (!Enum.IsDefined(options.Representation))
            failures.Add($"{Prefix}{nameof(DistillationLossOptions.Representation)} must be ProjectedMse or Cosine (was {(int)options.Representation}).");
        return OptionsGuard.ToResult(failures);
    }

    /// <summary>Why <paramref name="temperature"/> cannot be a distillation temperature (a sentence ending in a full stop,
    /// to follow the temperature's name), or null when it can: T must be a finite number &gt; 0 whose square, the KL term's
    /// factor T^2, is a finite positive normal double (about 1.5e-154 &lt;= T &lt;= 1.3e154); beyond, T^2 overflows to
    /// infinity or underflows to a subnormal or 0, and the term is no longer T^2 times the KL.</summary>
    internal static string? TemperatureProblem(double temperature)
    {
        if (!double.IsFinite(temperature) || temperature <= 0)
            return $"must be a finite number > 0 (was {temperature}).";
        double squared = temperature * temperature;
        if (!double.IsNormal(squared))
            return $"must have a square T^2, the KL term's factor, that is a finite positive normal double (about 1.5e-154 <= T <= 1.3e154); T = {temperature} gives T^2 = {squared}.";
        return null;
    }

    private static void CheckWeight(List<string> failures, string name, double value)
    {
        if (!double.IsFinite(value) || value < 0)
            failures.Add($"{Prefix}{name} must be a finite number >= 0 (was {value}).");
    }
}
