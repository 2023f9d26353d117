using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

public class MutualInformationServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddMutualInformationEstimators(configuration.GetSection("MutualInformation")).BuildServiceProvider();
    }

    [Fact]
    public void Bound_options_reach_the_estimators()
    {
        using var provider = Build(new()
        {
            ["MutualInformation:Ksg:K"] = "5",
            ["MutualInformation:PermutationTest:Permutations"] = "49",
        });

        provider.GetRequiredService<KsgEstimator>().K.Should().Be(5);
        provider.GetRequiredService<IOptions<PermutationTestOptions>>().Value.Permutations.Should().Be(49);
        // The service the container builds runs with the bound count, not its default.
        var x = new double[12, 1];
        var y = new double[12, 1];
        for (int i = 0; i < 12; i++) { x[i, 0] = i; y[i, 0] = (i * 7) % 12; }
        provider.GetRequiredService<PermutationTest>().Run(x, y).Permutations.Should().Be(49);
    }

    [Fact]
    public void The_default_estimator_is_ksg_and_every_estimator_is_keyed_by_name()
    {
        using var provider = Build(new());

        provider.GetRequiredService<IMutualInformationEstimator>().Should().BeOfType<KsgEstimator>();
        foreach (var name in new[] { "ksg", "mixed", "gaussian", "infonce", "dv", "discrete" })
            provider.GetRequiredKeyedService<IMutualInformationEstimator>(name).Name.Should().Be(name);
        provider.GetRequiredService<PermutationTest>().Estimator.Should().BeOfType<KsgEstimator>();
    }

    [Fact]
    public void Each_neural_key_resolves_an_estimator_of_that_bound_whichever_way_the_options_were_configured()
    {
        var services = new ServiceCollection().AddMutualInformationEstimators(new ConfigurationBuilder().Build().GetSection("MutualInformation"));
        services.Configure<InfoNceEstimatorOptions>(o => { o.Bound = NeuralMutualInformationBound.DonskerVaradhan; o.Steps = 40; });
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<InfoNceEstimator>().Name.Should().Be("dv", "the un-keyed estimator has the configured bound");
        provider.GetRequiredKeyedService<IMutualInformationEstimator>("dv").Should().BeSameAs(provider.GetRequiredService<InfoNceEstimator>());
        var infoNce = provider.GetRequiredKeyedService<IMutualInformationEstimator>("infonce");
        infoNce.Name.Should().Be("infonce");
        infoNce.Should().BeOfType<InfoNceEstimator>().Which.Should().NotBeSameAs(provider.GetRequiredService<InfoNceEstimator>());
    }

    [Fact]
    public void An_estimator_registered_by_type_next_to_the_options_pattern_gets_its_configured_options()
    {
        var services = new ServiceCollection().AddMutualInformationEstimators(new ConfigurationBuilder().Build().GetSection("MutualInformation"));
        services.Configure<GaussianMutualInformationEstimatorOptions>(o => o.BiasCorrection = false);
        services.AddKeyedSingleton<IMutualInformationEstimator, GaussianMutualInformationEstimator>("by-type");
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredKeyedService<IMutualInformationEstimator>("by-type");

        act.Should().NotThrow("the container must choose between the constructors unambiguously")
            .Which.Should().BeOfType<GaussianMutualInformationEstimator>().Which.BiasCorrection.Should().BeFalse();
    }

    [Fact]
    public void Invalid_configuration_is_reported_naming_the_option()
    {
        using var provider = Build(new() { ["MutualInformation:Ksg:K"] = "0" });

        var act = () => provider.GetRequiredService<KsgEstimator>();

        act.Should().Throw<OptionsValidationException>().WithMessage("*KsgEstimatorOptions.K*");
    }

    [Fact]
    public void Every_options_section_is_bound_and_validated()
    {
        using var provider = Build(new()
        {
            ["MutualInformation:ContinuousDiscrete:K"] = "7",
            ["MutualInformation:Gaussian:BiasCorrection"] = "false",
            ["MutualInformation:InfoNce:HeldOutFraction"] = "0",
            ["MutualInformation:Bootstrap:Resamples"] = "17",
        });

        provider.GetRequiredService<IOptions<ContinuousDiscreteEstimatorOptions>>().Value.K.Should().Be(7);
        provider.GetRequiredService<GaussianMutualInformationEstimator>().BiasCorrection.Should().BeFalse();
        provider.GetRequiredService<InfoNceEstimator>().MinimumSampleCount.Should().Be(2, "no rows are held out");
        provider.GetRequiredService<IOptions<BootstrapOptions>>().Value.Resamples.Should().Be(17);
        var x = new double[12, 1];
        var y = new double[12, 1];
        for (int i = 0; i < 12; i++) { x[i, 0] = i; y[i, 0] = (i * 5) % 12; }
        provider.GetRequiredService<BootstrapConfidenceInterval>().Compute(x, y).Resamples.Should().Be(17, "the service runs with the bound count");
        provider.GetRequiredKeyedService<IMutualInformationEstimator>("discrete").Should().BeOfType<DiscreteMutualInformationEstimator>();

        RejectsInvalid<ContinuousDiscreteEstimatorOptions>("ContinuousDiscrete:K", "0", "ContinuousDiscreteEstimatorOptions.K");
        RejectsInvalid<GaussianMutualInformationEstimatorOptions>("Gaussian:Ridge", "-1", "GaussianMutualInformationEstimatorOptions.Ridge");
        RejectsInvalid<InfoNceEstimatorOptions>("InfoNce:Steps", "0", "InfoNceEstimatorOptions.Steps");
        RejectsInvalid<PermutationTestOptions>("PermutationTest:Permutations", "0", "PermutationTestOptions.Permutations");
        RejectsInvalid<BootstrapOptions>("Bootstrap:ConfidenceLevel", "2", "BootstrapOptions.ConfidenceLevel");
    }

    private static void RejectsInvalid<TOptions>(string key, string value, string option)
        where TOptions : class
    {
        using var provider = Build(new() { ["MutualInformation:" + key] = value });

        FluentActions.Invoking(() => provider.GetRequiredService<IOptions<TOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage($"*{option}*");
    }

    [Fact]
    public void The_neural_estimator_of_the_other_bound_keeps_every_other_configured_option()
    {
        using var scope = NewDisposeScope();
        using var provider = Build(new()
        {
            ["MutualInformation:InfoNce:Steps"] = "3",
            ["MutualInformation:InfoNce:HiddenSize"] = "4",
            ["MutualInformation:InfoNce:LearningRate"] = "0.05",
            ["MutualInformation:InfoNce:BatchSize"] = "4",
            ["MutualInformation:InfoNce:Seed"] = "6",
            ["MutualInformation:InfoNce:HeldOutFraction"] = "0.25",
        });
        var (x, y) = CorrelatedGaussian.Sample(16, 1, 0.5, seed: 49);
        var expected = new InfoNceEstimator(new InfoNceEstimatorOptions
        {
            Steps = 3, HiddenSize = 4, LearningRate = 0.05, BatchSize = 4, Seed = 6, HeldOutFraction = 0.25,
            Bound = NeuralMutualInformationBound.DonskerVaradhan,
        }).Estimate(x, y);

        provider.GetRequiredKeyedService<IMutualInformationEstimator>("dv").Estimate(x, y).Should().Be(expected);
    }

    [Fact]
    public void Without_configuration_every_service_is_registered_with_default_options_that_code_can_set_and_that_are_validated()
    {
        using var defaults = new ServiceCollection().AddMutualInformationEstimators().BuildServiceProvider();
        using var configured = new ServiceCollection().AddMutualInformationEstimators()
            .Configure<KsgEstimatorOptions>(o => o.K = 5).BuildServiceProvider();
        using var invalid = new ServiceCollection().AddMutualInformationEstimators()
            .Configure<KsgEstimatorOptions>(o => o.K = 0).BuildServiceProvider();

        defaults.GetRequiredService<IMutualInformationEstimator>().Should().BeOfType<KsgEstimator>();
        foreach (var name in new[] { "ksg", "mixed", "gaussian", "infonce", "dv", "discrete" })
            defaults.GetRequiredKeyedService<IMutualInformationEstimator>(name).Name.Should().Be(name);
        defaults.GetRequiredService<PermutationTest>().Estimator.Should().BeOfType<KsgEstimator>();
        defaults.GetRequiredService<BootstrapConfidenceInterval>().Should().NotBeNull();
        defaults.GetRequiredService<IOptions<KsgEstimatorOptions>>().Value.K.Should().Be(new KsgEstimatorOptions().K);
        configured.GetRequiredService<IOptions<KsgEstimatorOptions>>().Value.K.Should().Be(5);
        FluentActions.Invoking(() => invalid.GetRequiredService<IMutualInformationEstimator>())
            .Should().Throw<OptionsValidationException>().WithMessage("*K*");
        FluentActions.Invoking(() => invalid.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>("the options are enrolled for validation at host start");
    }

    [Fact]
    public void Null_services_or_configuration_are_rejected()
    {
        var configuration = new ConfigurationBuilder().Build();

        FluentActions.Invoking(() => ((IServiceCollection)null!).AddMutualInformationEstimators(configuration))
            .Should().Throw<ArgumentNullException>().WithParameterName("services");
        FluentActions.Invoking(() => ((IServiceCollection)null!).AddMutualInformationEstimators())
            .Should().Throw<ArgumentNullException>().WithParameterName("services");
        FluentActions.Invoking(() => new ServiceCollection().AddMutualInformationEstimators(null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("configuration");
    }
}
