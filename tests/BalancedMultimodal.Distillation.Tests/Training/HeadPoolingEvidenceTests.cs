using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary><see cref="HeadPoolingRule.ValidationEvidence"/>: r_h proportional to exp(-max(0, d_h / s_h)) against the head with
/// the lowest mean validation cross-entropy.</summary>
public class HeadPoolingEvidenceTests
{
    // Five validation rows, three classes. Head 0 is the best (mean CE 0.50234), head 1 is 0.0289 nats behind with a
    // standard error of 0.0722 (z = 0.3998: within the noise), head 2 is 0.671 behind with a standard error of 0.111
    // (z = 6.07). Expected values from numpy (float64): ce = logsumexp(z) - z_y per row, d = mean(ce_h - ce_0),
    // s = std(ce_h - ce_0, ddof = 1) / sqrt(5), e = exp(-d / s), r = e / sum(e).
    private static readonly long[] Labels = [0, 1, 2, 0, 2];

    private static readonly double[][] HeadLogits =
    [
        [2.0, 0.1, -1.0, 0.3, 1.5, 0.2, -0.5, 0.0, 1.2, 1.1, 0.9, 0.0, 0.2, 0.1, 0.8],
        [1.8, 0.2, -0.8, 0.5, 1.2, 0.3, -0.6, -0.1, 1.6, 0.9, 1.0, 0.1, 0.1, 0.0, 1.0],
        [0.1, 0.0, 0.2, 0.4, 0.3, 0.2, 0.5, 0.1, 0.0, 0.0, 0.2, 0.1, 0.3, 0.0, 0.1],
    ];

    private static readonly double[] Expected = [0.5978083048524838, 0.4008050437266915, 0.0013866514208245371];

    private static Tensor[] Heads(ScalarType dtype, params int[] order) =>
        order.Select(h => tensor(HeadLogits[h], [5, 3], dtype: dtype)).ToArray();

    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    [InlineData(ScalarType.Float32, 1e-6)]
    public void Weights_are_the_evidence_factors_of_each_heads_paired_deficit_to_the_best_head(ScalarType dtype, double tolerance)
    {
        using var labels = tensor(Labels);
        var heads = Heads(dtype, 0, 1, 2);

        var weights = HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, 0);

        weights.Should().HaveCount(3);
        for (int h = 0; h < 3; h++) weights[h].Should().BeApproximately(Expected[h], tolerance, $"head {h}");
        foreach (var head in heads) head.Dispose();
    }

    [Fact]
    public void The_best_head_is_found_wherever_it_stands_so_the_weights_follow_the_heads()
    {
        using var labels = tensor(Labels);
        var heads = Heads(ScalarType.Float64, 2, 0, 1);

        var weights = HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, 0);

        weights[0].Should().BeApproximately(Expected[2], 1e-12);
        weights[1].Should().BeApproximately(Expected[0], 1e-12);
        weights[2].Should().BeApproximately(Expected[1], 1e-12);
    }

    [Fact]
    public void The_rule_differs_from_the_information_gain_rule_on_the_same_heads()
    {
        // Premise of the pipeline's choice: the gain rule gives head 1 (0.53 nats, well above chance) a large share and
        // head 2 (about chance) none; the evidence rule keeps head 1 near head 0 because its deficit is within the noise.
        using var labels = tensor(Labels);
        var heads = Heads(ScalarType.Float64, 0, 1, 2);

        var gain = HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.InformationGain, 0);
        var evidence = HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, 0);

        gain.Should().Equal(HeadPoolingWeights.FromValidation(heads, labels), "the three-argument overload is the gain rule");
        gain[2].Should().Be(0);
        evidence[2].Should().BeGreaterThan(0);
        evidence[0].Should().NotBeApproximately(gain[0], 1e-3);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void Shrinkage_pulls_the_evidence_weights_towards_equal_weights(double lambda)
    {
        using var labels = tensor(Labels);
        var heads = Heads(ScalarType.Float64, 0, 1, 2);

        var weights = HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, lambda);

        for (int h = 0; h < 3; h++) weights[h].Should().BeApproximately(lambda / 3 + (1 - lambda) * Expected[h], 1e-12);
    }

    [Fact]
    public void Heads_that_tie_with_the_best_head_get_its_full_weight()
    {
        using var labels = tensor(Labels);
        var heads = Heads(ScalarType.Float64, 0, 0, 2);

        var weights = HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, 0);

        weights[0].Should().Be(weights[1]);
        weights[0].Should().BeApproximately(1 / (2 + Expected[2] / Expected[0]), 1e-12);
    }

    [Fact]
    public void A_head_behind_by_the_same_amount_on_every_row_gets_weight_zero()
    {
        // Logits (1, 0) and (0, 0) on label 0 give cross-entropies ln(1 + e^-1) and ln 2 on every row: a constant
        // positive deficit with standard error 0, infinitely many standard errors behind.
        using var labels = tensor(new long[] { 0, 0, 0 });
        using var good = tensor(new double[] { 1, 0, 1, 0, 1, 0 }, [3, 2]);
        using var flat = zeros(3, 2, dtype: ScalarType.Float64);

        var weights = HeadPoolingWeights.FromValidation([good, flat], labels, HeadPoolingRule.ValidationEvidence, 0);

        weights.Should().Equal(1.0, 0.0);
    }

    [Fact]
    public void A_single_validation_row_has_no_standard_error_so_the_weights_are_equal()
    {
        using var labels = tensor(new long[] { 1 });
        using var confident = tensor(new double[] { 0, 3 }, [1, 2]);
        using var wrong = tensor(new double[] { 3, 0 }, [1, 2]);

        var weights = HeadPoolingWeights.FromValidation([confident, wrong], labels, HeadPoolingRule.ValidationEvidence, 0);

        weights.Should().Equal(0.5, 0.5);
    }

    [Fact]
    public void An_undefined_rule_is_rejected_before_any_work()
    {
        using var labels = tensor(Labels);
        var heads = Heads(ScalarType.Float64, 0, 1);

        var act = () => HeadPoolingWeights.FromValidation(heads, labels, (HeadPoolingRule)7, 0);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("rule");
    }

    [Fact]
    public void Non_finite_logits_are_rejected_naming_the_head_under_the_evidence_rule_too()
    {
        using var labels = tensor(Labels);
        var heads = Heads(ScalarType.Float64, 0, 1);
        heads[1][2, 1] = tensor(double.NaN);

        var act = () => HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, 0);

        act.Should().Throw<ArgumentException>().WithMessage("Head 1's logits give a non-finite validation cross-entropy.*");
    }
}
