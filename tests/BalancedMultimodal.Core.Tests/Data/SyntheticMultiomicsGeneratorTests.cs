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

        act.Should().Throw<OptionsValidationException>().WithMessage("*SyntheticMultiomicsOptions.Modalities[0].InformativeFeatureCount*");
    }

    [Fact]
    public void The_validator_reports_a_non_positive_class_proportion()
    {
        var result = new SyntheticMultiomicsOptionsValidator().Validate(null, new SyntheticMultiomicsOptions { ClassProportions = [0.5, 0] });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("SyntheticMultiomicsOptions.ClassProportions[1]");
    }

    [Fact]
    public void A_class_too_small_for_the_split_is_rejected_by_the_constructor_naming_the_options()
    {
        var act = () => new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions { SampleCount = 20, ClassProportions = [0.95, 0.05] });

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("*SyntheticMultiomicsOptions.SampleCount = 20 gives class 1 1 sample(s)*SyntheticMultiomicsOptions.TestFraction = 0.2*SyntheticMultiomicsOptions.ValidationFraction = 0.2*1 test, 1 validation*");
    }

    [Theory]
    [InlineData(9)]     // classes 4 / 3 / 2 with the default proportions: the smallest has no training row left
    [InlineData(12)]
    public void Default_proportions_with_too_few_samples_fail_validation_not_generation(int sampleCount)
    {
        var result = new SyntheticMultiomicsOptionsValidator().Validate(null, new SyntheticMultiomicsOptions { SampleCount = sampleCount });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain($"SyntheticMultiomicsOptions.SampleCount = {sampleCount}");
    }

    [Fact]
    public void The_smallest_default_sample_count_that_can_be_split_generates()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 0, sampleCount: 13);

        data.SampleCount.Should().Be(13);
        data.CountClasses(data.TrainIndices).Should().OnlyContain(count => count >= 1);
    }

    [Theory]
    [InlineData(10, new[] { 0.15, 0.25, 0.6 }, new[] { 2, 2, 6 })]    // 1.5, 2.5, 6: one left, the tied remainders 0.5 go to the lower class
    [InlineData(10, new[] { 0.12, 0.28, 0.6 }, new[] { 1, 3, 6 })]    // 1.2, 2.8, 6: the largest remainder (0.8) gets it
    [InlineData(8, new[] { 2.0, 6.0 }, new[] { 2, 6 })]               // weights are normalised
    [InlineData(3, new[] { 0.9, 0.05, 0.05 }, new[] { 1, 1, 1 })]     // 3, 0, 0 before each empty class takes one from the largest
    [InlineData(4, new[] { 0.02, 0.49, 0.49 }, new[] { 1, 1, 2 })]    // 0, 2, 2: class 0 takes one from the first largest class
    public void Class_counts_are_the_largest_remainders_with_at_least_one_per_class(int n, double[] proportions, int[] expected)
    {
        var generator = new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions
        {
            SampleCount = n, ClassProportions = proportions, TestFraction = 0, ValidationFraction = 0,
        });

        generator.ClassCounts().Should().Equal(expected);
        generator.Generate().CountClasses().Should().Equal(expected);
    }

    [Fact]
    public void Labels_are_shuffled_and_the_split_is_the_stratified_splitter_s_with_the_same_seed()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 5, sampleCount: 60);
        var split = StratifiedSplitter.Split(data.Labels, 0.2, 0.2, seed: 5);

        data.Labels.Should().NotBeInAscendingOrder();
        data.Labels.Take(30).Should().Contain(1).And.Contain(2, "a class block sorted to the front would hold only class 0");
        data.TrainIndices.Should().Equal(split.Train);
        data.ValidationIndices.Should().Equal(split.Validation);
        data.TestIndices.Should().Equal(split.Test);
    }

    [Fact]
    public void Sample_ids_number_the_rows_with_four_digits()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 0, sampleCount: 20);

        data.SampleIds.Should().HaveCount(20);
        data.SampleIds![0].Should().Be("S0000");
        data.SampleIds[12].Should().Be("S0012");
    }

    [Fact]
    public void A_modality_without_signal_is_its_stream_s_standard_normal_draws()
    {
        // With no informative feature no class mean is drawn: the values are the first n * d draws of modality 1's
        // stream, seeded seed * 1_000_003 + 7919 * 1 (the documented "one stream per modality").
        var options = Options(seed: 3, new SyntheticModalityOptions { Name = "noise", FeatureCount = 4, InformativeFeatureCount = 0, SignalStrength = 2 });
        var expected = new double[20 * 4];
        MathNet.Numerics.Distributions.Normal.Samples(new Random(3 * 1_000_003 + 7919), expected, 0.0, 1.0);

        var data = new SyntheticMultiomicsGenerator(options).Generate();

        data.Modalities[0].Values.ToArray().Should().Equal(expected);
        data.Modalities[0].FeatureNames.Should().Equal("noise_0", "noise_1", "noise_2", "noise_3");
    }

    [Fact]
    public void The_second_modality_draws_from_its_own_stream()
    {
        // Modality 2's stream is seeded seed * 1_000_003 + 7919 * 2.
        var options = Options(seed: 3, new SyntheticModalityOptions { Name = "first", FeatureCount = 2, InformativeFeatureCount = 1 });
        options.Modalities = [options.Modalities[0], new SyntheticModalityOptions { Name = "second", FeatureCount = 3, InformativeFeatureCount = 0 }];
        var expected = new double[20 * 3];
        MathNet.Numerics.Distributions.Normal.Samples(new Random(3 * 1_000_003 + 7919 * 2), expected, 0.0, 1.0);

        var data = new SyntheticMultiomicsGenerator(options).Generate();

        data.Modalities[1].Values.ToArray().Should().Equal(expected);
    }

    [Fact]
    public void The_signal_shifts_each_informative_feature_by_a_class_mean_proportional_to_the_strength()
    {
        // Same seed, so the same class-mean draws u and noise e: x(s) = s * u[y, j] + e on the informative columns.
        var spec = (double s) => new SyntheticModalityOptions { Name = "m", FeatureCount = 5, InformativeFeatureCount = 2, SignalStrength = s };
        var zero = new SyntheticMultiomicsGenerator(Options(seed: 4, spec(0))).Generate();
        var one = new SyntheticMultiomicsGenerator(Options(seed: 4, spec(1))).Generate();
        var three = new SyntheticMultiomicsGenerator(Options(seed: 4, spec(3))).Generate();

        var shift = new double?[2, 2];
        for (int i = 0; i < zero.SampleCount; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                double d1 = one.Modalities[0][i, j] - zero.Modalities[0][i, j], d3 = three.Modalities[0][i, j] - zero.Modalities[0][i, j];
                if (j >= 2)
                {
                    d1.Should().Be(0, "noise column {0} carries no class mean", j);
                    d3.Should().Be(0);
                    continue;
                }
                d3.Should().BeApproximately(3 * d1, 1e-12);
                int y = zero.Labels[i];
                shift[y, j] ??= d1;
                d1.Should().BeApproximately(shift[y, j]!.Value, 1e-12, "every row of class {0} has the same mean on column {1}", y, j);
            }
        }
        // The class means are the stream's first C * k draws u (row-major by class), scaled by s: here s = 1.
        var u = new double[2 * 2];
        MathNet.Numerics.Distributions.Normal.Samples(new Random(4 * 1_000_003 + 7919), u, 0.0, 1.0);
        for (int c = 0; c < 2; c++)
            for (int j = 0; j < 2; j++) shift[c, j]!.Value.Should().BeApproximately(u[c * 2 + j], 1e-12);
        zero.Modalities[0].FeatureNames.Should().Equal("informative_0", "informative_1", "noise_0", "noise_1", "noise_2");
    }

    [Fact]
    public void Changing_one_modality_leaves_the_labels_and_the_other_modalities_unchanged()
    {
        var a = new SyntheticMultiomicsOptions { SampleCount = 40, Seed = 9 };
        var b = new SyntheticMultiomicsOptions { SampleCount = 40, Seed = 9 };
        b.Modalities[0].FeatureCount = 7;
        b.Modalities[0].InformativeFeatureCount = 3;

        var first = new SyntheticMultiomicsGenerator(a).Generate();
        var second = new SyntheticMultiomicsGenerator(b).Generate();

        second.Labels.Should().Equal(first.Labels);
        second.Modalities[1].Values.ToArray().Should().Equal(first.Modalities[1].Values.ToArray());
        second.Modalities[2].Values.ToArray().Should().Equal(first.Modalities[2].Values.ToArray());
        second.Modalities[0].FeatureCount.Should().Be(7);
    }

    [Fact]
    public void The_options_are_copied_when_the_generator_is_created()
    {
        var options = new SyntheticMultiomicsOptions { SampleCount = 40, Seed = 2 };
        var generator = new SyntheticMultiomicsGenerator(options);
        var before = generator.Generate();

        options.SampleCount = 80;
        options.Seed = 3;
        options.ClassProportions[0] = 5;
        options.Modalities[0].FeatureCount = 1;
        options.Modalities[0].Name = "renamed";
        options.ValidationFraction = 0;
        options.TestFraction = 0;
        var after = generator.Generate();

        after.Labels.Should().Equal(before.Labels);
        after.Modalities[0].Name.Should().Be("strong");
        after.Modalities[0].Values.ToArray().Should().Equal(before.Modalities[0].Values.ToArray());
        after.TestIndices.Should().Equal(before.TestIndices);
        after.ValidationIndices.Should().Equal(before.ValidationIndices);
    }

    [Fact]
    public void The_options_wrapper_of_dependency_injection_gives_the_same_dataset()
    {
        var options = new SyntheticMultiomicsOptions { SampleCount = 30, Seed = 6 };

        var viaWrapper = new SyntheticMultiomicsGenerator(Microsoft.Extensions.Options.Options.Create(options)).Generate();
        var direct = SyntheticMultiomicsGenerator.Generate(seed: 6, sampleCount: 30);

        viaWrapper.Labels.Should().Equal(direct.Labels);
        viaWrapper.Modalities[0].Values.ToArray().Should().Equal(direct.Modalities[0].Values.ToArray());
    }

    [Fact]
    public void Null_options_are_rejected()
    {
        var act = () => new SyntheticMultiomicsGenerator((SyntheticMultiomicsOptions)null!);
        var actWrapper = () => new SyntheticMultiomicsGenerator((IOptions<SyntheticMultiomicsOptions>)null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
        actWrapper.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void The_default_sample_count_is_300()
    {
        SyntheticMultiomicsGenerator.Generate(seed: 1).SampleCount.Should().Be(300);
    }

    [Fact]
    public void Labels_are_the_class_blocks_shuffled_by_fisher_yates_with_the_seed()
    {
        // Default proportions at n = 20: blocks of 10, 6 and 4 labels, then for i = n-1..1 swap i with Random(seed).Next(i + 1).
        var expected = Enumerable.Repeat(0, 10).Concat(Enumerable.Repeat(1, 6)).Concat(Enumerable.Repeat(2, 4)).ToArray();
        var random = new Random(8);
        for (int i = expected.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (expected[i], expected[j]) = (expected[j], expected[i]);
        }

        SyntheticMultiomicsGenerator.Generate(seed: 8, sampleCount: 20).Labels.Should().Equal(expected);
    }

    [Fact]
    public void A_modality_with_default_options_is_named_modality_with_20_of_100_features_informative()
    {
        var data = new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions { SampleCount = 20, Modalities = [new SyntheticModalityOptions()] }).Generate();

        data.Modalities[0].Name.Should().Be("modality");
        data.Modalities[0].FeatureCount.Should().Be(100);
        data.Modalities[0].FeatureNames![19].Should().Be("informative_19");
        data.Modalities[0].FeatureNames![20].Should().Be("noise_0");
    }

    private static SyntheticMultiomicsOptions Options(int seed, SyntheticModalityOptions modality) => new()
    {
        SampleCount = 20, ClassProportions = [1, 1], Modalities = [modality], ValidationFraction = 0, TestFraction = 0, Seed = seed,
    };

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
