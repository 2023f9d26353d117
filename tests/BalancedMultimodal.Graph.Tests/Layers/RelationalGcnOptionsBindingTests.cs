using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>The configuration-binding caveat documented on <see cref="RelationalGcnOptions.HiddenSizes"/>: a plain bind
/// appends to the default sizes, and the documented post-configuration replaces them.</summary>
public class RelationalGcnOptionsBindingTests
{
    private static IConfigurationSection Section() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Gcn:InputSize"] = "4",
        ["Gcn:HiddenSizes:0"] = "16",
    }).Build().GetSection("Gcn");

    [Fact]
    public void A_plain_bind_appends_the_configured_sizes_to_the_default()
    {
        var services = new ServiceCollection();
        services.AddOptions<RelationalGcnOptions>().Bind(Section());
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<RelationalGcnOptions>>().Value.HiddenSizes.Should().Equal(64, 64, 16);
    }

    [Fact]
    public void The_documented_post_configuration_gives_exactly_the_configured_sizes()
    {
        var section = Section();
        var services = new ServiceCollection();
        services.AddOptions<RelationalGcnOptions>().Bind(section)
            .PostConfigure(o => o.HiddenSizes = section.GetSection("HiddenSizes").Get<int[]>() ?? [64, 64]);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RelationalGcnOptions>>().Value;
        options.HiddenSizes.Should().Equal(16);
        options.InputSize.Should().Be(4);
    }
}
