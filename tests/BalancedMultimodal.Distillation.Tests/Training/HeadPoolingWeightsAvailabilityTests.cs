using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>Head pooling weights measured where each head votes (validation rows lacking a modality).</summary>
public class HeadPoolingWeightsAvailabilityTests
{
    /// <summary>Three heads on 6 rows, 2 classes, labels 0,1,0,1,0,1, seeded random logits.</summary>
    private static (Tensor[] Heads, Tensor Labels) Heads()
    {
        var generator = new TorchSharp.torch.Generator(7);
        var heads = Enumerable.Range(0, 3).Select(_ => randn(6, 2, dtype: ScalarType.Float64, generator: generator) * 2).ToArray();
        return (heads, tensor(new long[] { 0, 1, 0, 1, 0, 1 }));
    }

    [Theory]
    [InlineData(HeadPoolingRule.InformationGain)]
    [InlineData(HeadPoolingRule.ValidationEvidence)]
    public void A_null_availability_is_the_overload_without_it(HeadPoolingRule rule)
    {
        using var scope = NewDisposeScope();
        var (heads, labels) = Heads();

        HeadPoolingWeights.FromValidation(heads, labels, rule, 0.1, null).Should().Equal(HeadPoolingWeights.FromValidation(heads, labels, rule, 0.1));
    }

    [Theory]
    [InlineData(HeadPoolingRule.InformationGain)]
    [InlineData(HeadPoolingRule.ValidationEvidence)]
    public void Heads_voting_on_the_same_rows_weigh_as_if_scored_on_those_rows_alone(HeadPoolingRule rule)
    {
        using var scope = NewDisposeScope();
        var (heads, labels) = Heads();
        bool[] rows = [true, false, true, true, false, true];
        var availability = tensor(rows.SelectMany(r => new[] { r, r, r }).ToArray(), [6, 3]);
        var kept = tensor(new long[] { 0, 2, 3, 5 });

        var weights = HeadPoolingWeights.FromValidation(heads, labels, rule, 0, availability);
        var expected = HeadPoolingWeights.FromValidation(heads.Select(h => h.index_select(0, kept)).ToArray(), labels.index_select(0, kept), rule, 0);

        weights.Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    /// <summary>Head 0 (fused) is mildly right everywhere; head 1 is confidently right on rows 0-3 and confidently wrong
    /// on rows 4-5, which lack its modality: labels, the two heads' logits and the availability (rows x heads).</summary>
    private static (Tensor Labels, Tensor Fused, Tensor Head, Tensor Availability) RightThenWrong() => (
        tensor(new long[] { 0, 1, 0, 1, 0, 1 }),
        tensor(new[] { 1.0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1 }, [6, 2], dtype: ScalarType.Float64),
        tensor(new[] { 3.0, 0, 0, 3, 3, 0, 0, 3, 0, 3, 3, 0 }, [6, 2], dtype: ScalarType.Float64),
        tensor(new[] { true, true, true, true, true, true, true, true, true, false, true, false }, [6, 2]));

    [Fact]
    public void A_head_is_scored_only_on_the_rows_it_votes_for()
    {
        using var scope = NewDisposeScope();
        var (labels, fused, head, availability) = RightThenWrong();

        var weights = HeadPoolingWeights.FromValidation([fused, head], labels, HeadPoolingRule.InformationGain, 0, availability);

        // g_fused = ln 2 - ln(1 + e^-1); g_head = ln 2 - ln(1 + e^-3) over rows 0-3 only.
        double gFused = Math.Log(2) - Math.Log(1 + Math.Exp(-1)), gHead = Math.Log(2) - Math.Log(1 + Math.Exp(-3));
        weights.Should().Equal([gFused / (gFused + gHead), gHead / (gFused + gHead)], (a, b) => Math.Abs(a - b) < 1e-12);
        // Scored on every row, its two confident errors would leave it no gain at all.
        HeadPoolingWeights.FromValidation([fused, head], labels, HeadPoolingRule.InformationGain, 0)[1].Should().Be(0);
    }

    [Fact]
    public void An_availability_of_the_wrong_shape_or_one_leaving_a_head_without_rows_is_refused()
    {
        using var scope = NewDisposeScope();
        var (heads, labels) = Heads();
        FluentActions.Invoking(() => HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.InformationGain, 0, ones(6, 2, dtype: ScalarType.Bool)))
            .Should().Throw<ArgumentException>().WithMessage("availability must be a boolean (6, 3) matrix*");
        var none = cat([ones(6, 2, dtype: ScalarType.Bool), zeros(6, 1, dtype: ScalarType.Bool)], 1);
        FluentActions.Invoking(() => HeadPoolingWeights.FromValidation(heads, labels, HeadPoolingRule.ValidationEvidence, 0, none))
            .Should().Throw<ArgumentException>().WithMessage("Head 2 has no validation row to be scored on.*");
    }

    [Fact]
    public void A_transposed_availability_is_read_as_its_values_and_leaves_no_tensor_in_the_callers_scope()
    {
        using var scope = NewDisposeScope();
        var (labels, fused, head, contiguous) = RightThenWrong();
        var transposed = contiguous.t().contiguous().t();   // the same values, column-major
        var expected = HeadPoolingWeights.FromValidation([fused, head], labels, HeadPoolingRule.InformationGain, 0, contiguous);
        int before = scope.DisposablesCount;

        var weights = HeadPoolingWeights.FromValidation([fused, head], labels, HeadPoolingRule.InformationGain, 0, transposed);

        weights.Should().Equal(expected);
        scope.DisposablesCount.Should().Be(before, "the host copy of the availability is freed inside the call");
    }
}
