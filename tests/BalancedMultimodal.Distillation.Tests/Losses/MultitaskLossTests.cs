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
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = 0.3 }, dtype: ScalarType.Float64);
        var headA = Matrix(HeadA, requiresGrad: true);

        Compute(weighter, headA: headA).Total.backward();

        // d/ds_m [exp(-s_m) L_m + s_m] = 1 - exp(-s_m) L_m (Kendall et al. 2018), with L_m the hand-computed cross-entropy.
        double a = HandComputed.CrossEntropy(HeadA, Labels, Mask), b = HandComputed.CrossEntropy(HeadB, Labels, Mask);
        weighter.LogVariances.grad!.data<double>().ToArray().Should().Equal(
            new[] { 1 - Math.Exp(-0.3) * a, 1 - Math.Exp(-0.3) * b }, (actual, expected) => Math.Abs(actual - expected) < 1e-12);
        headA.grad!.abs().sum().item<double>().Should().BeGreaterThan(0, "the head's loss reaches its logits through the weighting");
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

    [Fact]
    public void A_null_weighter_is_rejected()
    {
        var act = () => new MultitaskLoss(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("weighter");
    }

    [Fact]
    public void A_head_with_another_row_count_is_rejected_naming_the_modality()
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(Matrix(Fused), [Matrix(HeadA), zeros(2, 2, dtype: ScalarType.Float64)],
            tensor(new long[] { 0, 1, 1 }), tensor(Mask));

        act.Should().Throw<ArgumentException>().WithParameterName("modalityLogits[1]").WithMessage("*2 rows; expected 3*");
    }

    [Fact]
    public void An_empty_labelled_mask_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)],
            tensor(new long[] { 0, 1, 1 }), zeros(3, dtype: ScalarType.Bool));

        act.Should().Throw<ArgumentException>().WithParameterName("labelledMask").WithMessage("*selects no row*");
    }

    [Fact]
    public void A_label_outside_the_classes_at_a_labelled_row_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)],
            tensor(new long[] { 0, 1, 2 }), tensor(Mask));

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("labels").WithMessage("*labels[2] = 2*");
    }

    [Fact]
    public void A_null_distillation_term_is_rejected_naming_its_index()
    {
        using var scope = NewDisposeScope();
        var act = () => Compute(new UniformWeighter(2), [tensor(0.5), null!]);

        act.Should().Throw<ArgumentNullException>().WithParameterName("distillationLosses").WithMessage("*distillationLosses[1] is null*");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_distillation_term_that_is_not_a_floating_point_scalar_is_rejected(bool integer)
    {
        using var scope = NewDisposeScope();
        var term = integer ? tensor(3L) : tensor(new[] { 0.5, 0.5 });
        var act = () => Compute(new UniformWeighter(2), [tensor(0.5), term]);

        act.Should().Throw<ArgumentException>().WithParameterName("distillationLosses").WithMessage("*distillationLosses[1] must be a floating-point scalar*");
    }

    [Fact]
    public void A_distillation_term_on_another_device_is_rejected_naming_its_index_before_any_work()
    {
        using var scope = NewDisposeScope();
        var elsewhere = zeros(Array.Empty<long>(), dtype: ScalarType.Float64, device: new Device(TorchSharp.DeviceType.META));
        var act = () => Compute(new UniformWeighter(2), [tensor(0.5), elsewhere]);

        act.Should().Throw<ArgumentException>().WithParameterName("distillationLosses").WithMessage("*distillationLosses[1] is on meta*fusedLogits is on cpu*");
    }

    [Fact]
    public void A_one_element_distillation_term_of_another_dtype_is_added_as_a_scalar()
    {
        using var scope = NewDisposeScope();
        var terms = Compute(new UniformWeighter(2), [tensor(new[] { 0.25f }), tensor(0.5)]);

        terms.Distillation.shape.Should().BeEmpty();
        terms.Distillation.dtype.Should().Be(ScalarType.Float64);
        terms.Distillation.item<double>().Should().Be(0.75);
        terms.Total.item<double>().Should().BeApproximately(
            HandComputed.CrossEntropy(Fused, Labels, Mask) + HandComputed.CrossEntropy(HeadA, Labels, Mask) + HandComputed.CrossEntropy(HeadB, Labels, Mask) + 0.75,
            1e-12);
    }

    [Theory]
    [InlineData("fusedLogits")]
    [InlineData("modalityLogits")]
    public void Null_logits_are_rejected(string parameter)
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(parameter == "fusedLogits" ? null! : Matrix(Fused),
            parameter == "modalityLogits" ? null! : [Matrix(HeadA), Matrix(HeadB)], tensor(new long[] { 0, 1, 1 }), tensor(Mask));

        act.Should().Throw<ArgumentNullException>().WithParameterName(parameter);
    }

    [Fact]
    public void Fused_logits_that_are_not_a_matrix_are_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(zeros(3, dtype: ScalarType.Float64), [Matrix(HeadA), Matrix(HeadB)],
            tensor(new long[] { 0, 1, 1 }), tensor(Mask));

        act.Should().Throw<ArgumentException>().WithParameterName("fusedLogits").WithMessage("*2-D*");
    }

    [Fact]
    public void A_head_with_rows_when_the_fused_logits_have_none_is_rejected_naming_the_modality()
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(zeros(0, 2, dtype: ScalarType.Float64), [Matrix(HeadA), Matrix(HeadB)],
            tensor(Array.Empty<long>()), zeros(0, dtype: ScalarType.Bool));

        act.Should().Throw<ArgumentException>().WithParameterName("modalityLogits[0]").WithMessage("*3 rows; expected 0*");
    }

    [Fact]
    public void Labels_that_are_not_int64_are_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)],
            tensor(new[] { 0, 1, 1 }), tensor(Mask));

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*int64*");
    }

    [Fact]
    public void A_labelled_mask_of_the_wrong_length_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)],
            tensor(new long[] { 0, 1, 1 }), tensor(new[] { true, true }));

        act.Should().Throw<ArgumentException>().WithParameterName("labelledMask").WithMessage("*length 3*");
    }

    [Fact]
    public void A_modality_mask_restricts_that_modalitys_cross_entropy_only()
    {
        using var scope = NewDisposeScope();
        var weighter = new PerformanceGatedWeighter(2, new PerformanceGatedWeighterOptions { EmaDecay = 0 });
        bool[] headBRows = [false, true, true];
        var terms = new MultitaskLoss(weighter).Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)],
            tensor(Labels.Select(l => (long)l).ToArray()), tensor(Mask),
            distillationLosses: null, classWeights: null, modalityLabelledMasks: [null, tensor(headBRows)]);

        terms.Fused.item<double>().Should().BeApproximately(HandComputed.CrossEntropy(Fused, Labels, Mask), 1e-12);
        terms.ModalityLosses[0].item<double>().Should().BeApproximately(HandComputed.CrossEntropy(HeadA, Labels, Mask), 1e-12);
        terms.ModalityLosses[1].item<double>().Should().BeApproximately(HandComputed.CrossEntropy(HeadB, Labels, headBRows), 1e-12);
    }

    [Fact]
    public void Modality_masks_of_the_wrong_count_or_selecting_no_row_are_refused()
    {
        using var scope = NewDisposeScope();
        var loss = new MultitaskLoss(new PerformanceGatedWeighter(2, new PerformanceGatedWeighterOptions()));
        var labels = tensor(Labels.Select(l => (long)l).ToArray());
        FluentActions.Invoking(() => loss.Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)], labels, tensor(Mask),
                distillationLosses: null, classWeights: null, modalityLabelledMasks: [null]))
            .Should().Throw<ArgumentException>().WithMessage("Expected 2 modality masks*");
        FluentActions.Invoking(() => loss.Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)], labels, tensor(Mask),
                distillationLosses: null, classWeights: null, modalityLabelledMasks: [tensor(new bool[3]), null]))
            .Should().Throw<ArgumentException>().WithMessage("modalityLabelledMasks[0] selects no row*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Modality_logits_of_another_dtype_than_the_fused_logits_are_refused_naming_the_index(int m)
    {
        // Before, a float32 head under float64 fused logits was accepted: its CE was float32, and the weighters then
        // rounded the per-modality losses to the first one's dtype.
        using var scope = NewDisposeScope();
        var heads = new[] { Matrix(HeadA), Matrix(HeadB) };
        heads[m] = heads[m].to(ScalarType.Float32);
        var act = () => new MultitaskLoss(new UniformWeighter(2)).Compute(Matrix(Fused), heads,
            tensor(Labels.Select(l => (long)l).ToArray()), tensor(Mask));

        act.Should().Throw<ArgumentException>().WithParameterName("modalityLogits")
            .WithMessage($"modalityLogits[{m}] is Float32; fusedLogits is Float64*");
    }

    [Fact]
    public void Logits_of_one_dtype_give_every_term_in_that_dtype()
    {
        using var scope = NewDisposeScope();
        var terms = new MultitaskLoss(new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: ScalarType.Float32)).Compute(
            Matrix(Fused).to(ScalarType.Float32), [Matrix(HeadA).to(ScalarType.Float32), Matrix(HeadB).to(ScalarType.Float32)],
            tensor(Labels.Select(l => (long)l).ToArray()), tensor(Mask));

        new[] { terms.Total, terms.Fused, terms.WeightedModalities, terms.Distillation }.Concat(terms.ModalityLosses)
            .Select(t => t.dtype).Should().AllBeEquivalentTo(ScalarType.Float32);
    }

    [Fact]
    public void The_overload_with_modality_masks_takes_the_shorter_overloads_parameters_in_their_order_then_the_masks()
    {
        // Before, the masks came before distillationLosses: a call that gained masks by appending an argument still
        // compiled with every later argument shifted by one.
        var overloads = typeof(MultitaskLoss).GetMethods().Where(m => m.Name == nameof(MultitaskLoss.Compute))
            .Select(m => m.GetParameters().Select(p => p.Name!).ToArray()).OrderBy(names => names.Length).ToArray();

        overloads.Should().HaveCount(2);
        overloads[1].Should().Equal([.. overloads[0], "modalityLabelledMasks"]);
    }

    [Fact]
    public void Masks_passed_by_name_and_a_distillation_term_give_the_same_terms_as_without_masks_when_every_mask_is_null()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(Labels.Select(l => (long)l).ToArray());
        var loss = new MultitaskLoss(new UniformWeighter(2));
        var without = loss.Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)], labels, tensor(Mask), [tensor(0.25)]);
        var with = loss.Compute(Matrix(Fused), [Matrix(HeadA), Matrix(HeadB)], labels, tensor(Mask),
            distillationLosses: [tensor(0.25)], classWeights: null, modalityLabelledMasks: [null, null]);

        with.Distillation.item<double>().Should().Be(0.25);
        with.Total.item<double>().Should().Be(without.Total.item<double>());
    }
}
