using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Weighting;

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

    [Theory]
    [InlineData(1e308)]    // 1, 1, 1 before: the peers' sum overflowed
    [InlineData(1e-300)]
    [InlineData(0.5)]      // a power of two: the same bits
    public void The_weights_do_not_depend_on_the_unit_of_the_scores(double unit)
    {
        var reference = new OgmGeWeighter(3, new OgmGeWeighterOptions());
        reference.Update([1.0, 1.7, 1.7]);
        var scaled = new OgmGeWeighter(3, new OgmGeWeighterOptions());

        scaled.Update([1.0 * unit, 1.7 * unit, 1.7 * unit]);

        reference.Weights[1].Should().BeLessThan(1.0, "the two stronger modalities are damped");
        if (unit == 0.5) scaled.Weights.Should().Equal(reference.Weights);
        else scaled.Weights.Should().BeEquivalentTo(reference.Weights, o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-12)).WhenTypeIs<double>());
    }

    [Theory]
    [InlineData(OgmGeFormula.Code)]
    [InlineData(OgmGeFormula.Paper)]
    public void The_weights_are_exactly_equivariant_to_the_order_of_the_modalities(OgmGeFormula formula)
    {
        // 0.55 against the mean of 0.3, 0.65 and 0.7 is a tie; summed in index order the mean could round below 0.55
        // in one order and not in another, and the Code formula damped the tied modality by 10 % in that order only.
        var weighter = new OgmGeWeighter(4, new OgmGeWeighterOptions { Formula = formula });
        weighter.Update([0.3, 0.55, 0.65, 0.7]);
        weighter.Weights[1].Should().Be(1.0, "a tie with its peers' mean is not dominance");

        var random = new Random(4);
        for (int trial = 0; trial < 500; trial++)
        {
            var scores = Enumerable.Range(0, 4).Select(_ => Math.Round(random.NextDouble(), 2)).ToArray();
            var order = Enumerable.Range(0, 4).OrderBy(_ => random.Next()).ToArray();
            var inOrder = new OgmGeWeighter(4, new OgmGeWeighterOptions { Formula = formula });
            var permuted = new OgmGeWeighter(4, new OgmGeWeighterOptions { Formula = formula });
            if (scores.All(s => s == 0)) continue;
            try { inOrder.Update(scores); } catch (ArgumentException) { continue; }   // a positive score whose peers all score 0

            permuted.Update(order.Select(k => scores[k]).ToArray());

            order.Select(k => inOrder.Weights[k]).Should().Equal(permuted.Weights, $"scores [{string.Join(", ", scores)}] permuted as [{string.Join(", ", order)}]");
        }
    }

    [Fact]
    public void A_tiny_positive_peer_score_is_kept_as_given()
    {
        // The peer scores the smallest subnormal: the ratio is huge (weight 0), not undefined.
        var weighter = new OgmGeWeighter(2, new OgmGeWeighterOptions());

        weighter.Update([1.0, double.Epsilon]);

        weighter.Weights.Should().Equal(0.0, 1.0);
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
    public void The_validators_messages_name_each_option_with_its_class()
    {
        // The class-qualified names are what the CLI maps to the options' paths in its configuration file.
        var result = new OgmGeWeighterOptionsValidator().Validate(null, new OgmGeWeighterOptions { Alpha = -1, Formula = (OgmGeFormula)5 });

        result.Failures.Should().Equal(
            "OgmGeWeighterOptions.Alpha must be a finite number > 0 (was -1).",
            "OgmGeWeighterOptions.Formula must be Paper or Code (was 5).");
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

    [Theory]
    [InlineData(0.7)]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.85)]
    public void Tied_scores_are_not_damped_under_either_formula(double score)
    {
        // (0.7 + 0.7 + 0.7 - 0.7) / 2 rounds to 0.7000000000000001 in float64: the ratio must still be exactly 1.
        foreach (var formula in new[] { OgmGeFormula.Paper, OgmGeFormula.Code })
        {
            var weighter = new OgmGeWeighter(3, new OgmGeWeighterOptions { Alpha = 0.1, Formula = formula });
            weighter.Update([score, score, score]);

            weighter.Weights.Should().Equal([1.0, 1.0, 1.0], $"tied scores are not dominant ({formula})");
        }
    }

    [Fact]
    public void A_very_dominant_modality_keeps_a_positive_weight()
    {
        var weighter = new OgmGeWeighter(2, new OgmGeWeighterOptions { Alpha = 0.1 });
        weighter.Update([0.95, 0.004]);   // ratio 237.5: 1 - tanh(23.65) rounds to 0 in float64

        weighter.Weights[0].Should().BeGreaterThan(0).And.BeApproximately(2 / (1 + Math.Exp(2 * 0.1 * (0.95 / 0.004 - 1))), 1e-30);
        weighter.Weights[1].Should().Be(1.0);
    }

    [Fact]
    public void A_modality_with_a_positive_score_whose_peers_all_score_zero_is_rejected_leaving_the_weights()
    {
        var weighter = new OgmGeWeighter(3, new OgmGeWeighterOptions { Alpha = 0.5 });
        weighter.Update([0.9, 0.6, 0.3]);
        var before = weighter.Weights.ToArray();

        var act = () => weighter.Update([0.0, 0.4, 0.0]);

        act.Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("The peers of modality 1 all score 0*");
        weighter.Weights.Should().Equal(before);
    }

    [Fact]
    public void All_zero_scores_leave_every_weight_at_one()
    {
        var weighter = new OgmGeWeighter(2, new OgmGeWeighterOptions { Alpha = 0.5 });
        weighter.Update([0.9, 0.3]);

        weighter.Update([0.0, 0.0]);

        weighter.Weights.Should().Equal(1.0, 1.0);
    }

    [Fact]
    public void A_zero_score_among_positive_peers_keeps_weight_one_and_is_averaged_into_the_leaders_peers()
    {
        var weighter = new OgmGeWeighter(3, new OgmGeWeighterOptions { Alpha = 0.5 });
        weighter.Update([0.8, 0.0, 0.4]);

        // ratio_0 = 0.8 / mean(0, 0.4) = 4; ratio_2 = 0.4 / mean(0.8, 0) = 1 (not damped).
        weighter.Weights[0].Should().BeApproximately(1 - Math.Tanh(0.5 * 3), 1e-15);
        weighter.Weights[1].Should().Be(1.0);
        weighter.Weights[2].Should().Be(1.0);
    }

    [Theory]
    [InlineData(OgmGeFormula.Paper, 1.5, 0.4, 0.2)]
    [InlineData(OgmGeFormula.Code, 1.5, 0.4, 0.6)]
    [InlineData(OgmGeFormula.Paper, 3.0, 0.1, 0.2)]
    public void The_static_damping_is_one_minus_tanh_of_alpha_times_the_formulas_argument(OgmGeFormula formula, double ratio, double alpha, double argumentTimesAlpha)
    {
        var k = OgmGeWeighter.Damping(ratio, new OgmGeWeighterOptions { Alpha = alpha, Formula = formula });

        k.Should().BeApproximately(1 - Math.Tanh(argumentTimesAlpha), 1e-15);
    }

    [Theory]
    [InlineData(OgmGeFormula.Paper, 1000.0, 0.5)]   // alpha (ratio - 1) = 499.5
    [InlineData(OgmGeFormula.Code, 1000.0, 0.5)]    // alpha ratio = 500
    [InlineData(OgmGeFormula.Paper, 1e300, 0.1)]
    public void The_damping_underflows_to_exactly_zero_once_alpha_times_the_argument_exceeds_about_354(OgmGeFormula formula, double ratio, double alpha)
    {
        OgmGeWeighter.Damping(ratio, new OgmGeWeighterOptions { Alpha = alpha, Formula = formula }).Should().Be(0.0);
    }

    [Theory]
    [InlineData(OgmGeFormula.Paper, 601.0, 0.5)]   // alpha (ratio - 1) = 300
    [InlineData(OgmGeFormula.Code, 600.0, 0.5)]    // alpha ratio = 300
    public void The_damping_stays_positive_where_the_references_one_minus_tanh_is_already_zero(OgmGeFormula formula, double ratio, double alpha)
    {
        double k = OgmGeWeighter.Damping(ratio, new OgmGeWeighterOptions { Alpha = alpha, Formula = formula });

        (1 - Math.Tanh(300.0)).Should().Be(0.0, "the reference's form rounds to 0 above about 19");
        k.Should().BeGreaterThan(0.0).And.BeApproximately(2 * Math.Exp(-600.0), 1e-12 * 2 * Math.Exp(-600.0));
    }

    [Fact]
    public void A_huge_ratio_damps_the_leaders_weight_to_exactly_zero()
    {
        var weighter = new OgmGeWeighter(2, new OgmGeWeighterOptions { Alpha = 0.5 });

        weighter.Update([1000.0, 1.0]);

        weighter.Weights.Should().Equal(0.0, 1.0);
    }

    [Fact]
    public void Weighted_loss_is_the_damped_sum_of_the_modality_losses()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var weighter = new OgmGeWeighter(2, new OgmGeWeighterOptions { Alpha = 0.5 });
        weighter.Update([0.9, 0.3]);

        var loss = weighter.WeightedLoss([TorchSharp.torch.tensor(2.0), TorchSharp.torch.tensor(0.5)]);

        loss.item<double>().Should().BeApproximately((1 - Math.Tanh(0.5 * 2)) * 2.0 + 0.5, 1e-15);
        weighter.TrainableParameters.Should().BeEmpty();
    }

    [Fact]
    public void The_options_monitor_constructor_uses_the_monitored_value_and_rejects_null()
    {
        var options = new OgmGeWeighterOptions { Alpha = 0.4 };
        var act = () => new OgmGeWeighter(2, (Microsoft.Extensions.Options.IOptions<OgmGeWeighterOptions>)null!);

        new OgmGeWeighter(2, Microsoft.Extensions.Options.Options.Create(options)).Options.Should().BeSameAs(options);
        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }
}
