using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests;

/// <summary>The result records holding tensors (<see cref="DistillationLossTerms"/>, <see cref="MultitaskLossTerms"/>,
/// <see cref="NetworkOutputs"/>) compare and hash by tensor identity, and describe their tensors without reading them:
/// with the compiler's record members, two records of equal-valued distinct tensors were equal with different hash codes,
/// a record holding NaN was unequal to its own <c>with</c> copy, and comparing or printing after a dispose threw.</summary>
public sealed class ResultRecordIdentityTests
{
    private static DistillationLossTerms Terms(float value) =>
        new(tensor(value), tensor(value), tensor(value), tensor(value));

    [Fact]
    public void Distillation_terms_are_equal_when_they_hold_the_same_tensors_and_only_then()
    {
        using var scope = NewDisposeScope();
        var a = Terms(2f);
        var b = Terms(2f);

        a.Equals(b).Should().BeFalse("equal values in distinct tensors are distinct results");
        new HashSet<DistillationLossTerms> { a }.Contains(b).Should().BeFalse();
        var copy = a with { };
        copy.Should().Be(a);
        copy.GetHashCode().Should().Be(a.GetHashCode());
        new HashSet<DistillationLossTerms> { a }.Contains(copy).Should().BeTrue();
        (a with { Total = tensor(2f) }).Should().NotBe(a);

        var nan = Terms(float.NaN);
        (nan with { }).Should().Be(nan, "a record is equal to its copy even when its tensors hold NaN");
    }

    [Fact]
    public void Multitask_terms_and_network_outputs_compare_by_identity()
    {
        using var scope = NewDisposeScope();
        var losses = new[] { tensor(1.0), tensor(2.0) };
        var weights = new[] { 0.5, 0.5 };
        var terms = new MultitaskLossTerms(tensor(3.0), tensor(1.0), losses, weights, tensor(1.5), tensor(0.0));
        (terms with { }).Should().Be(terms);
        (terms with { }).GetHashCode().Should().Be(terms.GetHashCode());
        new MultitaskLossTerms(terms.Total, terms.Fused, losses, weights, terms.WeightedModalities, tensor(0.0)).Should().NotBe(terms);

        var outputs = new NetworkOutputs([ones(4, 2)], [zeros(4, 3)], zeros(4, 3));
        (outputs with { }).Should().Be(outputs);
        new NetworkOutputs(outputs.Embeddings, outputs.ModalityLogits, zeros(4, 3)).Should().NotBe(outputs);
    }

    [Fact]
    public void Records_compare_and_print_after_their_tensors_are_disposed()
    {
        var a = Terms(1f);
        var b = Terms(1f);
        var outputs = new NetworkOutputs([ones(4, 2, dtype: ScalarType.Float64)], [zeros(4, 3, dtype: ScalarType.Float64)], zeros(4, 3, dtype: ScalarType.Float64));
        outputs.ToString().Should().Be("NetworkOutputs { Embeddings = [tensor (4, 2) Float64 on cpu], ModalityLogits = [tensor (4, 3) Float64 on cpu], FusedLogits = tensor (4, 3) Float64 on cpu }");
        a.ToString().Should().StartWith("DistillationLossTerms { Total = tensor () Float32 on cpu, CrossEntropy = ");
        foreach (var t in new[] { a.Total, a.CrossEntropy, a.KullbackLeibler, a.Representation, b.Total, outputs.FusedLogits })
            t.Dispose();

        a.Equals(b).Should().BeFalse();
        a.Should().Be(a with { });
        a.ToString().Should().Be("DistillationLossTerms { Total = disposed tensor, CrossEntropy = disposed tensor, KullbackLeibler = disposed tensor, Representation = disposed tensor }");
        outputs.ToString().Should().EndWith("FusedLogits = disposed tensor }");
        var terms = new MultitaskLossTerms(tensor(3.0), tensor(1.0), [tensor(1.0)], [0.25], tensor(1.5), tensor(0.0));
        terms.ToString().Should().Contain("ModalityLosses = [tensor () Float64 on cpu], ModalityWeights = [0.25], WeightedModalities = ");
    }
}
