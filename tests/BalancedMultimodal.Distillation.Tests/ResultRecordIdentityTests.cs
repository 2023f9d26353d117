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

    [Fact]
    public void Distillation_terms_differ_when_any_one_of_their_tensors_is_another()
    {
        using var scope = NewDisposeScope();
        var a = Terms(2f);

        (a with { Total = tensor(2f) }).Should().NotBe(a);
        (a with { CrossEntropy = tensor(2f) }).Should().NotBe(a);
        (a with { KullbackLeibler = tensor(2f) }).Should().NotBe(a);
        (a with { Representation = tensor(2f) }).Should().NotBe(a);
    }

    [Fact]
    public void Multitask_terms_differ_when_any_one_of_their_members_is_another_object()
    {
        using var scope = NewDisposeScope();
        var terms = new MultitaskLossTerms(tensor(3.0), tensor(1.0), [tensor(1.0), tensor(2.0)], [0.5, 0.5], tensor(1.5), tensor(0.0));

        (terms with { Total = tensor(3.0) }).Should().NotBe(terms);
        (terms with { Fused = tensor(1.0) }).Should().NotBe(terms);
        (terms with { ModalityLosses = terms.ModalityLosses.ToArray() }).Should().NotBe(terms, "another list, though of the same tensors");
        (terms with { ModalityWeights = terms.ModalityWeights.ToArray() }).Should().NotBe(terms, "another list, though of the same weights");
        (terms with { WeightedModalities = tensor(1.5) }).Should().NotBe(terms);
        (terms with { Distillation = tensor(0.0) }).Should().NotBe(terms);
    }

    [Fact]
    public void Network_outputs_differ_when_any_one_of_their_members_is_another_object()
    {
        using var scope = NewDisposeScope();
        var outputs = new NetworkOutputs([ones(4, 2)], [zeros(4, 3)], zeros(4, 3));

        (outputs with { Embeddings = outputs.Embeddings.ToArray() }).Should().NotBe(outputs, "another list, though of the same tensors");
        (outputs with { ModalityLogits = outputs.ModalityLogits.ToArray() }).Should().NotBe(outputs, "another list, though of the same tensors");
        (outputs with { FusedLogits = zeros(4, 3) }).Should().NotBe(outputs);
    }

    [Fact]
    public void Multitask_terms_print_every_member_in_order_and_their_weights_in_the_invariant_culture()
    {
        using var scope = NewDisposeScope();
        // Every tensor of another shape, so that a member printed in another's place shows.
        var terms = new MultitaskLossTerms(zeros(1), zeros(2), [zeros(3), zeros(4)], [0.25, 1.5], zeros(5), zeros(6, dtype: ScalarType.Float64));
        var culture = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        string text;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
            text = terms.ToString();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }

        text.Should().Be("MultitaskLossTerms { Total = tensor (1) Float32 on cpu, Fused = tensor (2) Float32 on cpu, " +
            "ModalityLosses = [tensor (3) Float32 on cpu, tensor (4) Float32 on cpu], ModalityWeights = [0.25, 1.5], " +
            "WeightedModalities = tensor (5) Float32 on cpu, Distillation = tensor (6) Float64 on cpu }");
    }
}
