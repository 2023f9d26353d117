using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Weighting;

public class ModalityLossWeighterFactoryTests
{
    [Theory]
    [InlineData(ModalityWeightingPolicy.PerformanceGated, typeof(PerformanceGatedWeighter))]
    [InlineData(ModalityWeightingPolicy.Uniform, typeof(UniformWeighter))]
    [InlineData(ModalityWeightingPolicy.OgmGe, typeof(OgmGeWeighter))]
    [InlineData(ModalityWeightingPolicy.Uncertainty, typeof(UncertaintyWeighter))]
    public void The_factory_creates_the_configured_policy(ModalityWeightingPolicy policy, Type expected)
    {
        var weighter = new ModalityLossWeighterFactory(new ModalityWeightingOptions { Policy = policy }).Create(3);

        weighter.Should().BeOfType(expected);
        weighter.ModalityCount.Should().Be(3);
    }

    [Fact]
    public void Invalid_nested_options_are_rejected_naming_the_option()
    {
        var options = new ModalityWeightingOptions { PerformanceGated = new PerformanceGatedWeighterOptions { Gamma = -1 } };
        var act = () => new ModalityLossWeighterFactory(options);

        act.Should().Throw<ArgumentException>().WithMessage("*Gamma*");
    }

    [Fact]
    public void An_undefined_policy_set_after_construction_is_rejected_by_Create_instead_of_falling_back_to_uncertainty()
    {
        var factory = new ModalityLossWeighterFactory(new ModalityWeightingOptions());
        factory.Options.Policy = (ModalityWeightingPolicy)7;

        var act = () => factory.Create(3);

        act.Should().Throw<ArgumentException>().WithParameterName("Options").WithMessage("*Policy*7*");
    }
}
