using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The width-scaled weight decay of each modality's input weights,
/// λ_m = λ max(1, d_m / w_ref)^γ (<see cref="BalancedTrainingOptions.InputWeightDecayWidthExponent"/>).</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class InputWeightDecayTests
{
    [Theory]
    [InlineData(0.0, 8000, 1e-2)]     // γ = 0: λ whatever the width
    [InlineData(0.5, 800, 2e-2)]      // sqrt(800 / 200) = 2
    [InlineData(0.5, 8000, 6.324555320336759e-2)] // sqrt(40)
    [InlineData(1.0, 3000, 0.15)]     // 3000 / 200 = 15
    [InlineData(0.5, 200, 1e-2)]      // at the reference width
    [InlineData(1.0, 30, 1e-2)]       // below it: the floor at 1
    public void The_input_decay_follows_the_formula(double exponent, long width, double expected)
    {
        var options = new BalancedTrainingOptions { WeightDecay = 1e-2, InputWeightDecayWidthExponent = exponent };

        options.InputWeightDecay(width).Should().BeApproximately(expected, 1e-15);
    }

    [Fact]
    public void Without_weight_decay_every_width_has_none()
    {
        var options = new BalancedTrainingOptions { WeightDecay = 0, InputWeightDecayWidthExponent = 2, InputWeightDecayReferenceWidth = 1 };

        options.InputWeightDecay(long.MaxValue).Should().Be(0, "0 x (a huge factor) is 0, not NaN");
    }

    [Theory]
    [InlineData(double.NaN, 0.5, 200.0, "BalancedTrainingOptions.WeightDecay must be finite and non-negative, got NaN.")]
    [InlineData(-1e-3, 0.5, 200.0, "BalancedTrainingOptions.WeightDecay must be finite and non-negative, got -0.001.")]
    [InlineData(1e-3, 3.0, 200.0, "BalancedTrainingOptions.InputWeightDecayWidthExponent must lie in [0, 2], got 3.")]
    [InlineData(1e-3, 0.5, 0.5, "BalancedTrainingOptions.InputWeightDecayReferenceWidth must be finite and at least 1 (a number of features), got 0.5.")]
    public void Invalid_decay_options_are_refused_naming_the_option_instead_of_giving_a_number(double decay, double exponent, double referenceWidth, string message)
    {
        var options = new BalancedTrainingOptions { WeightDecay = decay, InputWeightDecayWidthExponent = exponent, InputWeightDecayReferenceWidth = referenceWidth };

        var act = () => options.InputWeightDecay(800);

        act.Should().Throw<OptionsValidationException>().WithMessage(message).Which.OptionsType.Should().Be(typeof(BalancedTrainingOptions));
    }

    [Fact]
    public void A_decay_that_overflows_for_the_datas_widths_is_rejected_before_training_naming_the_modality()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        var options = TrainingFixtures.FastOptions();
        options.WeightDecay = 1e306;
        options.InputWeightDecayWidthExponent = 2;
        options.InputWeightDecayReferenceWidth = 1;
        var reports = new List<TrainingProgress>();

        var act = () => TrainingFixtures.Trainer(options).Fit(data, new SynchronousProgress(reports));

        act.Should().Throw<OptionsValidationException>().WithMessage(
            "The input-weight decay of modality 'strong' (30 features) is *: WeightDecay 1E+306 x max(1, 30 / InputWeightDecayReferenceWidth 1)^" +
            "InputWeightDecayWidthExponent 2 overflows; lower the exponent or raise the reference width.");
        reports.Should().BeEmpty();
    }

    [Fact]
    public void A_finite_decay_above_the_float32_range_is_rejected_before_training_naming_the_modality_and_dtype()
    {
        // 1e300 x (30 / 1)^2 = 9e302: finite as a double, but libtorch cannot convert it to the float32 parameters.
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        data.Features[0].dtype.Should().Be(TorchSharp.torch.ScalarType.Float32);
        var options = TrainingFixtures.FastOptions();
        options.WeightDecay = 1e300;
        options.InputWeightDecayWidthExponent = 2;
        options.InputWeightDecayReferenceWidth = 1;
        var reports = new List<TrainingProgress>();

        var act = () => TrainingFixtures.Trainer(options).Fit(data, new SynchronousProgress(reports));

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("The input-weight decay of modality 'strong' (30 features) is 9E+302, above the largest finite Float32 value " +
                         "3.40282347E+38 (the parameters' dtype): lower WeightDecay or InputWeightDecayWidthExponent, or use float64 features.");
        reports.Should().BeEmpty();
    }

    [Fact]
    public void A_weight_decay_above_the_float32_range_is_rejected_even_without_width_scaling()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        var options = TrainingFixtures.FastOptions();
        options.WeightDecay = 1e39;
        options.InputWeightDecayWidthExponent = 0;

        var act = () => TrainingFixtures.Trainer(options).Fit(data);

        act.Should().Throw<OptionsValidationException>().WithMessage("*modality 'strong'*1E+39, above the largest finite Float32 value*");
    }

    [Fact]
    public void A_learning_rate_whose_first_adam_step_overflows_float32_is_rejected_before_training()
    {
        // lr / (1 - 0.9) = 1e38 x 10 = 1e39 > 3.4e38.
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        var options = TrainingFixtures.FastOptions();
        options.LearningRate = 1e38;
        var reports = new List<TrainingProgress>();

        var act = () => TrainingFixtures.Trainer(options).Fit(data, new SynchronousProgress(reports));

        act.Should().Throw<OptionsValidationException>().WithMessage("LearningRate 1E+38 makes Adam's first step*Float32*modality 'strong'*");
        reports.Should().BeEmpty();
    }

    [Fact]
    public void The_reference_width_is_an_option()
    {
        var options = new BalancedTrainingOptions { WeightDecay = 1e-3, InputWeightDecayWidthExponent = 1, InputWeightDecayReferenceWidth = 50 };

        options.InputWeightDecay(200).Should().BeApproximately(4e-3, 1e-18);
        FluentActions.Invoking(() => options.InputWeightDecay(0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("width");
    }

    [Theory]
    [InlineData(-0.5, 200.0, "BalancedTrainingOptions.InputWeightDecayWidthExponent")]
    [InlineData(double.NaN, 200.0, "BalancedTrainingOptions.InputWeightDecayWidthExponent")]
    [InlineData(double.PositiveInfinity, 200.0, "BalancedTrainingOptions.InputWeightDecayWidthExponent")]
    [InlineData(2.5, 200.0, "BalancedTrainingOptions.InputWeightDecayWidthExponent")]
    [InlineData(0.5, 0.0, "BalancedTrainingOptions.InputWeightDecayReferenceWidth")]
    [InlineData(0.5, 0.5, "BalancedTrainingOptions.InputWeightDecayReferenceWidth")]
    [InlineData(0.5, double.NaN, "BalancedTrainingOptions.InputWeightDecayReferenceWidth")]
    public void Invalid_settings_are_rejected_by_name(double exponent, double referenceWidth, string option)
    {
        var options = new BalancedTrainingOptions { InputWeightDecayWidthExponent = exponent, InputWeightDecayReferenceWidth = referenceWidth };

        var act = () => BalancedTrainingOptionsValidator.ThrowIfInvalid(options);

        act.Should().Throw<OptionsValidationException>().WithMessage($"*{option}*");
    }

    [Fact]
    public void A_larger_input_decay_shrinks_the_first_layers_and_leaves_narrow_modalities_as_they_were()
    {
        // The fixture's modalities have 30 features each. With a reference width of 10, γ = 1 decays their first layers
        // 3 times as strongly; with the default reference width of 200 they are below it, and the run is unchanged.
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        BalancedTrainingResult Fit(double exponent, double referenceWidth)
        {
            var options = TrainingFixtures.FastOptions(seed: 2);
            options.WeightDecay = 0.05;
            options.InputWeightDecayWidthExponent = exponent;
            options.InputWeightDecayReferenceWidth = referenceWidth;
            return TrainingFixtures.Trainer(options).Fit(data);
        }
        static double InputNorm(BalancedTrainingResult r, int m) => r.Network.Encoder(m).InputWeights.Sum(w => w.norm().item<float>());

        using var common = Fit(0, 200);
        using var belowReference = Fit(1, 200);
        using var scaled = Fit(1, 10);

        belowReference.FusedProbabilities.data<float>().ToArray().Should().Equal(common.FusedProbabilities.data<float>().ToArray(),
            "30 features are below the reference width of 200, so every decay is λ");
        for (int m = 0; m < 3; m++)
            InputNorm(scaled, m).Should().BeLessThan(0.9 * InputNorm(common, m), $"modality {m}'s first layer is decayed 3 times as strongly");
    }
}
