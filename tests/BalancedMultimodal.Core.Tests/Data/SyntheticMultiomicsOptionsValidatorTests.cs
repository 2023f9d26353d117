using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

public class SyntheticMultiomicsOptionsValidatorTests
{
    private static readonly SyntheticMultiomicsOptionsValidator Validator = new();

    private static SyntheticMultiomicsOptions Valid() => new()
    {
        SampleCount = 20,
        ClassProportions = [1, 1],
        Modalities = [new SyntheticModalityOptions { Name = "a", FeatureCount = 3, InformativeFeatureCount = 1, SignalStrength = 1 }],
        ValidationFraction = 0,
        TestFraction = 0,
    };

    [Fact]
    public void Null_options_are_rejected_naming_them()
    {
        var act = () => Validator.Validate(null, null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void The_defaults_and_the_boundary_values_are_valid()
    {
        var boundary = Valid();
        boundary.SampleCount = 2;
        boundary.Modalities = [
            new SyntheticModalityOptions { Name = "all", FeatureCount = 1, InformativeFeatureCount = 1, SignalStrength = 0 },
            new SyntheticModalityOptions { Name = "none", FeatureCount = 1, InformativeFeatureCount = 0, SignalStrength = 0 },
        ];

        Validator.Validate(null, new SyntheticMultiomicsOptions()).Succeeded.Should().BeTrue();
        Validator.Validate(null, boundary).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Too_few_samples_for_the_classes_are_reported_twice_when_below_two()
    {
        var options = Valid();
        options.SampleCount = 1;
        options.ClassProportions = [1, 1, 1];

        Validator.Validate(null, options).Failures.Should().Equal(
            "SyntheticMultiomicsOptions.SampleCount must be >= 2 (got 1).",
            "SyntheticMultiomicsOptions.SampleCount (1) must be at least the number of classes (3).");
    }

    [Fact]
    public void Fewer_samples_than_classes_are_reported()
    {
        var options = Valid();
        options.SampleCount = 2;
        options.ClassProportions = [1, 1, 1];

        Validator.Validate(null, options).Failures.Should().Equal("SyntheticMultiomicsOptions.SampleCount (2) must be at least the number of classes (3).");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(new[] { 1.0 })]
    public void Fewer_than_two_class_proportions_are_reported(double[]? proportions)
    {
        var options = Valid();
        options.ClassProportions = proportions!;

        Validator.Validate(null, options).Failures.Should().Equal("SyntheticMultiomicsOptions.ClassProportions must list at least two classes.");
    }

    [Fact]
    public void Every_class_proportion_that_is_not_finite_and_positive_is_reported_with_its_index()
    {
        var options = Valid();
        options.ClassProportions = [double.NaN, 0.5, -1, double.PositiveInfinity, 0];

        Validator.Validate(null, options).Failures.Should().Equal(
            "SyntheticMultiomicsOptions.ClassProportions[0] must be finite and > 0 (got NaN).",
            "SyntheticMultiomicsOptions.ClassProportions[2] must be finite and > 0 (got -1).",
            "SyntheticMultiomicsOptions.ClassProportions[3] must be finite and > 0 (got Infinity).",
            "SyntheticMultiomicsOptions.ClassProportions[4] must be finite and > 0 (got 0).");
    }

    [Fact]
    public void Missing_modalities_are_reported()
    {
        var none = Valid();
        none.Modalities = null!;
        var empty = Valid();
        empty.Modalities = [];

        Validator.Validate(null, none).Failures.Should().Equal("SyntheticMultiomicsOptions.Modalities must list at least one modality.");
        Validator.Validate(null, empty).Failures.Should().Equal("SyntheticMultiomicsOptions.Modalities must list at least one modality.");
    }

    [Fact]
    public void Every_bad_modality_option_is_reported_with_the_modality_index()
    {
        var options = Valid();
        options.Modalities =
        [
            new SyntheticModalityOptions { Name = "a", FeatureCount = 3, InformativeFeatureCount = 1 },
            null!,
            new SyntheticModalityOptions { Name = " ", FeatureCount = 0, InformativeFeatureCount = -1, SignalStrength = -0.5 },
            new SyntheticModalityOptions { Name = "a", FeatureCount = 2, InformativeFeatureCount = 3, SignalStrength = double.NaN },
            new SyntheticModalityOptions { Name = "b", FeatureCount = 2, InformativeFeatureCount = 2, SignalStrength = double.PositiveInfinity },
        ];

        Validator.Validate(null, options).Failures.Should().Equal(
            "SyntheticMultiomicsOptions.Modalities[1] is null.",
            "SyntheticMultiomicsOptions.Modalities[2].Name must be non-empty.",
            "SyntheticMultiomicsOptions.Modalities[2].FeatureCount must be >= 1 (got 0).",
            "SyntheticMultiomicsOptions.Modalities[2].InformativeFeatureCount must be in [0, SyntheticMultiomicsOptions.Modalities[2].FeatureCount = 0] (got -1).",
            "SyntheticMultiomicsOptions.Modalities[2].SignalStrength must be finite and >= 0 (got -0.5).",
            "SyntheticMultiomicsOptions.Modalities[3].Name 'a' is used twice.",
            "SyntheticMultiomicsOptions.Modalities[3].InformativeFeatureCount must be in [0, SyntheticMultiomicsOptions.Modalities[3].FeatureCount = 2] (got 3).",
            "SyntheticMultiomicsOptions.Modalities[3].SignalStrength must be finite and >= 0 (got NaN).",
            "SyntheticMultiomicsOptions.Modalities[4].SignalStrength must be finite and >= 0 (got Infinity).");
    }

    [Theory]
    [InlineData(-0.1, 0, "SyntheticMultiomicsOptions.ValidationFraction must be in [0, 1) (got -0.1).")]
    [InlineData(1, 0, "SyntheticMultiomicsOptions.ValidationFraction must be in [0, 1) (got 1).", "SyntheticMultiomicsOptions.ValidationFraction + SyntheticMultiomicsOptions.TestFraction must be < 1 so that training rows remain.")]
    [InlineData(double.NaN, 0, "SyntheticMultiomicsOptions.ValidationFraction must be in [0, 1) (got NaN).")]
    [InlineData(0, -0.1, "SyntheticMultiomicsOptions.TestFraction must be in [0, 1) (got -0.1).")]
    [InlineData(0, 1, "SyntheticMultiomicsOptions.TestFraction must be in [0, 1) (got 1).")]
    [InlineData(0.5, 0.5, "SyntheticMultiomicsOptions.ValidationFraction + SyntheticMultiomicsOptions.TestFraction must be < 1 so that training rows remain.")]
    public void A_fraction_outside_its_range_is_reported(double validation, double test, params string[] failures)
    {
        var options = Valid();
        options.ValidationFraction = validation;
        options.TestFraction = test;

        Validator.Validate(null, options).Failures.Should().Equal(failures);
    }

    [Fact]
    public void Fractions_just_inside_their_ranges_are_valid()
    {
        var options = Valid();
        options.SampleCount = 200;
        options.ValidationFraction = 0.49;
        options.TestFraction = 0.5;

        Validator.Validate(null, options).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void The_split_check_names_every_class_too_small_and_runs_only_when_the_rest_is_valid()
    {
        // Counts 3 / 3 / 2 (largest remainders); test and validation take round(0.3 * size), at least 1, each:
        // 1 + 1 of 3 leaves one training row, 1 + 1 of 2 leaves none.
        var options = Valid();
        options.SampleCount = 8;
        options.ClassProportions = [1, 1, 1];
        options.TestFraction = 0.3;
        options.ValidationFraction = 0.3;

        Validator.Validate(null, options).Failures.Should().Equal(
            "SyntheticMultiomicsOptions.SampleCount = 8 gives class 2 2 sample(s) (SyntheticMultiomicsOptions.ClassProportions), too few for SyntheticMultiomicsOptions.TestFraction = 0.3 and SyntheticMultiomicsOptions.ValidationFraction = 0.3: " +
            "the class needs 1 test, 1 validation and at least one training row.");
        options.Modalities[0].SignalStrength = -1;
        Validator.Validate(null, options).Failures.Should().Equal("SyntheticMultiomicsOptions.Modalities[0].SignalStrength must be finite and >= 0 (got -1).");
    }
}
