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
        foreach (var name in new[] { "ksg", "mixed", "gaussian", "infonce", "discrete" })
            provider.GetRequiredKeyedService<IMutualInformationEstimator>(name).Name.Should().Be(name);
        provider.GetRequiredService<PermutationTest>().Estimator.Should().BeOfType<KsgEstimator>();
    }

    [Fact]
    public void Invalid_configuration_is_reported_naming_the_option()
    {
        using var provider = Build(new() { ["MutualInformation:Ksg:K"] = "0" });

        var act = () => provider.GetRequiredService<KsgEstimator>();

        act.Should().Throw<OptionsValidationException>().WithMessage("*KsgEstimatorOptions.K*");
    }
}
