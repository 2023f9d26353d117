using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

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
}
