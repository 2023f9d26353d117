using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Weighting;

public class UniformWeighterTests
{
    [Fact]
    public void Every_weight_stays_one_whatever_the_scores()
    {
        var weighter = new UniformWeighter(3);
        weighter.Update([0.9, 0.1, 0.5]);

        weighter.Weights.Should().Equal(1.0, 1.0, 1.0);
        weighter.TrainableParameters.Should().BeEmpty();
    }

    [Fact]
    public void Weighted_loss_is_the_plain_sum()
    {
        using var scope = NewDisposeScope();
        var loss = new UniformWeighter(3).WeightedLoss([tensor(0.5), tensor(1.5), tensor(2.0)]);

        loss.item<double>().Should().Be(4.0);
    }
}

public class OgmGeWeighterTests
{
    [Fact]
    public void The_dominant_modality_is_damped_by_one_minus_tanh_alpha_ratio_minus_one()
    {
        var weighter = new OgmGeWeighter(3, new OgmGeWeighterOptions { Alpha = 0.5 });
        weighter.Update([0.9, 0.6, 0.3]);

        // ratio_0 = 0.9 / mean(0.6, 0.3) = 2; ratio_1 = 0.6 / 0.6 = 1 (not damped); ratio_2 < 1.
        weighter.Weights[0].Should().BeApproximately(1 - Math.Tanh(0.5 * (2 - 1)), 1e-15);
        weighter.Weights[1].Should().Be(1.0);
        weighter.Weights[2].Should().Be(1.0);
    }

    [Fact]
    public void With_two_modalities_the_ratio_is_ogm_ges_pairwise_ratio()
    {
        var weighter = new OgmGeWeighter(2, new OgmGeWeighterOptions { Alpha = 0.8 });
        weighter.Update([0.5, 0.8]);

        weighter.Weights[0].Should().Be(1.0);
        weighter.Weights[1].Should().BeApproximately(1 - Math.Tanh(0.8 * (0.8 / 0.5 - 1)), 1e-15);
    }

    [Fact]
    public void The_code_formula_damps_by_tanh_of_the_whole_ratio()
    {
        var weighter = new OgmGeWeighter(2, new OgmGeWeighterOptions { Alpha = 0.3, Formula = OgmGeFormula.Code });
        weighter.Update([0.505, 0.5]);

        weighter.Weights[0].Should().BeApproximately(1 - Math.Tanh(0.3 * 1.01), 1e-12);
    }

    [Fact]
    public void Stronger_dominance_means_stronger_damping()
    {
        var options = new OgmGeWeighterOptions { Alpha = 0.5 };
        var mild = new OgmGeWeighter(2, options);
        mild.Update([0.7, 0.6]);
        var strong = new OgmGeWeighter(2, options);
        strong.Update([0.9, 0.3]);

        strong.Weights[0].Should().BeLessThan(mild.Weights[0]);
        mild.Weights[0].Should().BeLessThan(1.0);
    }

