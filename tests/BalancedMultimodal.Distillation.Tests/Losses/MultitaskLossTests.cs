using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

public class MultitaskLossTests
{
    private static readonly double[][] Fused = [[1.0, -1.0], [0.2, 0.4], [0.0, 2.0]];
    private static readonly double[][] HeadA = [[0.5, 0.5], [1.0, -1.0], [-0.5, 0.5]];
    private static readonly double[][] HeadB = [[2.0, 0.0], [0.0, 0.3], [1.0, 1.0]];
    private static readonly int[] Labels = [0, 1, 1];
    private static readonly bool[] Mask = [true, false, true];

    private static Tensor Matrix(double[][] rows, bool requiresGrad = false) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], dtype: ScalarType.Float64, requires_grad: requiresGrad);

    private static MultitaskLossTerms Compute(IModalityLossWeighter weighter, IReadOnlyList<Tensor>? distillation = null, Tensor? headA = null) =>
        new MultitaskLoss(weighter).Compute(Matrix(Fused), [headA ?? Matrix(HeadA), Matrix(HeadB)],
            tensor(Labels.Select(l => (long)l).ToArray()), tensor(Mask), distillation);

    [Fact]
    public void Total_is_fused_ce_plus_weighted_modality_ces_plus_distillation()
    {
        using var scope = NewDisposeScope();
        var weighter = new PerformanceGatedWeighter(2, new PerformanceGatedWeighterOptions { EmaDecay = 0 });
        weighter.Update([0.9, 0.6]);
        var terms = Compute(weighter, [tensor(0.25), tensor(0.5)]);

        double fused = HandComputed.CrossEntropy(Fused, Labels, Mask);
        double a = HandComputed.CrossEntropy(HeadA, Labels, Mask);
        double b = HandComputed.CrossEntropy(HeadB, Labels, Mask);
        terms.Fused.item<double>().Should().BeApproximately(fused, 1e-12);
        terms.ModalityLosses.Select(l => l.item<double>()).Should().Equal([a, b], (x, y) => Math.Abs(x - y) < 1e-12);
        terms.ModalityWeights.Should().Equal(weighter.Weights);
        terms.Distillation.item<double>().Should().Be(0.75);
        terms.Total.item<double>().Should().BeApproximately(fused + a + weighter.Weights[1] * b + 0.75, 1e-12);
    }

    [Fact]
    public void Without_distillation_terms_the_distillation_part_is_zero()
    {
        using var scope = NewDisposeScope();
        var terms = Compute(new UniformWeighter(2));

        terms.Distillation.item<double>().Should().Be(0);
        terms.Total.item<double>().Should().BeApproximately(terms.Fused.item<double>() + terms.WeightedModalities.item<double>(), 1e-15);
    }

    [Fact]
    public void With_the_uncertainty_policy_the_log_variances_receive_gradient()
    {
        using var scope = NewDisposeScope();
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: ScalarType.Float64);
        var headA = Matrix(HeadA, requiresGrad: true);

        Compute(weighter, headA: headA).Total.backward();

        weighter.LogVariances.grad!.abs().sum().item<double>().Should().BeGreaterThan(0);
        headA.grad!.abs().sum().item<double>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void A_head_count_different_from_the_weighters_modalities_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(3)).Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)],
            tensor(new long[] { 0, 1, 1 }), tensor(Mask));

        act.Should().Throw<ArgumentException>().WithMessage("*Expected 3 modality logit tensors*");
    }

    [Fact]
    public void A_head_with_another_class_count_is_rejected_naming_the_modality()
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(Matrix(Fused), [Matrix(HeadA), zeros(3, 3, dtype: ScalarType.Float64)],
            tensor(new long[] { 0, 1, 1 }), tensor(Mask));

        act.Should().Throw<ArgumentException>().WithMessage("*modalityLogits[1]*");
    }
}
