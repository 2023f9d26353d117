using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The pooled prediction of samples that lack modalities: a missing modality's head does not vote.</summary>
public class PredictionCombinerAvailabilityTests
{
    // Two rows. Fused logits [0, 0] -> (1/2, 1/2); head 1 [ln 3, 0] -> (3/4, 1/4); head 2 [ln 9, 0] -> (9/10, 1/10).
    private static NetworkOutputs HandOutputs() => new(
        [zeros(2, 4, dtype: ScalarType.Float64), zeros(2, 4, dtype: ScalarType.Float64)],
        [tensor(new[] { Math.Log(3), 0, Math.Log(3), 0 }, [2, 2], dtype: ScalarType.Float64),
         tensor(new[] { Math.Log(9), 0, Math.Log(9), 0 }, [2, 2], dtype: ScalarType.Float64)],
        tensor(new[] { 0.0, 0, 0, 0 }, [2, 2], dtype: ScalarType.Float64));

    /// <summary>Row 0 has both modalities; row 1 lacks modality 2.</summary>
    private static Tensor Availability() => tensor(new[] { true, true, true, false }, [2, 2]);

    private static double[] FirstClass(Tensor p) => [p[0, 0].item<double>(), p[1, 0].item<double>()];

    [Fact]
    public void All_heads_averages_the_available_heads_of_each_row()
    {
        using var p = PredictionCombiner.Probabilities(HandOutputs(), PredictionSource.AllHeads, null, Availability());

        FirstClass(p).Should().Equal([(0.5 + 0.75 + 0.9) / 3, (0.5 + 0.75) / 2], (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Geometric_mean_pools_the_available_heads_of_each_row()
    {
        using var p = PredictionCombiner.Probabilities(HandOutputs(), PredictionSource.AllHeadsGeometricMean, null, Availability());

        // Row 0: softmax(ln 12 / 3) -> 12^(1/3) / (12^(1/3) + 1); row 1: softmax(ln 3 / 2) -> sqrt 3 / (sqrt 3 + 1).
        FirstClass(p).Should().Equal([Math.Cbrt(27) / (Math.Cbrt(27) + 1), Math.Sqrt(3) / (Math.Sqrt(3) + 1)], (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Validation_weighted_pooling_renormalises_the_weights_of_the_available_heads()
    {
        using var p = PredictionCombiner.Probabilities(HandOutputs(), PredictionSource.AllHeadsValidationWeighted, [1, 1, 2], Availability());

        // Row 0: (0 + ln 3 + 2 ln 9) / 4 = 5 ln 3 / 4; row 1: (0 + ln 3) / 2.
        double row0 = Math.Exp(5 * Math.Log(3) / 4), row1 = Math.Sqrt(3);
        FirstClass(p).Should().Equal([row0 / (row0 + 1), row1 / (row1 + 1)], (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void A_row_whose_available_heads_all_weigh_zero_falls_back_to_the_fused_head()
    {
        using var p = PredictionCombiner.Probabilities(HandOutputs(), PredictionSource.AllHeadsValidationWeighted, [0, 0, 1], Availability());

        // Row 0: head 2 alone (9/10); row 1 has only zero-weight heads: the fused softmax (1/2).
        FirstClass(p).Should().Equal([0.9, 0.5], (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.BFloat16)]
    public void The_fallback_row_leaves_finite_gradients(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var fused = zeros(2, 2, dtype: dtype).requires_grad_();
        var head1 = tensor(new[] { 1.0, 0, 1, 0 }, [2, 2], dtype: dtype).requires_grad_();
        var head2 = tensor(new[] { 2.0, 0, 2, 0 }, [2, 2], dtype: dtype).requires_grad_();
        var outputs = new NetworkOutputs([zeros(2, 1, dtype: dtype), zeros(2, 1, dtype: dtype)], [head1, head2], fused);

        // Row 1 lacks modality 2, the only head with weight: it falls back to the fused head.
        var p = PredictionCombiner.Probabilities(outputs, PredictionSource.AllHeadsValidationWeighted, [0, 0, 1], Availability());
        p.log().select(1, 0).sum().backward();

        foreach (var grad in new[] { fused.grad!, head2.grad! })
            grad.isfinite().all().item<bool>().Should().BeTrue();
        head1.grad.Should().BeNull("a head of weight 0 is never read, so it receives no gradient");
    }

    [Theory]
    [InlineData(PredictionSource.AllHeads)]
    [InlineData(PredictionSource.AllHeadsGeometricMean)]
    [InlineData(PredictionSource.FusedHead)]
    public void A_null_availability_is_the_overload_without_it(PredictionSource source)
    {
        using var with = PredictionCombiner.Probabilities(HandOutputs(), source, null, null);
        using var without = PredictionCombiner.Probabilities(HandOutputs(), source);

        with.data<double>().ToArray().Should().Equal(without.data<double>().ToArray());
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1e308)]
    [InlineData(ScalarType.Float32, 2e38)]
    [InlineData(ScalarType.Float16, 4e4)]
    public void Logits_near_the_dtypes_limit_pool_as_without_availability(ScalarType dtype, double b)
    {
        // The mean logits are (b, -b/3, -b/3): class 0 certain. Summed raw before the division, b + b + b overflowed
        // and every source gave NaN.
        var outputs = new NetworkOutputs(
            [zeros(1, 2, dtype: dtype), zeros(1, 2, dtype: dtype)],
            [tensor(new[] { b, -b, 0 }, [1, 3]).to(dtype), tensor(new[] { b, 0, 0 }, [1, 3]).to(dtype)],
            tensor(new[] { b, 0, -b }, [1, 3]).to(dtype));
        using var all = ones(1, 2, dtype: ScalarType.Bool);
        foreach (var source in new[] { PredictionSource.AllHeadsGeometricMean, PredictionSource.AllHeadsValidationWeighted })
        {
            double[]? weights = source == PredictionSource.AllHeadsValidationWeighted ? [0.5, 0.25, 0.25] : null;
            using var with = PredictionCombiner.Probabilities(outputs, source, weights, all);
            using var without = PredictionCombiner.Probabilities(outputs, source, weights);

            with.to(ScalarType.Float64).data<double>().ToArray().Should().Equal(1.0, 0.0, 0.0);
            with.to(ScalarType.Float64).data<double>().ToArray().Should().Equal(without.to(ScalarType.Float64).data<double>().ToArray());
        }
    }

    [Theory]
    [InlineData(PredictionSource.AllHeads)]
    [InlineData(PredictionSource.AllHeadsGeometricMean)]
    [InlineData(PredictionSource.AllHeadsValidationWeighted)]
    public void A_nan_placeholder_at_a_missing_row_sends_no_nan_into_the_gradients(PredictionSource source)
    {
        // The trainer backpropagates through this pool: a NaN that reached the softmax of a masked row made that
        // head's gradient NaN there although the forward value was finite.
        using var scope = NewDisposeScope();
        var fused = tensor(new[] { 1.0, 0, 0, 1 }, [2, 2], dtype: ScalarType.Float64).requires_grad_();
        var head1 = tensor(new[] { 0.5, 0, double.NaN, double.NaN }, [2, 2], dtype: ScalarType.Float64).requires_grad_();
        var head2 = tensor(new[] { 0.0, 1, 1, 0 }, [2, 2], dtype: ScalarType.Float64).requires_grad_();
        var outputs = new NetworkOutputs([zeros(2, 1, dtype: ScalarType.Float64), zeros(2, 1, dtype: ScalarType.Float64)], [head1, head2], fused);
        using var lacksFirstInRow1 = tensor(new[] { true, true, false, true }, [2, 2]);
        double[]? weights = source == PredictionSource.AllHeadsValidationWeighted ? [0.5, 0.25, 0.25] : null;

        var p = PredictionCombiner.Probabilities(outputs, source, weights, lacksFirstInRow1);
        p.log().select(1, 0).sum().backward();

        foreach (var grad in new[] { fused.grad!, head1.grad!, head2.grad! })
            grad.isfinite().all().item<bool>().Should().BeTrue($"{source}");
        head1.grad![1].abs().sum().item<double>().Should().Be(0, "the masked row's logits get no gradient");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_head_the_row_lacks_is_never_read_even_when_it_is_not_finite(double placeholder)
    {
        // A loader's NaN placeholder at a missing row can reach the head's logits there; multiplied by the flag 0 it
        // made the row's pooled prediction NaN.
        var outputs = new NetworkOutputs([zeros(1, 2, dtype: ScalarType.Float64), zeros(1, 2, dtype: ScalarType.Float64)],
            [tensor(new[] { placeholder, placeholder }, [1, 2], dtype: ScalarType.Float64), tensor(new[] { 0.0, 1.0 }, [1, 2], dtype: ScalarType.Float64)],
            tensor(new[] { 1.0, 0.0 }, [1, 2], dtype: ScalarType.Float64));
        using var lacksFirst = tensor(new[] { false, true }, [1, 2]);
        var alone = new NetworkOutputs(outputs.Embeddings.Take(1).Concat(outputs.Embeddings.Take(1)).ToArray(),
            [outputs.ModalityLogits[1], outputs.ModalityLogits[1]], outputs.FusedLogits);

        foreach (var source in new[] { PredictionSource.AllHeads, PredictionSource.AllHeadsGeometricMean, PredictionSource.AllHeadsValidationWeighted })
        {
            double[]? weights = source == PredictionSource.AllHeadsValidationWeighted ? [0.5, 0.25, 0.25] : null;
            using var p = PredictionCombiner.Probabilities(outputs, source, weights, lacksFirst);

            p.isfinite().all().item<bool>().Should().BeTrue($"{source}");
            // The same as the pool of the fused head and the second head alone (the first has no say in this row).
            double[]? aloneWeights = weights is null ? null : [0.5, 0, 0.25];
            using var expected = PredictionCombiner.Probabilities(alone, source, aloneWeights, tensor(new[] { false, true }, [1, 2]));
            p.data<double>().ToArray().Should().Equal(expected.data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-15);
        }
    }

    [Fact]
    public void A_head_of_weight_zero_is_never_read()
    {
        var outputs = new NetworkOutputs([zeros(1, 2, dtype: ScalarType.Float64), zeros(1, 2, dtype: ScalarType.Float64)],
            [tensor(new[] { double.NaN, double.NaN }, [1, 2], dtype: ScalarType.Float64), tensor(new[] { 0.0, 1.0 }, [1, 2], dtype: ScalarType.Float64)],
            tensor(new[] { 1.0, 0.0 }, [1, 2], dtype: ScalarType.Float64));

        using var p = PredictionCombiner.Probabilities(outputs, PredictionSource.AllHeadsValidationWeighted, [0.5, 0, 0.5]);
        using var withAvailability = PredictionCombiner.Probabilities(outputs, PredictionSource.AllHeadsValidationWeighted, [0.5, 0, 0.5], ones(1, 2, dtype: ScalarType.Bool));

        // softmax(0.5 (1, 0) + 0.5 (0, 1)) = (1/2, 1/2).
        p.data<double>().ToArray().Should().Equal(0.5, 0.5);
        withAvailability.data<double>().ToArray().Should().Equal(0.5, 0.5);
    }

    [Fact]
    public void A_fused_head_of_weight_zero_is_never_read_unless_a_row_falls_back_on_it()
    {
        var outputs = new NetworkOutputs([zeros(2, 2, dtype: ScalarType.Float64), zeros(2, 2, dtype: ScalarType.Float64)],
            [tensor(new[] { 1.0, 0, 1, 0 }, [2, 2], dtype: ScalarType.Float64), tensor(new[] { 0.0, 1, 0, 1 }, [2, 2], dtype: ScalarType.Float64)],
            tensor(new[] { double.NaN, 0, double.NaN, 0 }, [2, 2], dtype: ScalarType.Float64));

        using var p = PredictionCombiner.Probabilities(outputs, PredictionSource.AllHeadsValidationWeighted, [0, 0.5, 0.5]);
        using var all = PredictionCombiner.Probabilities(outputs, PredictionSource.AllHeadsValidationWeighted, [0, 0.5, 0.5], ones(2, 2, dtype: ScalarType.Bool));

        // softmax(0.5 (1, 0) + 0.5 (0, 1)) = (1/2, 1/2) in both rows.
        p.data<double>().ToArray().Should().Equal(0.5, 0.5, 0.5, 0.5);
        all.data<double>().ToArray().Should().Equal(0.5, 0.5, 0.5, 0.5);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void An_availability_marking_every_row_gives_the_pool_without_it(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        for (int trial = 0; trial < 20; trial++)
        {
            var outputs = new NetworkOutputs([zeros(6, 1, dtype: dtype), zeros(6, 1, dtype: dtype), zeros(6, 1, dtype: dtype)],
                [randn([6, 3], dtype: dtype, generator: generator) * 3, randn([6, 3], dtype: dtype, generator: generator) * 3, randn([6, 3], dtype: dtype, generator: generator) * 3],
                randn([6, 3], dtype: dtype, generator: generator) * 3);
            var all = ones(6, 3, dtype: ScalarType.Bool);
            double tolerance = dtype == ScalarType.Float64 ? 1e-15 : 1e-6;
            foreach (var source in new[] { PredictionSource.AllHeads, PredictionSource.AllHeadsGeometricMean, PredictionSource.AllHeadsValidationWeighted })
            {
                double[]? weights = source == PredictionSource.AllHeadsValidationWeighted ? [0.4, 0.3, 0.2, 0.1] : null;
                var with = PredictionCombiner.Probabilities(outputs, source, weights, all).to(ScalarType.Float64).data<double>().ToArray();
                var without = PredictionCombiner.Probabilities(outputs, source, weights).to(ScalarType.Float64).data<double>().ToArray();

                if (source == PredictionSource.AllHeadsGeometricMean) with.Should().Equal(without, "the geometric mean, to the bit");
                else with.Should().Equal(without, (a, b) => Math.Abs(a - b) <= tolerance, $"{source}, to rounding");
            }
        }
    }

    [Fact]
    public void The_fused_head_ignores_availability()
    {
        using var p = PredictionCombiner.Probabilities(HandOutputs(), PredictionSource.FusedHead, null, Availability());

        FirstClass(p).Should().Equal(0.5, 0.5);
    }

    [Fact]
    public void An_availability_of_the_wrong_shape_or_dtype_is_refused()
    {
        FluentActions.Invoking(() => PredictionCombiner.Probabilities(HandOutputs(), PredictionSource.AllHeads, null, ones(2, 3, dtype: ScalarType.Bool)))
            .Should().Throw<ArgumentException>().WithMessage("availability must be a boolean (2, 2) matrix*");
        FluentActions.Invoking(() => PredictionCombiner.Probabilities(HandOutputs(), PredictionSource.AllHeads, null, ones(2, 2)))
            .Should().Throw<ArgumentException>().WithMessage("availability must be a boolean (2, 2) matrix*Float32*");
    }
}
