using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary><c>AddRelationalGcn</c> registers <see cref="RelationalGcnOptions"/> bound or configured, validated by
/// <see cref="RelationalGcnOptionsValidator"/> (on first use, and at start-up under a host).</summary>
public sealed class RelationalGcnServiceRegistrationTests
{
    private static IConfigurationSection Section(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Rgcn");

    private static RelationalGcnOptions Resolve(IServiceCollection services)
    {
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<RelationalGcnOptions>>().Value;
    }

    [Fact]
    public void Configuration_binds_every_option_and_the_configured_hidden_sizes_replace_the_default()
    {
        var options = Resolve(new ServiceCollection().AddRelationalGcn(Section(new()
        {
            ["Rgcn:InputSize"] = "12", ["Rgcn:HiddenSizes:0"] = "16", ["Rgcn:HiddenSizes:1"] = "8", ["Rgcn:RelationCount"] = "3",
            ["Rgcn:NumBases"] = "2", ["Rgcn:Bias"] = "false", ["Rgcn:Activation"] = "Elu", ["Rgcn:NegativeSlope"] = "0.1",
            ["Rgcn:Dropout"] = "0.2", ["Rgcn:ClassCount"] = "4", ["Rgcn:Head"] = "GraphConvolution",
        })));

        options.InputSize.Should().Be(12);
        options.HiddenSizes.Should().Equal([16, 8], "a plain bind would give [64, 64, 16, 8]; the registration replaces the default");
        options.RelationCount.Should().Be(3);
        options.NumBases.Should().Be(2);
        options.Bias.Should().BeFalse();
        options.Activation.Should().Be(RelationalGcnActivation.Elu);
        options.NegativeSlope.Should().Be(0.1);
        options.Dropout.Should().Be(0.2);
        options.ClassCount.Should().Be(4);
        options.Head.Should().Be(RelationalGcnHead.GraphConvolution);
    }

    [Fact]
    public void Without_configured_hidden_sizes_the_default_stays()
    {
        var options = Resolve(new ServiceCollection().AddRelationalGcn(Section(new() { ["Rgcn:InputSize"] = "5" })));

        options.HiddenSizes.Should().Equal(64, 64);
        options.InputSize.Should().Be(5);
    }

    [Fact]
    public void Invalid_configuration_fails_naming_the_option()
    {
        using var provider = new ServiceCollection()
            .AddRelationalGcn(Section(new() { ["Rgcn:InputSize"] = "4", ["Rgcn:Dropout"] = "1.5" })).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<RelationalGcnOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*RelationalGcnOptions.Dropout must be in [0, 1), got 1.5*")
            .Which.OptionsType.Should().Be(typeof(RelationalGcnOptions));
    }

    [Fact]
    public void Options_set_in_code_are_validated_too()
    {
        using var provider = new ServiceCollection().AddRelationalGcn(o => { o.HiddenSizes = [4]; o.InputSize = -1; }).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<RelationalGcnOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*RelationalGcnOptions.InputSize must be at least 1, got -1*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_relation_count_below_one_is_refused_even_with_bases_set(int relationCount)
    {
        // Bases above the configured relation count are left to the factory's graph, but only for a valid count.
        using var provider = new ServiceCollection()
            .AddRelationalGcn(o => { o.HiddenSizes = [4]; o.RelationCount = relationCount; o.NumBases = 2; }).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<RelationalGcnOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage($"*RelationalGcnOptions.RelationCount must be at least 1, got {relationCount}*");
    }

    [Fact]
    public void Configured_options_may_leave_the_input_width_to_the_data_and_serve_as_the_template_of_every_modality()
    {
        // The width belongs to each modality: requiring it in configuration forced a dummy value that the factory ignores.
        using var provider = new ServiceCollection()
            .AddRelationalGcn(Section(new() { ["Rgcn:HiddenSizes:0"] = "6", ["Rgcn:NumBlocks"] = "2", ["Rgcn:Dropout"] = "0.1" }))
            .BuildServiceProvider();
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var graph = new BalancedMultimodal.Graph.Graphs.RelationalGraph(3,
            [new BalancedMultimodal.Graph.Graphs.GraphRelation("fused", TorchSharp.torch.tensor(new long[] { 0, 1, 1, 2 }).reshape(2, 2), null)]);

        var options = provider.GetRequiredService<IOptions<RelationalGcnOptions>>().Value;
        var factory = new BalancedMultimodal.Graph.Encoding.RelationalGcnEncoderFactory(graph, options);
        using var encoder = factory.Create(new BalancedMultimodal.Core.Encoding.ModalityEncoderRequest(0, "mrna", 4, graph.Device, TorchSharp.torch.ScalarType.Float32));

        options.InputSize.Should().Be(0);
        encoder.EmbeddingDim.Should().Be(6);
        FluentActions.Invoking(() => new RelationalGcn(provider.GetRequiredService<IOptions<RelationalGcnOptions>>()))
            .Should().Throw<OptionsValidationException>().WithMessage("*RelationalGcnOptions.InputSize must be at least 1, got 0*", "a network built directly needs its width");
        using var twoRelationGraph = new BalancedMultimodal.Graph.Graphs.RelationalGraph(3,
        [
            new BalancedMultimodal.Graph.Graphs.GraphRelation("fused", TorchSharp.torch.tensor(new long[] { 0, 1, 1, 2 }).reshape(2, 2), null),
            new BalancedMultimodal.Graph.Graphs.GraphRelation("mrna", TorchSharp.torch.tensor(new long[] { 1, 2, 0, 1 }).reshape(2, 2), null),
        ]);
        using var bases = new ServiceCollection().AddRelationalGcn(o => { o.NumBases = 2; o.HiddenSizes = [8]; }).BuildServiceProvider();
        var basesTemplate = bases.GetRequiredService<IOptions<RelationalGcnOptions>>().Value;
        using var basisEncoder = new BalancedMultimodal.Graph.Encoding.RelationalGcnEncoderFactory(twoRelationGraph, basesTemplate)
            .Create(new BalancedMultimodal.Core.Encoding.ModalityEncoderRequest(0, "mrna", 4, twoRelationGraph.Device, TorchSharp.torch.ScalarType.Float32));
        basisEncoder.EmbeddingDim.Should().Be(8, "two bases fit the factory's two-relation graph, whatever RelationCount the template left at 1");
        FluentActions.Invoking(() => new ServiceCollection().AddRelationalGcn(o => { o.NumBases = 0; o.InputSize = 4; })
                .BuildServiceProvider().GetRequiredService<IOptions<RelationalGcnOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*RelationalGcnOptions.NumBases must be between 1 and*got 0*");
        FluentActions.Invoking(() => new ServiceCollection().AddRelationalGcn(Section(new() { ["Rgcn:NumBlocks"] = "3", ["Rgcn:HiddenSizes:0"] = "4" }))
                .BuildServiceProvider().GetRequiredService<IOptions<RelationalGcnOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*RelationalGcnOptions.NumBlocks (3) must divide RelationalGcnOptions.HiddenSizes[0] (4)*",
                "every rule that does not need the width still holds without it");
    }

    [Fact]
    public void Valid_options_set_in_code_build_the_network()
    {
        using var provider = new ServiceCollection().AddRelationalGcn(o => { o.InputSize = 3; o.HiddenSizes = [4]; }).BuildServiceProvider();

        using var network = new RelationalGcn(provider.GetRequiredService<IOptions<RelationalGcnOptions>>());

        network.InputSize.Should().Be(3);
        network.EmbeddingSize.Should().Be(4);
    }

    [Fact]
    public void Validation_runs_at_start_up_under_a_host()
    {
        // A host runs IStartupValidator.Validate when it starts; ValidateOnStart is what enrols the options there.
        using var provider = new ServiceCollection().AddRelationalGcn(o => o.Dropout = 1).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().WithMessage("*RelationalGcnOptions.Dropout must be in [0, 1), got 1*");
    }

    [Fact]
    public void Null_arguments_are_rejected_by_name()
    {
        var services = new ServiceCollection();

        FluentActions.Invoking(() => RelationalGcnServiceCollectionExtensions.AddRelationalGcn(null!, Section(new())))
            .Should().Throw<ArgumentNullException>().WithParameterName("services");
        FluentActions.Invoking(() => services.AddRelationalGcn((IConfiguration)null!)).Should().Throw<ArgumentNullException>().WithParameterName("configuration");
        FluentActions.Invoking(() => services.AddRelationalGcn((Action<RelationalGcnOptions>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("configure");
    }
}
