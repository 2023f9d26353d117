using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Weighting;

public class PerformanceGatedWeighterTests
{
    private static PerformanceGatedWeighter Weighter(int m = 3, double ema = 0, double chance = 0, double beta = 1, double gamma = 2,
        double min = 0.1, double max = 2) =>
        new(m, new PerformanceGatedWeighterOptions { EmaDecay = ema, ChanceLevel = chance, Beta = beta, Gamma = gamma, MinWeight = min, MaxWeight = max });

    [Fact]
    public void Weights_start_at_one()
    {
        Weighter().Weights.Should().Equal(1.0, 1.0, 1.0);
    }

    [Fact]
    public void The_best_modality_gets_weight_one()
    {
        var weighter = Weighter();
        weighter.Update([0.6, 0.9, 0.75]);

        weighter.Weights[1].Should().Be(1.0);
    }

    [Fact]
    public void Weights_follow_the_formula_one_plus_beta_tanh_gamma_ratio_minus_one()
    {
        var weighter = Weighter(beta: 0.8, gamma: 1.5);
        weighter.Update([0.6, 0.9, 0.75]);

        weighter.Weights[0].Should().BeApproximately(1 + 0.8 * Math.Tanh(1.5 * (0.9 / 0.6 - 1)), 1e-15);
        weighter.Weights[2].Should().BeApproximately(1 + 0.8 * Math.Tanh(1.5 * (0.9 / 0.75 - 1)), 1e-15);
    }

    [Fact]
    public void A_weight_grows_monotonically_as_its_modality_falls_behind()
    {
        var previous = 1.0;
        foreach (var score in new[] { 0.89, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3 })
        {
            var weighter = Weighter(m: 2);
            weighter.Update([0.9, score]);
            weighter.Weights[1].Should().BeGreaterThan(previous);
            previous = weighter.Weights[1];
        }
        previous.Should().BeLessThanOrEqualTo(2.0);
    }

    [Fact]
    public void No_weight_falls_below_the_minimum_or_rises_above_the_maximum()
    {
        var random = new Random(5);
        var weighter = Weighter(m: 4, ema: 0.3, chance: 0.2, beta: 3, gamma: 4, min: 0.4, max: 2.5);
        for (int step = 0; step < 200; step++)
        {
            weighter.Update(Enumerable.Range(0, 4).Select(_ => random.NextDouble()).ToArray());
            weighter.Weights.Should().OnlyContain(w => w >= 0.4 && w <= 2.5);
        }
    }

    [Fact]
    public void The_maximum_weight_caps_a_far_behind_modality()
    {
        var weighter = Weighter(m: 2, beta: 3, max: 1.7);
        weighter.Update([0.9, 0.2]);

        weighter.Weights[1].Should().Be(1.7);
    }

    [Fact]
    public void A_chance_level_modality_is_not_boosted()
    {
        var weighter = Weighter(chance: 0.2);
        weighter.Update([0.9, 0.2, 0.19]);

        weighter.Weights[1].Should().Be(1.0);
        weighter.Weights[2].Should().Be(1.0);
    }

    [Fact]
    public void A_modality_just_above_chance_is_boosted()
    {
        var weighter = Weighter(m: 2, chance: 0.2);
        weighter.Update([0.9, 0.21]);

        weighter.Weights[1].Should().BeGreaterThan(1.5);
    }

    [Fact]
    public void Ema_smoothing_averages_the_scores_and_the_first_update_initialises_it()
    {
        var weighter = Weighter(m: 2, ema: 0.5);
        weighter.Update([0.8, 0.4]);
        weighter.SmoothedScores.Should().Equal(0.8, 0.4);
        weighter.Update([0.8, 0.8]);

        weighter.SmoothedScores[1].Should().BeApproximately(0.6, 1e-15);
        weighter.Weights[1].Should().BeApproximately(1 + Math.Tanh(2 * (0.8 / 0.6 - 1)), 1e-15);
    }

    [Fact]
    public void Weighted_loss_is_the_weighted_sum_of_the_modality_losses()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var weighter = Weighter(m: 2);
        weighter.Update([0.9, 0.6]);
        var loss = weighter.WeightedLoss([TorchSharp.torch.tensor(0.5), TorchSharp.torch.tensor(1.25)]);

