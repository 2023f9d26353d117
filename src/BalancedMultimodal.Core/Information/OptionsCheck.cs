using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Information;

/// <summary>Runs an options validator for components constructed without dependency injection.</summary>
internal static class OptionsCheck
{
    /// <summary>Validates <paramref name="options"/> and throws <see cref="OptionsValidationException"/> naming
    /// the failing options, or returns them unchanged.</summary>
    public static T Validated<T>(T options, IValidateOptions<T> validator) where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed)
            throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures);
        return options;
    }
}
