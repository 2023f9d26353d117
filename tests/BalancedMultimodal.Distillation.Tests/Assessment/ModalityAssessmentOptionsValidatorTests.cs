using BalancedMultimodal.Distillation.Assessment;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

public class ModalityAssessmentOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(ModalityAssessmentOptions options) =>
        new ModalityAssessmentOptionsValidator().Validate(null, options).Failures?.ToArray() ?? [];

    [Fact]
    public void The_defaults_and_the_edges_of_every_range_are_valid()
    {
        Failures(new ModalityAssessmentOptions()).Should().BeEmpty();
        Failures(new ModalityAssessmentOptions { Delta = 0, Permutations = 19, SignificanceLevel = 0.05, MinimumMutualInformation = 0, PcaComponents = 1 })
            .Should().BeEmpty("1 / (1 + 19) = 0.05 is attainable");
        Failures(new ModalityAssessmentOptions { Permutations = 0, SignificanceLevel = 1e-6 }).Should().BeEmpty("without permutations no p-value is computed");
    }

    [Theory]
    [InlineData(double.NaN, "Delta must be a finite number >= 0 (was NaN)")]
    [InlineData(double.PositiveInfinity, "Delta must be a finite number >= 0")]
    public void A_non_finite_delta_is_rejected(double delta, string message)
    {
        Failures(new ModalityAssessmentOptions { Delta = delta }).Should().ContainSingle().Which.Should().Contain(message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_significance_level_outside_the_open_unit_interval_is_rejected(double level)
    {
        Failures(new ModalityAssessmentOptions { SignificanceLevel = level }).Should().ContainSingle()
            .Which.Should().StartWith("ModalityAssessmentOptions.SignificanceLevel must lie in (0, 1)");
    }

    [Fact]
    public void A_significance_level_below_the_smallest_attainable_p_value_names_it()
    {
        Failures(new ModalityAssessmentOptions { Permutations = 18, SignificanceLevel = 0.05 }).Should().ContainSingle()
            .Which.Should().Be("ModalityAssessmentOptions.SignificanceLevel 0.05 is below the smallest p-value 1/(1 + 18) that 18 permutations can give; raise ModalityAssessmentOptions.Permutations.");
    }

    [Fact]
    public void An_infinite_mutual_information_threshold_is_rejected()
    {
        Failures(new ModalityAssessmentOptions { MinimumMutualInformation = double.PositiveInfinity }).Should().ContainSingle()
            .Which.Should().StartWith("ModalityAssessmentOptions.MinimumMutualInformation must be a finite number >= 0");
    }

    [Fact]
    public void Every_failure_is_listed()
    {
        var failures = Failures(new ModalityAssessmentOptions { Delta = -1, Permutations = -1, MinimumMutualInformation = -1, PcaComponents = 0 });

        failures.Should().HaveCount(4);
        foreach (var option in new[] { "Delta", "Permutations", "MinimumMutualInformation", "PcaComponents" })
            failures.Should().ContainSingle(f => f.StartsWith($"ModalityAssessmentOptions.{option} ", StringComparison.Ordinal), option);
    }
}
