using BalancedMultimodal.Graph.Fusion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Graph;

/// <summary>Registers similarity network fusion with the options pattern.</summary>
public static class SimilarityNetworkFusionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISimilarityFusion"/> (<see cref="SimilarityNetworkFusion"/>) and <see cref="AffinityBuilder"/>
    /// as singletons, binds <see cref="SimilarityNetworkFusionOptions"/> to <paramref name="configuration"/> (keys
    /// <c>K</c>, <c>Iterations</c>, <c>Alpha</c>, <c>ProductPath</c>) and <see cref="AffinityOptions"/> to its
    /// <c>Affinity</c> sub-section (keys <c>K</c>, <c>Mu</c>, <c>Metric</c>, <c>ZScore</c>), and validates both
    /// (<see cref="OptionsValidationException"/> naming the option on first use, or at start-up under a host).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section of the fusion, e.g. <c>configuration.GetSection("Snf")</c>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddSimilarityNetworkFusion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SimilarityNetworkFusionOptions>().Bind(configuration).ValidateOnStart();
        services.AddOptions<AffinityOptions>().Bind(configuration.GetSection("Affinity")).ValidateOnStart();
        return AddServices(services);
    }

    /// <summary>Registers the fusion and affinity builder with options set in code (validated on first use).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureFusion">Sets the fusion options.</param>
    /// <param name="configureAffinity">Optionally sets the affinity options.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddSimilarityNetworkFusion(
        this IServiceCollection services,
        Action<SimilarityNetworkFusionOptions> configureFusion,
        Action<AffinityOptions>? configureAffinity = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureFusion);
        services.AddOptions<SimilarityNetworkFusionOptions>().Configure(configureFusion).ValidateOnStart();
        var affinity = services.AddOptions<AffinityOptions>().ValidateOnStart();
        if (configureAffinity is not null) affinity.Configure(configureAffinity);
        return AddServices(services);
    }

    private static IServiceCollection AddServices(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SimilarityNetworkFusionOptions>, SimilarityNetworkFusionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AffinityOptions>, AffinityOptionsValidator>());
        services.TryAddSingleton<ISimilarityFusion>(sp => new SimilarityNetworkFusion(sp.GetRequiredService<IOptions<SimilarityNetworkFusionOptions>>()));
        services.TryAddSingleton(sp => new AffinityBuilder(sp.GetRequiredService<IOptions<AffinityOptions>>()));
        return services;
    }
}
