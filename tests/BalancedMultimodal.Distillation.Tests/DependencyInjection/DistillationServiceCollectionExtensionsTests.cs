using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.DependencyInjection;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.DependencyInjection;

public class DistillationServiceCollectionExtensionsTests
{
    private static GaussianMutualInformationEstimator Gaussian() => new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false });

    private static ServiceProvider Provider(IConfiguration configuration, Action<IServiceCollection>? extra = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMutualInformationEstimator>(Gaussian());
        extra?.Invoke(services);
        services.AddBalancedMultimodalDistillation(configuration.GetSection("BalancedMultimodal:Distillation"));
        return services.BuildServiceProvider();
    }

    private static IConfiguration DocumentedConfiguration() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Configuration", "appsettings.distillation.json"))
        .Build();

    private static IConfiguration InMemory(params (string Key, string Value)[] values) => new ConfigurationBuilder()
        .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("BalancedMultimodal:Distillation:" + v.Key, v.Value)))
        .Build();

    [Fact]
    public void The_documented_registration_of_an_estimator_by_type_resolves_the_assessor()
    {
        // docs/distillation.md registers Core's KSG by type; AddBalancedMultimodalDistillation registers the options
        // pattern, so the container sees both KsgEstimator(KsgEstimatorOptions?) and KsgEstimator(IOptions<...>).
        var services = new ServiceCollection();
        services.AddSingleton<IMutualInformationEstimator, KsgEstimator>();
        services.AddKeyedSingleton<IMutualInformationEstimator>(DistillationServiceCollectionExtensions.LabelEstimatorKey, new ContinuousDiscreteEstimator());
        services.AddBalancedMultimodalDistillation(InMemory());
        services.Configure<KsgEstimatorOptions>(o => o.K = 5);
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<ModalityAssessor>();

        act.Should().NotThrow("the container must pick one KsgEstimator constructor unambiguously");
        provider.GetRequiredService<IMutualInformationEstimator>().Should().BeOfType<KsgEstimator>()
            .Which.K.Should().Be(5, "the IOptions constructor is the one chosen, so configured options reach the estimator");
    }

    [Fact]
    public void The_documented_appsettings_bind_every_option()
    {
        using var provider = Provider(DocumentedConfiguration());

        var loss = provider.GetRequiredService<DistillationLossFactory>().Options;
        loss.KullbackLeiblerWeight.Should().Be(0.5);
        loss.Temperature.Should().Be(4.0);
        loss.Representation.Should().Be(RepresentationLossKind.Cosine);
        var assessment = provider.GetRequiredService<ModalityAssessor>().Options;
        assessment.Permutations.Should().Be(499);
        assessment.RequireComplementarity.Should().BeTrue();
        assessment.PcaComponents.Should().Be(8);
        assessment.Seed.Should().Be(17);
        var weighting = provider.GetRequiredService<ModalityLossWeighterFactory>().Options;
        weighting.PerformanceGated.Beta.Should().Be(1.5);
        weighting.PerformanceGated.ChanceLevel.Should().Be(0.2);
        weighting.OgmGe.Formula.Should().Be(OgmGeFormula.Code);
    }

    [Fact]
    public void The_factories_create_components_with_the_bound_options()
    {
        using var provider = Provider(DocumentedConfiguration());

        using var loss = provider.GetRequiredService<DistillationLossFactory>().Create(8, 4);
        var weighter = provider.GetRequiredService<ModalityLossWeighterFactory>().Create(3);

        loss.Options.Temperature.Should().Be(4.0);
        loss.Projection.weight!.shape.Should().Equal(4, 8);
        weighter.Should().BeOfType<PerformanceGatedWeighter>().Which.Options.Gamma.Should().Be(3.0);
    }

    [Fact]
    public void Losses_from_the_singleton_factory_do_not_share_their_options()
    {
        using var provider = Provider(DocumentedConfiguration());
        var factory = provider.GetRequiredService<DistillationLossFactory>();
        using var first = factory.Create(8, 4);
        using var second = factory.Create(8, 4);

        first.Options.Temperature = 9;

        second.Options.Temperature.Should().Be(4.0, "each loss holds its own copy of the factory's options");
        factory.Options.Temperature.Should().Be(4.0);
        provider.GetRequiredService<IOptions<DistillationLossOptions>>().Value.Temperature.Should().Be(4.0);
    }

    [Fact]
    public void Defaults_apply_when_the_section_is_empty()
    {
        using var provider = Provider(InMemory());

        provider.GetRequiredService<DistillationLossFactory>().Options.Temperature.Should().Be(2.0);
        provider.GetRequiredService<ModalityAssessor>().Options.Permutations.Should().Be(199);
        provider.GetRequiredService<ModalityLossWeighterFactory>().Create(2).Should().BeOfType<PerformanceGatedWeighter>();
    }

    [Fact]
    public void The_policy_is_chosen_by_name_in_configuration()
    {
        using var provider = Provider(InMemory(("Weighting:Policy", "Uncertainty")));

        provider.GetRequiredService<ModalityLossWeighterFactory>().Create(2).Should().BeOfType<UncertaintyWeighter>();
    }

    [Fact]
    public void An_invalid_configured_option_fails_validation_naming_it()
    {
        using var provider = Provider(InMemory(("Loss:Temperature", "0")));

        var act = () => provider.GetRequiredService<IOptions<DistillationLossOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*Temperature*");
    }

    [Fact]
    public void An_invalid_nested_weighting_option_fails_validation_naming_it()
    {
        using var provider = Provider(InMemory(("Weighting:PerformanceGated:EmaDecay", "1.5")));

        var act = () => provider.GetRequiredService<ModalityLossWeighterFactory>();

        act.Should().Throw<OptionsValidationException>().WithMessage("*EmaDecay*");
    }

    [Fact]
    public void A_keyed_label_estimator_is_used_for_the_label_term()
    {
        var labelEstimator = new CountingMutualInformationEstimator(Gaussian());
        using var provider = Provider(InMemory(("Assessment:Permutations", "0")),
            s => s.AddKeyedSingleton<IMutualInformationEstimator>(DistillationServiceCollectionExtensions.LabelEstimatorKey, labelEstimator));
        var data = new Assessment.SyntheticModalities(seed: 1);

        provider.GetRequiredService<ModalityAssessor>().Assess(data.Evidence(), data.Labels);

        labelEstimator.Calls.Should().Be(2);
    }

    [Fact]
    public void A_registered_significance_test_replaces_the_default()
    {
        using var provider = Provider(InMemory(), s => s.AddSingleton<IMutualInformationSignificanceTest, AlwaysSignificant>());
        var data = new Assessment.SyntheticModalities(seed: 1);

        var plan = provider.GetRequiredService<ModalityAssessor>().Assess(data.Evidence());

        plan["noise"].TeacherPValue.Should().Be(0.001);
    }

    [Fact]
    public void The_trainer_is_registered_with_its_options_bound_from_the_Training_section()
    {
        using var provider = Provider(InMemory(("Training:JointEpochs", "40"), ("Training:Weighting:Policy", "Uniform"), ("Training:PoolingWeightShrinkage", "0.25")),
            s => s.AddSingleton<IModalityEncoderFactory>(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [4] })));

        var trainer = provider.GetRequiredService<BalancedTrainer>();

        trainer.Options.JointEpochs.Should().Be(40);
        trainer.Options.Weighting.Policy.Should().Be(ModalityWeightingPolicy.Uniform);
        trainer.Options.PoolingWeightShrinkage.Should().Be(0.25);
        trainer.Options.PretrainingEpochs.Should().Be(new BalancedTrainingOptions().PretrainingEpochs, "unbound options keep their defaults");
    }

    [Fact]
    public void An_invalid_training_option_fails_when_the_trainer_is_resolved_naming_the_option()
    {
        using var provider = Provider(InMemory(("Training:EvaluationInterval", "0")),
            s => s.AddSingleton<IModalityEncoderFactory>(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [4] })));

        var act = () => provider.GetRequiredService<BalancedTrainer>();

        act.Should().Throw<OptionsValidationException>().WithMessage("*BalancedTrainingOptions.EvaluationInterval*");
    }

    private sealed class AlwaysSignificant : IMutualInformationSignificanceTest
    {
        public SignificanceResult Test(IMutualInformationEstimator estimator, double[,] x, double[,] y, int permutations, int seed, CancellationToken cancellationToken = default) =>
            new(Observed: estimator.Estimate(x, y), NullMean: 0, PValue: 0.001, Permutations: permutations);
    }
}
