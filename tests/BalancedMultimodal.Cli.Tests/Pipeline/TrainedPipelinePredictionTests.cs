using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Metrics;
using FluentAssertions;
using TorchSharp;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

[Collection(TrainedPipelineCollection.Name)]
public class TrainedPipelinePredictionTests(TrainedPipelineFixture fixture)
{
    [Fact]
    public void A_loaded_pipeline_predicts_exactly_what_the_in_memory_pipeline_predicts()
    {
        var expected = fixture.Model.Predict(fixture.NewModalities());

        using var loaded = TrainedPipeline.Load(fixture.ModelFolder);
        var actual = loaded.Predict(fixture.NewModalities());

        actual.Probabilities.Should().BeEquivalentTo(expected.Probabilities, o => o.WithStrictOrdering());
        actual.Predictions.Should().Equal(expected.Predictions);
    }

    [Fact]
    public void Predicting_leaves_the_global_random_generator_where_it_was()
    {
        torch.manual_seed(11);
        using var expected = torch.rand(8, dtype: torch.ScalarType.Float64);
        torch.manual_seed(11);

        fixture.Model.Predict(fixture.NewModalities());
        using var actual = torch.rand(8, dtype: torch.ScalarType.Float64);

        actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue("building the fold networks must not consume random numbers of later draws");
    }

    [Fact]
    public void Predicting_leaves_no_tensor_behind()
    {
        var modalities = fixture.NewModalities();
        fixture.Model.Predict(modalities);
        long before = LiveTensors.Count;

        fixture.Model.Predict(modalities);

        LiveTensors.Count.Should().Be(before);
    }

    [Fact]
    public void A_loaded_pipeline_keeps_names_statistics_plans_and_weights()
    {
        using var loaded = TrainedPipeline.Load(fixture.ModelFolder);

        loaded.ModalityNames.Should().Equal(fixture.Model.ModalityNames);
        loaded.FeatureCounts.Should().Equal(fixture.Model.FeatureCounts);
        loaded.ClassNames.Should().Equal(fixture.Model.ClassNames);
        loaded.Standardizer.Means.Should().BeEquivalentTo(fixture.Model.Standardizer.Means, o => o.WithStrictOrdering());
        loaded.Folds.Select(f => f.FinalWeights).Should().BeEquivalentTo(fixture.Model.Folds.Select(f => f.FinalWeights), o => o.WithStrictOrdering());
        loaded.Folds.Select(f => f.Plan?.ToString()).Should().Equal(fixture.Model.Folds.Select(f => f.Plan?.ToString()));
        loaded.Options.Encoder.HiddenSizes.Should().Equal(fixture.Model.Options.Encoder.HiddenSizes);
        loaded.Graph.EdgeCount.Should().Be(fixture.Model.Graph.EdgeCount);
    }

    [Fact]
    public void Probabilities_of_new_samples_sum_to_one_and_are_well_above_chance()
    {
        var result = fixture.Model.Predict(fixture.NewModalities());

        for (int i = 0; i < result.SampleCount; i++)
            Enumerable.Range(0, 2).Sum(c => result.Probabilities[i, c]).Should().BeApproximately(1.0, 1e-6);
        ClassificationMetrics.Accuracy(fixture.NewLabels, result.Predictions.ToArray()).Should().BeGreaterThan(0.85);
    }

    [Fact]
    public void A_prediction_does_not_depend_on_the_other_new_samples()
    {
        var all = fixture.Model.Predict(fixture.NewModalities());
        var firstOnly = fixture.Model.Predict(fixture.NewModalities().Select(m => m?.SelectRows([0])).ToArray());

        firstOnly.Probabilities[0, 1].Should().BeApproximately(all.Probabilities[0, 1], 1e-6);
    }

    [Fact]
    public void Samples_lacking_a_modality_still_get_a_prediction_from_the_others()
    {
        // Sample i lacks modality i % 3; the weakest modality is missing for every third sample.
        var result = fixture.Model.Predict(fixture.NewModalities((i, m) => i % 3 != m));

        result.SampleCount.Should().Be(fixture.NewRows.Length);
        for (int i = 0; i < result.SampleCount; i++)
            (result.Probabilities[i, 0] + result.Probabilities[i, 1]).Should().BeApproximately(1.0, 1e-6);
        ClassificationMetrics.Accuracy(fixture.NewLabels, result.Predictions.ToArray()).Should().BeGreaterThan(0.75);
    }

    [Fact]
    public void A_modality_missing_for_every_sample_may_be_left_out()
    {
        var modalities = fixture.NewModalities();
        modalities[2] = null;

        var result = fixture.Model.Predict(modalities);

        ClassificationMetrics.Accuracy(fixture.NewLabels, result.Predictions.ToArray()).Should().BeGreaterThan(0.75);
    }

    [Fact]
    public void A_sample_missing_in_every_modality_is_rejected_by_row()
    {
        var act = () => fixture.Model.Predict(fixture.NewModalities((i, m) => i != 2));

        act.Should().Throw<ArgumentException>().WithMessage("*New sample 2 is missing in every modality*");
    }

    [Fact]
    public void New_samples_with_another_feature_count_are_rejected_by_modality()
    {
        var modalities = fixture.NewModalities();
        modalities[1] = new BalancedMultimodal.Core.Data.Modality("2", new double[fixture.NewRows.Length, 3]);

        var act = () => fixture.Model.Predict(modalities);

        act.Should().Throw<ArgumentException>().WithMessage("*Modality '2' has 3 features but the model was trained on 10*");
    }
}