    [Fact]
    public void A_single_modality_is_rejected()
    {
        var act = () => new OgmGeWeighter(1, new OgmGeWeighterOptions());

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_non_positive_alpha_is_rejected()
    {
        var act = () => new OgmGeWeighter(2, new OgmGeWeighterOptions { Alpha = 0 });

        act.Should().Throw<ArgumentException>().WithMessage("*Alpha*");
    }

    [Fact]
    public void Options_made_invalid_through_the_weighter_after_construction_are_rejected_by_Update()
    {
        var weighter = new OgmGeWeighter(2, new OgmGeWeighterOptions());
        weighter.Options.Formula = (OgmGeFormula)5;

        var act = () => weighter.Update([0.9, 0.5]);

        act.Should().Throw<ArgumentException>().WithParameterName("Options").WithMessage("*Formula*5*");
        weighter.Weights.Should().Equal(1.0, 1.0);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(double.PositiveInfinity)]
    public void The_static_damping_formula_rejects_a_ratio_that_is_not_dominant_and_finite(double ratio)
    {
        var act = () => OgmGeWeighter.Damping(ratio, new OgmGeWeighterOptions());

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("ratio");
    }

    [Theory]
    [InlineData(0.0, OgmGeFormula.Paper, "Alpha")]
    [InlineData(0.1, (OgmGeFormula)5, "Formula")]
    public void The_static_damping_formula_rejects_invalid_options_naming_the_option(double alpha, OgmGeFormula formula, string named)
    {
        var act = () => OgmGeWeighter.Damping(1.5, new OgmGeWeighterOptions { Alpha = alpha, Formula = formula });

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage($"*{named}*");
    }
}

public class UncertaintyWeighterTests
{
    [Fact]
    public void The_log_variances_survive_the_dispose_scope_the_weighter_was_built_in()
    {
        UncertaintyWeighter weighter;
        using (NewDisposeScope())
            weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = 0.2 }, dtype: ScalarType.Float64);
        using var owned = weighter;

        weighter.LogVariances.IsInvalid.Should().BeFalse();
        weighter.Weights.Should().Equal([Math.Exp(-0.2), Math.Exp(-0.2)], (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Fact]
    public void Weighted_loss_is_sum_of_exp_minus_s_times_loss_plus_s()
    {
        using var scope = NewDisposeScope();
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: ScalarType.Float64);
        using (no_grad())
            weighter.LogVariances.copy_(tensor(new[] { 0.5, -1.0 }));

        var loss = weighter.WeightedLoss([tensor(2.0), tensor(0.3)]);

        loss.item<double>().Should().BeApproximately(Math.Exp(-0.5) * 2.0 + 0.5 + Math.Exp(1.0) * 0.3 - 1.0, 1e-14);
        weighter.Weights.Should().Equal([Math.Exp(-0.5), Math.Exp(1.0)], (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Fact]
    public void The_log_variances_receive_the_gradient_one_minus_exp_minus_s_times_loss()
    {
        using var scope = NewDisposeScope();
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = 0.2 }, dtype: ScalarType.Float64);
        var losses = new[] { tensor(2.0, requires_grad: true), tensor(0.5, requires_grad: true) };

        weighter.WeightedLoss(losses).backward();

        weighter.LogVariances.grad!.data<double>().ToArray().Should().Equal(
            [1 - Math.Exp(-0.2) * 2.0, 1 - Math.Exp(-0.2) * 0.5], (a, b) => Math.Abs(a - b) < 1e-14);
        losses[0].grad!.item<double>().Should().BeApproximately(Math.Exp(-0.2), 1e-14);
    }

    [Fact]
    public void Training_the_log_variances_drives_each_weight_to_the_inverse_loss()
    {
        using var scope = NewDisposeScope();
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: ScalarType.Float64);
        var optimiser = optim.Adam(weighter.TrainableParameters, 0.05);
        for (int step = 0; step < 600; step++)
        {
            using var stepScope = NewDisposeScope();
            optimiser.zero_grad();
            weighter.WeightedLoss([tensor(4.0), tensor(0.25)]).backward();
            optimiser.step();
        }

        weighter.Weights[0].Should().BeApproximately(0.25, 0.01);
        weighter.Weights[1].Should().BeApproximately(4.0, 0.1);
    }

    [Fact]
    public void Update_does_not_change_the_learned_weights_but_validates_scores()
    {
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions());
        weighter.Update([0.9, 0.1]);

        weighter.Weights.Should().Equal(1.0, 1.0);
        var act = () => weighter.Update([0.9]);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void The_log_variances_are_the_trainable_parameters_of_the_module()
    {
        var weighter = new UncertaintyWeighter(3, new UncertaintyWeighterOptions());

        weighter.TrainableParameters.Should().ContainSingle().Which.shape.Should().Equal(3);
        weighter.parameters().Should().HaveCount(1);
    }
}

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