        loss.item<double>().Should().BeApproximately(0.5 + weighter.Weights[1] * 1.25, 1e-15);
    }

    [Fact]
    public void A_wrong_number_of_scores_is_rejected()
    {
        var act = () => Weighter().Update([0.5, 0.6]);

        act.Should().Throw<ArgumentException>().WithMessage("*Expected 3 scores*");
    }

    [Fact]
    public void A_negative_score_is_rejected_naming_the_modality()
    {
        var act = () => Weighter().Update([0.5, -0.1, 0.6]);

        act.Should().Throw<ArgumentException>().WithMessage("*modality 1*");
    }

    [Fact]
    public void Options_made_invalid_through_the_weighter_after_construction_are_rejected_by_Update_leaving_the_weights()
    {
        var weighter = Weighter();
        weighter.Update([0.6, 0.9, 0.75]);
        var before = weighter.Weights.ToArray();
        weighter.Options.MinWeight = 3;

        var act = () => weighter.Update([0.3, 0.9, 0.75]);

        act.Should().Throw<ArgumentException>().WithParameterName("Options").WithMessage("*MinWeight*");
        weighter.Weights.Should().Equal(before);
    }

    [Fact]
    public void The_static_weight_formula_rejects_invalid_options_naming_the_option()
    {
        var act = () => PerformanceGatedWeighter.Weight(0.5, 0.9, new PerformanceGatedWeighterOptions { MinWeight = 1, MaxWeight = 0.5 });

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("*MaxWeight*");
    }

    [Theory]
    [InlineData(double.NaN, 0.9, "score")]
    [InlineData(-0.1, 0.9, "score")]
    [InlineData(0.5, 0.4, "best")]
    public void The_static_weight_formula_rejects_scores_outside_its_domain(double score, double best, string parameter)
    {
        var act = () => PerformanceGatedWeighter.Weight(score, best, new PerformanceGatedWeighterOptions());

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
    }

    [Theory]
    [InlineData(-0.1, 2, 0.5, 0.1, 2, 0, "Beta")]
    [InlineData(1, 0, 0.5, 0.1, 2, 0, "Gamma")]
    [InlineData(1, 2, 1, 0.1, 2, 0, "EmaDecay")]
    [InlineData(1, 2, 0.5, 0, 2, 0, "MinWeight")]
    [InlineData(1, 2, 0.5, 1.2, 2, 0, "MinWeight")]
    [InlineData(1, 2, 0.5, 0.1, 0.9, 0, "MaxWeight")]
    [InlineData(1, 2, 0.5, 0.1, 2, 1, "ChanceLevel")]
    public void Invalid_options_are_rejected_naming_the_option(double beta, double gamma, double ema, double min, double max, double chance, string named)
    {
        var act = () => Weighter(beta: beta, gamma: gamma, ema: ema, min: min, max: max, chance: chance);

        act.Should().Throw<ArgumentException>().WithMessage($"*{named}*");
    }

    [Fact]
    public void Smoothed_scores_start_at_zero_and_the_ema_weighs_the_old_value_by_the_decay()
    {
        var weighter = Weighter(m: 2, ema: 0.25);
        weighter.SmoothedScores.Should().Equal(0.0, 0.0);
        weighter.Update([0.8, 0.4]);

        weighter.Update([0.8, 0.8]);

        // 0.25 * 0.4 + 0.75 * 0.8 = 0.7.
        weighter.SmoothedScores[0].Should().BeApproximately(0.8, 1e-15);
        weighter.SmoothedScores[1].Should().BeApproximately(0.7, 1e-15);
        weighter.Weights[1].Should().BeApproximately(1 + Math.Tanh(2 * (0.8 / 0.7 - 1)), 1e-15);
    }

    [Fact]
    public void The_static_weight_formula_gives_the_documented_value()
    {
        var options = new PerformanceGatedWeighterOptions { Beta = 0.5, Gamma = 3 };

        PerformanceGatedWeighter.Weight(0.6, 0.9, options).Should().BeApproximately(1 + 0.5 * Math.Tanh(3 * 0.5), 1e-15);
        PerformanceGatedWeighter.Weight(0.9, 0.9, options).Should().Be(1.0);
        PerformanceGatedWeighter.Weight(0, 0.9, options).Should().Be(1.0, "a zero score is at the default chance level");
    }

    [Fact]
    public void A_directly_constructed_weighter_reads_a_null_chance_level_as_zero()
    {
        var options = new PerformanceGatedWeighterOptions { EmaDecay = 0 };
        options.ChanceLevel.Should().BeNull("the default: the chance level of the score being gated");
        var unset = new PerformanceGatedWeighter(2, options);
        var zero = Weighter(m: 2, chance: 0);

        unset.Update([0.9, 0.3]);
        zero.Update([0.9, 0.3]);

        unset.Weights.Should().Equal(zero.Weights);
        unset.Weights[1].Should().BeApproximately(1 + Math.Tanh(2 * (0.9 / 0.3 - 1)), 1e-15, "a score of 0.3 is above chance level 0: boosted");
        unset.Options.ChanceLevel.Should().BeNull("the weighter does not write a level into its options");
        PerformanceGatedWeighter.Weight(0.3, 0.9, options).Should().Be(PerformanceGatedWeighter.Weight(0.3, 0.9, new PerformanceGatedWeighterOptions { ChanceLevel = 0 }));
        PerformanceGatedWeighter.Weight(0, 0.9, options).Should().Be(1.0, "a zero score is at chance level 0");
    }

    [Fact]
    public void A_directly_constructed_weighter_with_default_options_boosts_a_score_of_0_2()
    {
        // Default options: beta 1, gamma 2, w in [0.1, 2], chance level null read as 0; the first update sets s~ = s.
        // s* = 0.9, rho_1 = 0.9 / 0.2 = 4.5, w_1 = clamp(1 + tanh(2 * 3.5), 0.1, 2) = 1 + tanh(7) = 1.99999833694...
        // (a chance level of 0.25, say, would leave it at 1).
        var weighter = new PerformanceGatedWeighter(2, new PerformanceGatedWeighterOptions());

        weighter.Update([0.9, 0.2]);

        weighter.Weights[0].Should().Be(1.0);
        weighter.Weights[1].Should().BeApproximately(1.9999983369439, 1e-12, "0.2 is above chance level 0: boosted by 1 + tanh(7)");
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(0.0, true)]
    [InlineData(0.5, true)]
    [InlineData(0.999, true)]
    [InlineData(-0.1, false)]
    [InlineData(1.0, false)]
    [InlineData(double.NaN, false)]
    public void The_validator_accepts_a_null_chance_level_or_one_in_zero_one_and_names_it_otherwise(double? chance, bool valid)
    {
        var result = new PerformanceGatedWeighterOptionsValidator().Validate(null, new PerformanceGatedWeighterOptions { ChanceLevel = chance });

        result.Succeeded.Should().Be(valid);
        if (!valid) result.FailureMessage.Should().Contain("PerformanceGatedWeighterOptions.ChanceLevel must be null or lie in [0, 1)");
    }

    [Fact]
    public void The_static_weight_formula_rejects_an_infinite_best_score()
    {
        var act = () => PerformanceGatedWeighter.Weight(0.5, double.PositiveInfinity, new PerformanceGatedWeighterOptions());

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("best");
    }

    [Fact]
    public void Options_at_the_edges_of_their_ranges_are_valid()
    {
        var act = () => Weighter(beta: 0, ema: 0, min: 1, max: 1, chance: 0);

        act.Should().NotThrow();
        var weighter = Weighter(m: 2, beta: 0);
        weighter.Update([0.9, 0.3]);
        weighter.Weights.Should().Equal(1.0, 1.0);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 2, 0.5, 0.1, 2, 0, "Beta")]
    [InlineData(1, double.NaN, 0.5, 0.1, 2, 0, "Gamma")]
    [InlineData(1, 2, -0.1, 0.1, 2, 0, "EmaDecay")]
    [InlineData(1, 2, 0.5, 0.1, double.PositiveInfinity, 0, "MaxWeight")]
    [InlineData(1, 2, 0.5, 0.1, 2, -0.1, "ChanceLevel")]
    public void Options_just_outside_their_ranges_are_rejected_naming_the_option(double beta, double gamma, double ema, double min, double max, double chance, string named)
    {
        var act = () => Weighter(beta: beta, gamma: gamma, ema: ema, min: min, max: max, chance: chance);

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage($"PerformanceGatedWeighterOptions.{named} must*");
    }

    [Fact]
    public void The_options_monitor_constructor_uses_the_monitored_value_and_rejects_null()
    {
        var options = new PerformanceGatedWeighterOptions { Beta = 0.4 };
        var act = () => new PerformanceGatedWeighter(2, (Microsoft.Extensions.Options.IOptions<PerformanceGatedWeighterOptions>)null!);

        new PerformanceGatedWeighter(2, Microsoft.Extensions.Options.Options.Create(options)).Options.Should().BeSameAs(options);
        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }
}
