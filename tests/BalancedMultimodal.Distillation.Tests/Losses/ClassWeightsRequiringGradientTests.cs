using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

/// <summary>Class weights are data: weights that require a gradient (e.g. a slice of a learnable tensor) are read as
/// values through a detached view, give the loss of the same plain weights, and receive no gradient; before, libtorch
/// refused them ("'nll_loss_forward' is not differentiable with respect to argument 'weight'").</summary>
public class ClassWeightsRequiringGradientTests
{
    private static readonly double[] Weights = [0.5, 2.0, 1.25];
    private static readonly long[] Labels = [0, 1, 2, 0, 2];
    private static readonly bool[] Labelled = [true, true, true, true, false];

    private static Tensor Logits(ulong seed, bool requiresGrad = false)
    {
        using var generator = new Generator(seed);
        return randn(5, 3, dtype: ScalarType.Float64, generator: generator).requires_grad_(requiresGrad);
    }

    private static Tensor TrackedWeights() => tensor(Weights, requires_grad: true);

    [Fact]
    public void The_multitask_loss_equals_the_one_with_plain_weights_and_the_weights_get_no_gradient()
    {
        using var scope = NewDisposeScope();
        var loss = new MultitaskLoss(new UniformWeighter(2));
        var weights = TrackedWeights();
        var fused = Logits(1, requiresGrad: true);

        var tracked = loss.Compute(fused, [Logits(2), Logits(3)], tensor(Labels), tensor(Labelled), classWeights: weights);
        var plain = loss.Compute(Logits(1), [Logits(2), Logits(3)], tensor(Labels), tensor(Labelled), classWeights: tensor(Weights));
        tracked.Total.backward();

        tracked.Total.item<double>().Should().Be(plain.Total.item<double>());
        weights.grad.Should().BeNull("class weights are data");
        fused.grad.Should().NotBeNull("the logits still get their gradient");
    }

    [Fact]
    public void The_multitask_loss_with_per_modality_masks_accepts_them_too()
    {
        using var scope = NewDisposeScope();
        var loss = new MultitaskLoss(new UniformWeighter(2));
        var weights = TrackedWeights();
        var masks = new Tensor?[] { tensor(new[] { true, true, false, true, false }), null };

        var tracked = loss.Compute(Logits(1, requiresGrad: true), [Logits(2), Logits(3)], tensor(Labels), tensor(Labelled),
            distillationLosses: null, classWeights: weights, modalityLabelledMasks: masks);
        var plain = loss.Compute(Logits(1), [Logits(2), Logits(3)], tensor(Labels), tensor(Labelled),
            distillationLosses: null, classWeights: tensor(Weights), modalityLabelledMasks: masks);
        tracked.Total.backward();

        tracked.Total.item<double>().Should().Be(plain.Total.item<double>());
        weights.grad.Should().BeNull();
    }

    [Fact]
    public void The_distillation_loss_equals_the_one_with_plain_weights_and_the_weights_get_no_gradient()
    {
        using var scope = NewDisposeScope();
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions { RepresentationWeight = 0 }, dtype: ScalarType.Float64);
        var weights = TrackedWeights();
        var student = Logits(4, requiresGrad: true);

        var tracked = loss.Compute(student, null, Logits(5), null, tensor(Labels), tensor(Labelled), null, weights);
        var plain = loss.Compute(Logits(4), null, Logits(5), null, tensor(Labels), tensor(Labelled), null, tensor(Weights));
        tracked.Total.backward();

        tracked.Total.item<double>().Should().Be(plain.Total.item<double>());
        tracked.CrossEntropy.item<double>().Should().Be(plain.CrossEntropy.item<double>());
        weights.grad.Should().BeNull();
        student.grad.Should().NotBeNull();
    }
}
