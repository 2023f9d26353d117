using BalancedMultimodal.Graph.Layers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Graph;

/// <summary>Registers the relational GCN's options with the options pattern.</summary>
/// <remarks>Only the options and their validation are registered: a <see cref="RelationalGcn"/> holds trainable
/// parameters on a device and dtype of the caller's choosing, so build it from the validated options,
/// <c>new RelationalGcn(provider.GetRequiredService&lt;IOptions&lt;RelationalGcnOptions&gt;&gt;(), device, dtype)</c>,
/// or use them as the template of one encoder per modality,
/// <c>new RelationalGcnEncoderFactory(graph, provider.GetRequiredService&lt;IOptions&lt;RelationalGcnOptions&gt;&gt;().Value)</c>.
/// <c>InputSize</c> and <c>RelationCount</c> belong to the data: the registered options may leave the width unset (0)
/// and set more <c>NumBases</c> than the configured relation count, both of which the factory settles per modality and
/// graph and the network's constructor refuses; every other rule is validated on first use and at start-up.</remarks>
public static class RelationalGcnServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="RelationalGcnOptions"/> to <paramref name="configuration"/> (keys <c>InputSize</c>,
    /// <c>HiddenSizes</c>, <c>RelationCount</c>, <c>NumBases</c>, <c>NumBlocks</c>, <c>Bias</c>, <c>Activation</c>,
    /// <c>NegativeSlope</c>, <c>Dropout</c>, <c>ClassCount</c>, <c>Head</c>) and validates them with
    /// <see cref="RelationalGcnOptionsValidator"/> (<see cref="OptionsValidationException"/> naming the option on first
    /// use, or at start-up under a host), except that <c>InputSize</c> may be left out (see the remarks of the class).
    /// </summary>
    /// <remarks>A configured <c>HiddenSizes</c> list replaces the default [64, 64] (a plain
    /// <c>Bind</c> would append to it; <see cref="RelationalGcnOptions.HiddenSizes"/>); without the key the default stays.</remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section of the network, e.g. <c>configuration.GetSection("Rgcn")</c>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRelationalGcn(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RelationalGcnOptions>()
            .Bind(configuration)
            // Right after the bind (before any later Configure): the configured sizes alone, not appended to the default.
            .Configure(o => o.HiddenSizes = configuration.GetSection(nameof(RelationalGcnOptions.HiddenSizes)).Get<int[]>() ?? o.HiddenSizes)
            .ValidateOnStart();
        return AddValidator(services);
    }

    /// <summary>Registers <see cref="RelationalGcnOptions"/> set in code, validated with
    /// <see cref="RelationalGcnOptionsValidator"/> (on first use, or at start-up under a host), except that
    /// <c>InputSize</c> may be left unset (see the remarks of the class).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRelationalGcn(this IServiceCollection services, Action<RelationalGcnOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RelationalGcnOptions>().Configure(configure).ValidateOnStart();
        return AddValidator(services);
    }

    private static IServiceCollection AddValidator(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RelationalGcnOptions>, RegisteredOptionsValidator>());
        return services;
    }

    /// <summary>
    /// <see cref="RelationalGcnOptionsValidator"/> for registered options, except for what the data decides: an
    /// <c>InputSize</c> of 0 (not configured) passes, and <c>NumBases</c> is not held to the configured
    /// <c>RelationCount</c>. Registered options typically serve as the template of a <c>RelationalGcnEncoderFactory</c>,
    /// which sets the width per modality and the relation count from its graph (where both rules are judged). A network
    /// built directly from such options still applies every rule in its constructor, naming the option; a negative width
    /// or relation count is refused here.
    /// </summary>
    private sealed class RegisteredOptionsValidator : IValidateOptions<RelationalGcnOptions>
    {
        private readonly RelationalGcnOptionsValidator _rules = new();

        public ValidateOptionsResult Validate(string? name, RelationalGcnOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            // The factory sets the relation count from its graph: bases up to any valid count are judged there.
            int relationCount = options.RelationCount >= 1 && options.NumBases is { } bases ? Math.Max(options.RelationCount, bases) : options.RelationCount;
            int inputSize = options.InputSize == 0 ? options.PlaceholderInputSize : options.InputSize;
            return _rules.Validate(name, options.CopyWith(inputSize, relationCount, options.ClassCount));
        }
    }
}
