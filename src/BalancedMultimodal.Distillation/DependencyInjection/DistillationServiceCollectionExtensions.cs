using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Distillation.DependencyInjection;

/// <summary>
/// Registers the distillation components with options bound from configuration and validated
/// (see docs/distillation.md for an <c>appsettings.json</c> example).
/// </summary>
public static class DistillationServiceCollectionExtensions
{
    /// <summary>The service key under which an optional estimator of I(outputs; labels) may be registered
    /// (<c>services.AddKeyedSingleton&lt;IMutualInformationEstimator&gt;(LabelEstimatorKey, ...)</c>).</summary>
    public const string LabelEstimatorKey = "BalancedMultimodal.Distillation.Labels";

    /// <summary>
    /// Registers, as singletons: <see cref="DistillationLossFactory"/>, <see cref="ModalityLossWeighterFactory"/>,
    /// <see cref="ModalityAssessor"/>, <see cref="BalancedTrainer"/> and the default <see cref="IMutualInformationSignificanceTest"/>
    /// (<see cref="RowPermutationSignificanceTest"/>, kept if one is already registered), with
    /// <see cref="DistillationLossOptions"/> bound from the <c>Loss</c> subsection of <paramref name="configuration"/>,
    /// <see cref="ModalityAssessmentOptions"/> from <c>Assessment</c>, <see cref="ModalityWeightingOptions"/> from
    /// <c>Weighting</c> and <see cref="BalancedTrainingOptions"/> from <c>Training</c>, each validated by its
    /// <see cref="IValidateOptions{TOptions}"/> (on first use, or at start-up in a host).
    /// </summary>
    /// <remarks>The assessor and the trainer resolve <see cref="IMutualInformationEstimator"/> from the container (register
    /// one, e.g. KSG), the assessor an optional label estimator under <see cref="LabelEstimatorKey"/> (without one, Core's
    /// continuous-discrete estimator), and the trainer an
    /// <see cref="IModalityEncoderFactory"/> (e.g. Core's <c>MlpEncoderFactory</c> or Graph's relational-GCN factory) and an
    /// optional <c>ILogger&lt;BalancedTrainer&gt;</c>.</remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The distillation section, e.g. <c>configuration.GetSection("BalancedMultimodal:Distillation")</c>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddBalancedMultimodalDistillation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Register(services, configuration);
    }

    private static IServiceCollection Register(IServiceCollection services, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddValidated<DistillationLossOptions, DistillationLossOptionsValidator>(services, configuration, DistillationLossOptions.SectionName);
        AddValidated<ModalityAssessmentOptions, ModalityAssessmentOptionsValidator>(services, configuration, ModalityAssessmentOptions.SectionName);
        AddValidated<ModalityWeightingOptions, ModalityWeightingOptionsValidator>(services, configuration, ModalityWeightingOptions.SectionName);
        AddValidated<BalancedTrainingOptions, BalancedTrainingOptionsValidator>(services, configuration, BalancedTrainingOptions.SectionName);

        services.TryAddSingleton(sp => new DistillationLossFactory(sp.GetRequiredService<IOptions<DistillationLossOptions>>()));
        services.TryAddSingleton(sp => new ModalityLossWeighterFactory(sp.GetRequiredService<IOptions<ModalityWeightingOptions>>()));
        services.TryAddSingleton<IMutualInformationSignificanceTest, RowPermutationSignificanceTest>();
        services.TryAddSingleton(sp => new ModalityAssessor(
            sp.GetRequiredService<IMutualInformationEstimator>(),
            sp.GetRequiredService<IOptions<ModalityAssessmentOptions>>(),
            sp.GetKeyedService<IMutualInformationEstimator>(LabelEstimatorKey),
            sp.GetRequiredService<IMutualInformationSignificanceTest>()));
        services.TryAddSingleton(sp => new BalancedTrainer(
            sp.GetRequiredService<IModalityEncoderFactory>(),
            sp.GetRequiredService<IMutualInformationEstimator>(),
            sp.GetRequiredService<IOptions<BalancedTrainingOptions>>(),
            sp.GetService<ILogger<BalancedTrainer>>()));
        return services;
    }

    /// <summary>Registers the components with default options (no configuration binding).</summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddBalancedMultimodalDistillation(this IServiceCollection services) =>
        Register(services, null);

    private static OptionsBuilder<T> AddValidated<T, TValidator>(IServiceCollection services, IConfiguration? configuration, string section)
        where T : class
        where TValidator : class, IValidateOptions<T>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, TValidator>());
        var builder = services.AddOptions<T>();
        if (configuration is not null)
            builder.Bind(configuration.GetSection(section));
        return builder.ValidateOnStart();
    }
}
