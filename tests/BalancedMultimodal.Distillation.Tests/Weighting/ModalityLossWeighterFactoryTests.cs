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

    [Fact]
    public void Each_weighter_gets_its_own_copy_of_the_performance_gated_options()
    {
        var options = new ModalityWeightingOptions
        {
            PerformanceGated = new PerformanceGatedWeighterOptions { Beta = 0.5, Gamma = 3, EmaDecay = 0.2, MinWeight = 0.3, MaxWeight = 1.4, ChanceLevel = 0.25 },
        };
        var factory = new ModalityLossWeighterFactory(options);

        var weighter = (PerformanceGatedWeighter)factory.Create(2);

        weighter.Options.Should().NotBeSameAs(options.PerformanceGated).And.BeEquivalentTo(options.PerformanceGated);
        weighter.Options.Beta = 0.9;
        options.PerformanceGated.Beta.Should().Be(0.5);
    }

    [Fact]
    public void The_factory_copies_a_null_chance_level_as_null_so_its_weighter_reads_it_as_zero()
    {
        var weighter = (PerformanceGatedWeighter)new ModalityLossWeighterFactory(new ModalityWeightingOptions()).Create(2);

        weighter.Options.ChanceLevel.Should().BeNull();
        weighter.Update([0.9, 0.3]);
        weighter.Weights[1].Should().BeGreaterThan(1, "a factory does not know the score's scale: null is level 0");
    }

    [Fact]
    public void Each_weighter_gets_its_own_copy_of_the_ogm_ge_options()
    {
        var options = new ModalityWeightingOptions { Policy = ModalityWeightingPolicy.OgmGe, OgmGe = new OgmGeWeighterOptions { Alpha = 0.7, Formula = OgmGeFormula.Code } };

        var weighter = (OgmGeWeighter)new ModalityLossWeighterFactory(options).Create(2);

        weighter.Options.Should().NotBeSameAs(options.OgmGe).And.BeEquivalentTo(options.OgmGe);
    }

    [Fact]
    public void The_uncertainty_weighter_starts_at_the_configured_log_variance_on_the_requested_dtype()
    {
        var options = new ModalityWeightingOptions { Policy = ModalityWeightingPolicy.Uncertainty, Uncertainty = new UncertaintyWeighterOptions { InitialLogVariance = 0.3 } };

        using var weighter = (UncertaintyWeighter)new ModalityLossWeighterFactory(Microsoft.Extensions.Options.Options.Create(options))
            .Create(2, dtype: TorchSharp.torch.ScalarType.Float64);

        weighter.LogVariances.dtype.Should().Be(TorchSharp.torch.ScalarType.Float64);
        weighter.Weights.Should().Equal([Math.Exp(-0.3), Math.Exp(-0.3)], (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Fact]
    public void A_null_options_monitor_is_rejected()
    {
        var act = () => new ModalityLossWeighterFactory((Microsoft.Extensions.Options.IOptions<ModalityWeightingOptions>)null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Theory]
    [InlineData("PerformanceGated")]
    [InlineData("OgmGe")]
    [InlineData("Uncertainty")]
    public void Null_nested_options_are_rejected_naming_the_property(string property)
    {
        var options = new ModalityWeightingOptions();
        typeof(ModalityWeightingOptions).GetProperty(property)!.SetValue(options, null);

        var act = () => new ModalityLossWeighterFactory(options);

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage($"ModalityWeightingOptions.{property} must not be null.*");
    }

    [Theory]
    [InlineData(ModalityWeightingPolicy.OgmGe, "OgmGeWeighterOptions.Alpha")]
    [InlineData(ModalityWeightingPolicy.Uncertainty, "UncertaintyWeighterOptions.InitialLogVariance")]
    public void Invalid_ogm_ge_or_uncertainty_options_are_rejected_whatever_the_policy(ModalityWeightingPolicy policy, string named)
    {
        var options = new ModalityWeightingOptions { Policy = ModalityWeightingPolicy.Uniform };
        if (policy == ModalityWeightingPolicy.OgmGe) options.OgmGe.Alpha = -1;
        else options.Uncertainty.InitialLogVariance = double.PositiveInfinity;

        var act = () => new ModalityLossWeighterFactory(options);

        act.Should().Throw<ArgumentException>().WithMessage($"*{named}*");
    }

    [Fact]
    public void An_undefined_policy_is_rejected_at_construction()
    {
        var act = () => new ModalityLossWeighterFactory(new ModalityWeightingOptions { Policy = (ModalityWeightingPolicy)9 });

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("*Policy must be*(was 9)*");
    }

    [Fact]
    public void Nested_options_made_invalid_after_construction_are_rejected_by_Create_whatever_the_policy()
    {
        var factory = new ModalityLossWeighterFactory(new ModalityWeightingOptions { Policy = ModalityWeightingPolicy.Uniform });
        factory.Options.OgmGe.Alpha = 0;

        var act = () => factory.Create(2);

        act.Should().Throw<ArgumentException>().WithParameterName("Options").WithMessage("*OgmGeWeighterOptions.Alpha*");
    }
}
