using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

[Collection(GlobalGeneratorCollection.Name)]
public class PredictionCombinerTests
{
    // Fused logits [0, 0] -> (1/2, 1/2); head 1 [ln 3, 0] -> (3/4, 1/4); head 2 [ln 9, 0] -> (9/10, 1/10).
    private static NetworkOutputs HandOutputs(ScalarType dtype) => new(
        [zeros(1, 4, dtype: dtype), zeros(1, 4, dtype: dtype)],
        [tensor(new[] { Math.Log(3), 0 }, [1, 2], dtype: dtype), tensor(new[] { Math.Log(9), 0 }, [1, 2], dtype: dtype)],
        tensor(new[] { 0.0, 0.0 }, [1, 2], dtype: dtype));

    /// <summary>Ten epochs per phase on the strong/weak/noise set, no distillation, with the given prediction source.</summary>
    private static BalancedTrainingResult FitBriefly(PredictionSource source, double poolingWeightShrinkage = 0)
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        var options = TrainingFixtures.FastOptions();
        options.PretrainingEpochs = options.JointEpochs = 10;
        options.EnableDistillation = false;
        options.Prediction = source;
        options.PoolingWeightShrinkage = poolingWeightShrinkage;
        return TrainingFixtures.Trainer(options).Fit(data);
    }

    [Fact]
    public void Fused_head_prediction_is_the_softmax_of_the_fused_logits()
    {
        using var p = PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), PredictionSource.FusedHead);

        p.data<double>().ToArray().Should().Equal(0.5, 0.5);
    }

    [Fact]
    public void All_heads_prediction_averages_the_fused_and_every_modality_softmax()
    {
        using var p = PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), PredictionSource.AllHeads);

        var values = p.data<double>().ToArray();
        values[0].Should().BeApproximately((0.5 + 0.75 + 0.9) / 3, 1e-12);
        values[1].Should().BeApproximately((0.5 + 0.25 + 0.1) / 3, 1e-12);
        p.dtype.Should().Be(ScalarType.Float64);
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    [InlineData(ScalarType.Float32, 1e-6)]
    public void Geometric_all_heads_prediction_is_the_normalised_geometric_mean_of_the_softmaxes(ScalarType dtype, double tolerance)
    {
        using var p = PredictionCombiner.Probabilities(HandOutputs(dtype), PredictionSource.AllHeadsGeometricMean);

        // (1/2 * 3/4 * 9/10)^(1/3) and (1/2 * 1/4 * 1/10)^(1/3), normalised: 27^(1/3) = 3 and 1 -> (3/4, 1/4).
        double first = Math.Cbrt(0.5 * 0.75 * 0.9), second = Math.Cbrt(0.5 * 0.25 * 0.1);
        var values = p.to(ScalarType.Float64).data<double>().ToArray();
        values[0].Should().BeApproximately(first / (first + second), tolerance).And.BeApproximately(0.75, tolerance);
        values[1].Should().BeApproximately(second / (first + second), tolerance);
        p.dtype.Should().Be(dtype);
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    [InlineData(ScalarType.Float32, 1e-6)]
    public void Validation_weighted_prediction_is_the_softmax_of_the_weighted_head_logits(ScalarType dtype, double tolerance)
    {
        // Weights (1, 1, 2) normalise to (1/4, 1/4, 1/2): pooled logits [(ln 3) / 4 + (ln 9) / 2, 0] = [(5/4) ln 3, 0],
        // so p_0 = 3^(5/4) / (3^(5/4) + 1).
        using var p = PredictionCombiner.Probabilities(HandOutputs(dtype), PredictionSource.AllHeadsValidationWeighted, [1.0, 1.0, 2.0]);

        double odds = Math.Pow(3, 1.25);
        var values = p.to(ScalarType.Float64).data<double>().ToArray();
        values[0].Should().BeApproximately(odds / (odds + 1), tolerance);
        values[1].Should().BeApproximately(1 / (odds + 1), tolerance);
        p.dtype.Should().Be(dtype);
    }

    [Fact]
    public void Validation_weighted_prediction_with_equal_weights_is_the_geometric_mean()
    {
        using var weighted = PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), PredictionSource.AllHeadsValidationWeighted, [0.2, 0.2, 0.2]);
        using var geometric = PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), PredictionSource.AllHeadsGeometricMean);

        weighted.allclose(geometric, rtol: 0, atol: 1e-14).Should().BeTrue();
    }

    [Fact]
    public void Validation_weighted_prediction_with_all_weight_on_one_head_is_that_heads_softmax()
    {
        using var p = PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), PredictionSource.AllHeadsValidationWeighted, [0.0, 0.0, 1.0]);

        var values = p.data<double>().ToArray();
        values[0].Should().BeApproximately(0.9, 1e-12);
        values[1].Should().BeApproximately(0.1, 1e-12);
    }

    [Fact]
    public void Validation_weighted_prediction_without_weights_is_rejected_naming_the_overloads_own_source_parameter()
    {
        // Before, the refusal named headWeights, which this overload does not have.
        var act = () => PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), PredictionSource.AllHeadsValidationWeighted);

        act.Should().Throw<ArgumentException>().WithParameterName("source")
            .WithMessage("AllHeadsValidationWeighted needs 3 head weights (the fused head first), which this overload does not take; call Probabilities(outputs, source, headWeights)*");
    }

    [Theory]
    [InlineData(new[] { 1.0, 1.0 }, "Expected 3 head weights (the fused head and 2 modality heads), got 2.*")]
    [InlineData(new[] { 1.0, -0.5, 1.0 }, "*Head weight 1 must be finite and non-negative*")]
    [InlineData(new[] { 1.0, 1.0, double.NaN }, "*Head weight 2 must be finite*")]
    [InlineData(new[] { 0.0, 0.0, 0.0 }, "*sum to 0*")]
    public void Bad_head_weights_are_rejected_naming_the_head(double[] weights, string message)
    {
        var act = () => PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), PredictionSource.AllHeadsValidationWeighted, weights);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Theory]
    [InlineData(PredictionSource.FusedHead)]
    [InlineData(PredictionSource.AllHeads)]
    [InlineData(PredictionSource.AllHeadsGeometricMean)]
    public void Modality_logits_of_another_shape_than_the_fused_logits_are_rejected_naming_the_head_and_both_shapes(PredictionSource source)
    {
        // (1, 2) fused logits against a (3, 2) head would broadcast to a (3, 2) "prediction".
        var outputs = new NetworkOutputs([zeros(1, 4), zeros(3, 4)], [zeros(1, 2), zeros(3, 2)], zeros(1, 2));

        var act = () => PredictionCombiner.Probabilities(outputs, source);

        act.Should().Throw<ArgumentException>().WithParameterName("outputs").WithMessage("outputs.ModalityLogits[1] has shape [3, 2] but outputs.FusedLogits has [1, 2]*");
    }

    [Fact]
    public void Modality_logits_of_another_dtype_or_a_missing_head_are_rejected_naming_the_head()
    {
        var otherDtype = new NetworkOutputs([zeros(1, 4), zeros(1, 4)], [zeros(1, 2), zeros(1, 2, dtype: ScalarType.Float64)], zeros(1, 2));
        var missing = new NetworkOutputs([zeros(1, 4), zeros(1, 4)], [zeros(1, 2), null!], zeros(1, 2));

        FluentActions.Invoking(() => PredictionCombiner.Probabilities(otherDtype, PredictionSource.AllHeads))
            .Should().Throw<ArgumentException>().WithMessage("outputs.ModalityLogits[1] is Float64 but outputs.FusedLogits is Float32*");
        FluentActions.Invoking(() => PredictionCombiner.Probabilities(missing, PredictionSource.AllHeadsValidationWeighted, [1.0, 1.0, 1.0]))
            .Should().Throw<ArgumentException>().WithMessage("outputs.ModalityLogits[1] is null*");
    }

    [Fact]
    public void Fused_logits_that_are_not_a_matrix_are_rejected()
    {
        var outputs = new NetworkOutputs([zeros(2, 4)], [zeros(2)], zeros(2));

        var act = () => PredictionCombiner.Probabilities(outputs, PredictionSource.FusedHead);

        act.Should().Throw<ArgumentException>().WithParameterName("outputs").WithMessage("outputs.FusedLogits must be a floating-point (n, C) matrix*");
    }

    [Fact]
    public void Head_weights_given_to_a_source_with_fixed_weights_are_rejected()
    {
        var act = () => PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), PredictionSource.AllHeadsGeometricMean, [1.0, 1.0, 1.0]);

        act.Should().Throw<ArgumentException>().WithMessage("*AllHeadsGeometricMean has fixed head weights*");
    }

    [Fact]
    public void Training_with_validation_weighted_heads_returns_the_prediction_pooled_with_its_reported_weights()
    {
        using var result = FitBriefly(PredictionSource.AllHeadsValidationWeighted);

        result.PoolingWeights.Should().NotBeNull().And.HaveCount(4);
        result.PoolingWeights!.Should().OnlyContain(w => w >= 0);
        result.PoolingWeights!.Sum().Should().BeApproximately(1, 1e-12);
        var w = result.PoolingWeights!;
        using var logSum = result.ModalityProbabilities.Select((p, m) => p.log() * w[m + 1]).Aggregate(result.FusedProbabilities.log() * w[0], (sum, t) => sum + t);
        using var expected = nn.functional.softmax(logSum, 1);
        result.PredictedProbabilities.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void Validation_weighting_gives_the_pure_noise_head_far_less_say_than_the_strong_head()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        var options = TrainingFixtures.FastOptions();
        options.EnableDistillation = false;
        options.Prediction = PredictionSource.AllHeadsValidationWeighted;
        using var result = TrainingFixtures.Trainer(options).Fit(data);

        // Heads: fused, strong, weak, noise. The noise head cannot beat the uniform guess by much on validation.
        var w = result.PoolingWeights!;
        w[1].Should().BeGreaterThan(0.2, "the strong head beats chance by a wide margin");
        w[3].Should().BeLessThan(w[1] / 3, "a head on pure noise has (almost) no information gain over the uniform guess");
    }

    [Fact]
    public void Validation_weighted_heads_shrunk_fully_train_and_predict_exactly_as_the_equal_weight_geometric_mean()
    {
        using var shrunk = FitBriefly(PredictionSource.AllHeadsValidationWeighted, poolingWeightShrinkage: 1);
        using var equal = FitBriefly(PredictionSource.AllHeadsGeometricMean);

        shrunk.PoolingWeights.Should().Equal(0.25, 0.25, 0.25, 0.25);
        shrunk.BestJointEpoch.Should().Be(equal.BestJointEpoch, "the same pooled prediction chooses the same checkpoint");
        shrunk.PredictedProbabilities.allclose(equal.PredictedProbabilities, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void Half_shrinkage_gives_every_head_at_least_half_of_an_equal_share()
    {
        using var result = FitBriefly(PredictionSource.AllHeadsValidationWeighted, poolingWeightShrinkage: 0.5);

        result.PoolingWeights.Should().NotBeNull().And.HaveCount(4);
        result.PoolingWeights!.Should().OnlyContain(w => w >= 0.125 - 1e-12, "every head keeps lambda / H = 0.5 / 4");
        result.PoolingWeights!.Sum().Should().BeApproximately(1, 1e-12);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(2.0)]
    [InlineData(double.NaN)]
    public void A_pooling_weight_shrinkage_outside_zero_to_one_is_rejected_naming_the_option(double lambda)
    {
        var options = new BalancedTrainingOptions { Prediction = PredictionSource.AllHeadsValidationWeighted, PoolingWeightShrinkage = lambda };

        var act = () => BalancedTrainingOptionsValidator.ThrowIfInvalid(options);

        act.Should().Throw<OptionsValidationException>().WithMessage("*BalancedTrainingOptions.PoolingWeightShrinkage must lie in [0, 1]*");
    }

    [Fact]
    public void Training_with_a_fixed_weight_source_reports_no_pooling_weights()
    {
        using var result = FitBriefly(PredictionSource.AllHeadsGeometricMean);

        result.PoolingWeights.Should().BeNull();
    }

    [Fact]
    public void An_undefined_prediction_source_is_rejected_naming_the_option()
    {
        var options = new BalancedTrainingOptions { Prediction = (PredictionSource)7 };

        var act = () => BalancedTrainingOptionsValidator.ThrowIfInvalid(options);

        act.Should().Throw<OptionsValidationException>().WithMessage("*BalancedTrainingOptions.Prediction*");
    }

    [Fact]
    public void Training_with_all_heads_returns_the_average_of_the_fused_and_modality_probabilities()
    {
        using var result = FitBriefly(PredictionSource.AllHeads);

        using var expected = result.ModalityProbabilities.Aggregate(result.FusedProbabilities.clone(), (sum, p) => sum + p) / 4;
        result.PredictedProbabilities.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        result.FusedProbabilities.allclose(result.PredictedProbabilities).Should().BeFalse("the heads move the average away from the fused head");
    }

    [Fact]
    public void Training_with_geometric_all_heads_returns_the_softmax_of_the_mean_head_logits()
    {
        using var result = FitBriefly(PredictionSource.AllHeadsGeometricMean);

        using var logSum = result.ModalityProbabilities.Aggregate(result.FusedProbabilities.log(), (sum, p) => sum + p.log());
        using var expected = nn.functional.softmax(logSum / 4, 1);
        result.PredictedProbabilities.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void Training_with_the_fused_head_returns_the_fused_probabilities_as_prediction()
    {
        using var result = FitBriefly(PredictionSource.FusedHead);

        result.PredictedProbabilities.data<float>().ToArray().Should().Equal(result.FusedProbabilities.data<float>().ToArray());
    }

    [Fact]
    public void The_geometric_mean_of_large_finite_half_precision_logits_stays_finite()
    {
        // 30000 + 40000 overflows float16 (max 65504); their mean, 35000, does not.
        using var scope = NewDisposeScope();
        var fused = tensor(new double[] { 30000, 0, 0, 30000 }, [2, 2]).to(ScalarType.Float16);
        var head = tensor(new double[] { 40000, 0, 0, 0 }, [2, 2]).to(ScalarType.Float16);

        var probabilities = PredictionCombiner.Probabilities(new NetworkOutputs([], [head], fused), PredictionSource.AllHeadsGeometricMean)
            .to(ScalarType.Float64);

        probabilities.isfinite().all().item<bool>().Should().BeTrue();
        probabilities[0, 0].item<double>().Should().Be(1.0);
        probabilities.sum(1).allclose(ones(2, dtype: ScalarType.Float64)).Should().BeTrue();
    }

    [Fact]
    public void Null_outputs_are_rejected()
    {
        var act = () => PredictionCombiner.Probabilities(null!, PredictionSource.FusedHead);

        act.Should().Throw<ArgumentNullException>().WithParameterName("outputs");
    }

    [Fact]
    public void An_undefined_source_is_rejected()
    {
        var act = () => PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), (PredictionSource)17);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("source");
    }

    [Fact]
    public void Integer_fused_logits_are_rejected()
    {
        var outputs = new NetworkOutputs([zeros(1, 4)], [zeros(1, 2, dtype: ScalarType.Int64)], zeros(1, 2, dtype: ScalarType.Int64));

        var act = () => PredictionCombiner.Probabilities(outputs, PredictionSource.FusedHead);

        act.Should().Throw<ArgumentException>().WithParameterName("outputs").WithMessage("outputs.FusedLogits must be a floating-point (n, C) matrix, got Int64*");
    }

    [Fact]
    public void An_infinite_head_weight_is_rejected()
    {
        var act = () => PredictionCombiner.Probabilities(HandOutputs(ScalarType.Float64), PredictionSource.AllHeadsValidationWeighted, [1.0, double.PositiveInfinity, 1.0]);

        act.Should().Throw<ArgumentException>().WithParameterName("headWeights").WithMessage("Head weight 1 must be finite and non-negative*");
    }

    [Theory]
    [InlineData(PredictionSource.AllHeads)]
    [InlineData(PredictionSource.AllHeadsGeometricMean)]
    public void Without_modality_heads_the_pooled_sources_are_the_fused_softmax(PredictionSource source)
    {
        using var scope = NewDisposeScope();
        var outputs = new NetworkOutputs([], [], tensor(new[] { Math.Log(3), 0 }, [1, 2]));

        var values = PredictionCombiner.Probabilities(outputs, source).data<double>().ToArray();

        values[0].Should().BeApproximately(0.75, 1e-12);
        values[1].Should().BeApproximately(0.25, 1e-12);
    }
}
