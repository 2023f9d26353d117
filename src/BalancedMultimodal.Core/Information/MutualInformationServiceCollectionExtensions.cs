using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Information;

/// <summary>Registers the mutual information estimators, the permutation test and the bootstrap.</summary>
public static class MutualInformationServiceCollectionExtensions
{
    /// <summary>
    /// Registers, as singletons with options bound from <paramref name="configuration"/> and validated on first use
    /// (and at host start): <see cref="KsgEstimator"/> (section <c>Ksg</c>), <see cref="ContinuousDiscreteEstimator"/>
    /// (<c>ContinuousDiscrete</c>), <see cref="GaussianMutualInformationEstimator"/> (<c>Gaussian</c>),
    /// <see cref="InfoNceEstimator"/> (<c>InfoNce</c>), <see cref="DiscreteMutualInformationEstimator"/>,
    /// <see cref="PermutationTest"/> (<c>PermutationTest</c>) and <see cref="BootstrapConfidenceInterval"/>
    /// (<c>Bootstrap</c>). <see cref="IMutualInformationEstimator"/> resolves to the KSG estimator; every estimator
    /// is also a keyed <see cref="IMutualInformationEstimator"/> under its <see cref="IMutualInformationEstimator.Name"/>
    /// (<c>ksg</c>, <c>mixed</c>, <c>gaussian</c>, <c>discrete</c>), and the neural estimator under both <c>infonce</c>
    /// and <c>dv</c>, each with that bound and the other <c>InfoNce</c> options as configured (the un-keyed
    /// <see cref="InfoNceEstimator"/> has the configured bound).
    /// The permutation test and bootstrap use the un-keyed (KSG) estimator.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding the sub-sections above (missing ones keep defaults).</param>
    /// <returns>The same collection, for chaining.</returns>
    /// <example><code>
    /// services.AddMutualInformationEstimators(configuration.GetSection("MutualInformation"));
    /// var ksg = provider.GetRequiredService&lt;IMutualInformationEstimator&gt;();
    /// </code></example>
    public static IServiceCollection AddMutualInformationEstimators(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Register(services, configuration);
    }

    /// <summary>
    /// Registers the same services as <see cref="AddMutualInformationEstimators(IServiceCollection, IConfiguration)"/>
    /// with default options and no configuration binding; set options in code with
    /// <c>services.Configure&lt;KsgEstimatorOptions&gt;(o =&gt; o.K = 5)</c> and the like (validated on first use and at
    /// host start).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same collection, for chaining.</returns>
    /// <example><code>
    /// services.AddMutualInformationEstimators().Configure&lt;KsgEstimatorOptions&gt;(o =&gt; o.K = 5);
    /// </code></example>
    public static IServiceCollection AddMutualInformationEstimators(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return Register(services, null);
    }

    private static IServiceCollection Register(IServiceCollection services, IConfiguration? configuration)
    {
        Bind<KsgEstimatorOptions, KsgEstimatorOptionsValidator>(services, configuration, "Ksg");
        Bind<ContinuousDiscreteEstimatorOptions, ContinuousDiscreteEstimatorOptionsValidator>(services, configuration, "ContinuousDiscrete");
        Bind<GaussianMutualInformationEstimatorOptions, GaussianMutualInformationEstimatorOptionsValidator>(services, configuration, "Gaussian");
        Bind<InfoNceEstimatorOptions, InfoNceEstimatorOptionsValidator>(services, configuration, "InfoNce");
        Bind<PermutationTestOptions, PermutationTestOptionsValidator>(services, configuration, "PermutationTest");
        Bind<BootstrapOptions, BootstrapOptionsValidator>(services, configuration, "Bootstrap");

        services.TryAddSingleton(sp => new KsgEstimator(sp.GetRequiredService<IOptions<KsgEstimatorOptions>>()));
        services.TryAddSingleton(sp => new ContinuousDiscreteEstimator(sp.GetRequiredService<IOptions<ContinuousDiscreteEstimatorOptions>>()));
        services.TryAddSingleton(sp => new GaussianMutualInformationEstimator(sp.GetRequiredService<IOptions<GaussianMutualInformationEstimatorOptions>>()));
        services.TryAddSingleton(sp => new InfoNceEstimator(sp.GetRequiredService<IOptions<InfoNceEstimatorOptions>>()));
        services.TryAddSingleton<DiscreteMutualInformationEstimator>();

        services.TryAddSingleton<IMutualInformationEstimator>(sp => sp.GetRequiredService<KsgEstimator>());
        services.AddKeyedSingleton<IMutualInformationEstimator>("ksg", (sp, _) => sp.GetRequiredService<KsgEstimator>());
        services.AddKeyedSingleton<IMutualInformationEstimator>("mixed", (sp, _) => sp.GetRequiredService<ContinuousDiscreteEstimator>());
        services.AddKeyedSingleton<IMutualInformationEstimator>("gaussian", (sp, _) => sp.GetRequiredService<GaussianMutualInformationEstimator>());
        // Both neural keys, each with its own bound (the other options as configured), so that a key always resolves to
        // an estimator of that Name, however the options were configured (section, Configure, PostConfigure).
        services.AddKeyedSingleton<IMutualInformationEstimator>("infonce", (sp, _) => WithBound(sp, NeuralMutualInformationBound.InfoNce));
        services.AddKeyedSingleton<IMutualInformationEstimator>("dv", (sp, _) => WithBound(sp, NeuralMutualInformationBound.DonskerVaradhan));
        services.AddKeyedSingleton<IMutualInformationEstimator>("discrete", (sp, _) => sp.GetRequiredService<DiscreteMutualInformationEstimator>());

        services.TryAddSingleton(sp => new PermutationTest(sp.GetRequiredService<IMutualInformationEstimator>(), sp.GetRequiredService<IOptions<PermutationTestOptions>>()));
        services.TryAddSingleton(sp => new BootstrapConfidenceInterval(sp.GetRequiredService<IMutualInformationEstimator>(), sp.GetRequiredService<IOptions<BootstrapOptions>>()));
        return services;
    }

    /// <summary>The unkeyed <see cref="InfoNceEstimator"/> when its bound is <paramref name="bound"/>, else a new one with
    /// the same options and that bound.</summary>
    private static InfoNceEstimator WithBound(IServiceProvider provider, NeuralMutualInformationBound bound)
    {
        var configured = provider.GetRequiredService<IOptions<InfoNceEstimatorOptions>>().Value;
        if (configured.Bound == bound) return provider.GetRequiredService<InfoNceEstimator>();
        return new InfoNceEstimator(new InfoNceEstimatorOptions
        {
            Steps = configured.Steps, HiddenSize = configured.HiddenSize, LearningRate = configured.LearningRate, BatchSize = configured.BatchSize,
            Seed = configured.Seed, HeldOutFraction = configured.HeldOutFraction, Bound = bound,
        });
    }

    private static void Bind<TOptions, TValidator>(IServiceCollection services, IConfiguration? configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        var builder = services.AddOptions<TOptions>();
        if (configuration is not null)
            builder.Bind(configuration.GetSection(section));
        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }
}
