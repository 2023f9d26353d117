using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Metrics;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

public class SyntheticMultiomicsGeneratorTests
{
    [Fact]
    public void The_same_options_give_identical_datasets()
    {
        var a = SyntheticMultiomicsGenerator.Generate(seed: 11, sampleCount: 120);
        var b = SyntheticMultiomicsGenerator.Generate(seed: 11, sampleCount: 120);

        b.Labels.Should().Equal(a.Labels);
        b.Modalities[1].Values.ToArray().Should().Equal(a.Modalities[1].Values.ToArray());
        b.TestIndices.Should().Equal(a.TestIndices);
    }

    [Fact]
    public void Different_seeds_give_different_data()
    {
        var a = SyntheticMultiomicsGenerator.Generate(seed: 1, sampleCount: 60);
        var b = SyntheticMultiomicsGenerator.Generate(seed: 2, sampleCount: 60);

        b.Modalities[0].Values.ToArray().Should().NotEqual(a.Modalities[0].Values.ToArray());
    }

    [Fact]
    public void Default_options_give_300_samples_in_imbalanced_classes_and_three_modalities()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 0);

        data.CountClasses().Should().Equal(150, 90, 60);
        data.Modalities.Select(m => (m.Name, m.FeatureCount)).Should().Equal(("strong", 100), ("weak", 100), ("noise", 50));
        data.Modalities[0].FeatureNames![19].Should().Be("informative_19");
        data.Modalities[0].FeatureNames![20].Should().Be("noise_0");
    }

    [Fact]
    public void The_split_is_stratified_60_20_20()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 0);

        data.CountClasses(data.TestIndices).Should().Equal(30, 18, 12);
        data.CountClasses(data.ValidationIndices).Should().Equal(30, 18, 12);
        data.CountClasses(data.TrainIndices).Should().Equal(90, 54, 36);
    }

    [Fact]
    public void Class_counts_follow_the_proportions_by_largest_remainder()
    {
        var generator = new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions { SampleCount = 10, ClassProportions = [1, 1, 1], TestFraction = 0, ValidationFraction = 0 });

        generator.ClassCounts().Should().Equal(4, 3, 3);
    }

    [Fact]
    public void Signal_strength_orders_how_well_each_modality_separates_the_classes()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 0);

        var f1 = Enumerable.Range(0, 3).Select(m => NearestCentroidMacroF1(data, m)).ToArray();

        f1[0].Should().BeGreaterThan(0.95, "the strong modality separates the classes");
        f1[1].Should().BeInRange(0.45, 0.9, "the weak modality carries some signal");
        f1[2].Should().BeLessThan(0.45, "the noise modality is near chance");
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_the_option()
    {
        var options = new SyntheticMultiomicsOptions
        {
            Modalities = [new SyntheticModalityOptions { Name = "x", FeatureCount = 5, InformativeFeatureCount = 6 }],
        };

        var act = () => new SyntheticMultiomicsGenerator(options);

        act.Should().Throw<OptionsValidationException>().WithMessage("*Modalities[0].InformativeFeatureCount*");
    }

    [Fact]
    public void The_validator_reports_a_non_positive_class_proportion()
    {
        var result = new SyntheticMultiomicsOptionsValidator().Validate(null, new SyntheticMultiomicsOptions { ClassProportions = [0.5, 0] });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("ClassProportions[1]");
    }

    [Fact]
    public void A_class_too_small_for_the_split_is_rejected_by_the_constructor_naming_the_options()
    {
        var act = () => new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions { SampleCount = 20, ClassProportions = [0.95, 0.05] });

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("*SampleCount = 20 gives class 1 1 sample(s)*TestFraction = 0.2*ValidationFraction = 0.2*1 test, 1 validation*");
    }

    [Theory]
    [InlineData(9)]     // classes 4 / 3 / 2 with the default proportions: the smallest has no training row left
    [InlineData(12)]
    public void Default_proportions_with_too_few_samples_fail_validation_not_generation(int sampleCount)
    {
        var result = new SyntheticMultiomicsOptionsValidator().Validate(null, new SyntheticMultiomicsOptions { SampleCount = sampleCount });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain($"SampleCount = {sampleCount}");
    }

    [Fact]
    public void The_smallest_default_sample_count_that_can_be_split_generates()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 0, sampleCount: 13);

        data.SampleCount.Should().Be(13);
        data.CountClasses(data.TrainIndices).Should().OnlyContain(count => count >= 1);
    }

    /// <summary>Macro-F1 on the test rows of a nearest-class-mean classifier fitted on the training rows of one modality.</summary>
    private static double NearestCentroidMacroF1(MultimodalDataset data, int modality)
    {
        var m = data.Modalities[modality];
        var centroids = new double[data.ClassCount, m.FeatureCount];
        var counts = data.CountClasses(data.TrainIndices);
        foreach (var i in data.TrainIndices)
            for (int j = 0; j < m.FeatureCount; j++) centroids[data.Labels[i], j] += m[i, j] / counts[data.Labels[i]];
        var predictions = data.TestIndices.Select(i => Enumerable.Range(0, data.ClassCount)
            .MinBy(c => Enumerable.Range(0, m.FeatureCount).Sum(j => Math.Pow(m[i, j] - centroids[c, j], 2)))).ToArray();
        return ClassificationMetrics.MacroF1(data.TestIndices.Select(i => data.Labels[i]).ToArray(), predictions);
    }
}
