using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Graph.Tests.Fusion;

public sealed class ServiceRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSimilarityNetworkFusion(configuration.GetSection("Snf")).BuildServiceProvider();
    }

    [Fact]
    public void Configuration_binds_fusion_and_affinity_options()
    {
        using var provider = Build(new()
        {
            ["Snf:K"] = "15", ["Snf:Iterations"] = "7", ["Snf:ProductPath"] = "Dense",
            ["Snf:Affinity:Mu"] = "0.3", ["Snf:Affinity:Metric"] = "Cosine",
        });

        var fusion = (SimilarityNetworkFusion)provider.GetRequiredService<ISimilarityFusion>();
        var affinity = provider.GetRequiredService<AffinityBuilder>();

        fusion.Options.K.Should().Be(15);
        fusion.Options.Iterations.Should().Be(7);
        fusion.Options.ProductPath.Should().Be(FusionProductPath.Dense);
        affinity.Options.Mu.Should().Be(0.3);
        affinity.Options.Metric.Should().Be(DistanceMetric.Cosine);
        affinity.Options.K.Should().Be(20);
    }

    [Fact]
    public void Invalid_configuration_fails_naming_the_option()
    {
        using var provider = Build(new() { ["Snf:K"] = "0", ["Snf:Affinity:Mu"] = "-1" });

        var fusion = () => provider.GetRequiredService<ISimilarityFusion>();
        var affinity = () => provider.GetRequiredService<AffinityBuilder>();

        fusion.Should().Throw<OptionsValidationException>().WithMessage("*SimilarityNetworkFusionOptions.K must be at least 1*");
        affinity.Should().Throw<OptionsValidationException>().WithMessage("*AffinityOptions.Mu*");
    }
}
