using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Encoding;

/// <summary>The encoders' and the autoencoder's options validators: every failure is reported with the offending option
/// and value, the boundary values are accepted, and <c>ThrowIfInvalid</c> names the options type.</summary>
public class OptionsValidatorTests
{
    [Fact]
    public void Both_validators_reject_null_options_naming_them()
    {
        FluentActions.Invoking(() => new MlpEncoderOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new AutoencoderOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Every_failure_of_mlp_options_is_reported_in_order()
    {
        var result = new MlpEncoderOptionsValidator().Validate(null, new MlpEncoderOptions { HiddenSizes = [4, 0, -2], Dropout = 1, NegativeSlope = -0.5 });

        result.Failures.Should().Equal(
            "MlpEncoderOptions.HiddenSizes[1] must be at least 1, got 0.",
            "MlpEncoderOptions.HiddenSizes[2] must be at least 1, got -2.",
            "MlpEncoderOptions.Dropout must lie in [0, 1), got 1.",
            "MlpEncoderOptions.NegativeSlope must be finite and non-negative, got -0.5.");
    }

    [Theory]
    [InlineData(-0.01, 0.25, "MlpEncoderOptions.Dropout must lie in [0, 1), got -0.01.")]
    [InlineData(double.NaN, 0.25, "MlpEncoderOptions.Dropout must lie in [0, 1), got ")]
    [InlineData(0.5, double.PositiveInfinity, "MlpEncoderOptions.NegativeSlope must be finite and non-negative, got ")]
    [InlineData(0.5, double.NaN, "MlpEncoderOptions.NegativeSlope must be finite and non-negative, got ")]
    public void Mlp_dropout_and_slope_outside_their_ranges_are_rejected(double dropout, double slope, string failurePrefix)
    {
        new MlpEncoderOptionsValidator().Validate(null, new MlpEncoderOptions { HiddenSizes = [2], Dropout = dropout, NegativeSlope = slope })
            .Failures.Should().ContainSingle().Which.Should().StartWith(failurePrefix, "the value is printed in the current culture");
    }

    [Fact]
    public void Mlp_boundary_values_are_accepted_and_missing_layers_rejected()
    {
        var validator = new MlpEncoderOptionsValidator();

        validator.Validate(null, new MlpEncoderOptions { HiddenSizes = [1], Dropout = 0, NegativeSlope = 0 }).Succeeded.Should().BeTrue();
        validator.Validate(null, new MlpEncoderOptions { HiddenSizes = null! }).Failures.Should().Equal("MlpEncoderOptions.HiddenSizes must list at least one layer width.");
        validator.Validate(null, new MlpEncoderOptions { HiddenSizes = [] }).Failures.Should().Equal("MlpEncoderOptions.HiddenSizes must list at least one layer width.");
    }

    [Fact]
    public void Every_failure_of_autoencoder_options_is_reported_in_order()
    {
        var result = new AutoencoderOptionsValidator().Validate(null, new AutoencoderOptions
        {
            LatentDim = 0, HiddenSizes = [3, 0], Epochs = 0, LearningRate = 0, WeightDecay = -1, FitRows = (AutoencoderFitRows)7,
        });

        result.Failures.Should().Equal(
            "AutoencoderOptions.LatentDim must be at least 1, got 0.",
            "AutoencoderOptions.HiddenSizes[1] must be at least 1, got 0.",
            "AutoencoderOptions.Epochs must be at least 1, got 0.",
            "AutoencoderOptions.LearningRate must be finite and positive, got 0.",
            "AutoencoderOptions.WeightDecay must be finite and non-negative, got -1.",
            "AutoencoderOptions.FitRows has an unknown value 7.");
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 0.0, "AutoencoderOptions.LearningRate must be finite and positive, got ")]
    [InlineData(double.NaN, 0.0, "AutoencoderOptions.LearningRate must be finite and positive, got ")]
    [InlineData(1e-3, double.PositiveInfinity, "AutoencoderOptions.WeightDecay must be finite and non-negative, got ")]
    [InlineData(1e-3, double.NaN, "AutoencoderOptions.WeightDecay must be finite and non-negative, got ")]
    public void Autoencoder_learning_rate_and_decay_outside_their_ranges_are_rejected(double learningRate, double weightDecay, string failurePrefix)
    {
        new AutoencoderOptionsValidator().Validate(null, new AutoencoderOptions { LearningRate = learningRate, WeightDecay = weightDecay })
            .Failures.Should().ContainSingle().Which.Should().StartWith(failurePrefix, "the value is printed in the current culture");
    }

    [Fact]
    public void Autoencoder_boundary_values_are_accepted_and_missing_hidden_sizes_rejected()
    {
        var validator = new AutoencoderOptionsValidator();

        validator.Validate(null, new AutoencoderOptions { LatentDim = 1, HiddenSizes = [1], Epochs = 1, LearningRate = double.Epsilon, WeightDecay = 0, FitRows = AutoencoderFitRows.All })
            .Succeeded.Should().BeTrue();
        validator.Validate(null, new AutoencoderOptions { HiddenSizes = null! }).Failures.Should().Equal("AutoencoderOptions.HiddenSizes must not be null.");
    }

    [Fact]
    public void Invalid_options_throw_naming_the_options_type_and_the_failure()
    {
        FluentActions.Invoking(() => new MlpEncoderFactory(new MlpEncoderOptions { Dropout = -1 }))
            .Should().Throw<OptionsValidationException>().Which.OptionsName.Should().Be(nameof(MlpEncoderOptions));
        FluentActions.Invoking(() => new AutoencoderCompressor(new AutoencoderOptions { Epochs = -3 }))
            .Should().Throw<OptionsValidationException>().WithMessage("AutoencoderOptions.Epochs must be at least 1, got -3.")
            .Which.OptionsType.Should().Be(typeof(AutoencoderOptions));
    }
}
