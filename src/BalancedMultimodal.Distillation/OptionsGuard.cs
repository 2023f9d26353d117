using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation;

/// <summary>Runs an options validator when a component is constructed directly (without the options pipeline).</summary>
internal static class OptionsGuard
{
    /// <summary>Throws an <see cref="ArgumentException"/> listing every failure if <paramref name="options"/> is invalid.</summary>
    public static T Validate<T>(IValidateOptions<T> validator, T? options, string paramName) where T : class
    {
        ArgumentNullException.ThrowIfNull(options, paramName);
        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed)
            throw new ArgumentException(string.Join(" ", result.Failures ?? [result.FailureMessage]), paramName);
        return options;
    }

    /// <summary>Collects the failure messages of a validator into a result.</summary>
    public static ValidateOptionsResult ToResult(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
