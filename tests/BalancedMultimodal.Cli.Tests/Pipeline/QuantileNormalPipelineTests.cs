using System.Text.Json.Nodes;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>A pipeline whose features are rank-Gauss transformed before z-scoring (<see cref="FeatureScaling.QuantileNormal"/>).</summary>
[Collection(TrainedPipelineCollection.Name)]
public class QuantileNormalPipelineTests(TrainedPipelineFixture fixture)
{
    private static PipelineOptions Options()
    {
        var options = TrainedPipelineFixture.MlpOptions(PredictionSource.AllHeadsValidationWeighted);
        options.Scaling = FeatureScaling.QuantileNormal;
        return options;
    }

    [Fact]
    public void The_model_keeps_the_quantiles_fitted_on_the_labelled_rows_and_predicts_through_them()
    {
        var data = MogonetFolderLoader.Load(fixture.DataFolder);
        var labelled = data.TrainIndices.Concat(data.ValidationIndices).ToArray();
        var result = new TrainingPipeline(Options()) { KeepTrainedModel = true }.Run(data);
        using var model = result.Model!;

        var expected = QuantileNormalizer.Fit(data, labelled);
        model.QuantileNormalizer.Should().NotBeNull();
        model.QuantileNormalizer!.Quantiles.Should().BeEquivalentTo(expected.Quantiles, o => o.WithStrictOrdering());
        // The standardiser is fitted on the rank-Gauss values: they are symmetric about 0, so its means are near 0.
        model.Standardizer.Means.SelectMany(m => m).Should().OnlyContain(mean => Math.Abs(mean) < 0.2);

        var modalities = fixture.NewModalities();
        using var standardOnly = new TrainingPipeline(TrainedPipelineFixture.MlpOptions(PredictionSource.AllHeadsValidationWeighted)) { KeepTrainedModel = true }
            .Run(data).Model!;
        model.Predict(modalities).Probabilities.Should().NotBeEquivalentTo(standardOnly.Predict(modalities).Probabilities);
    }

    [Fact]
    public void New_values_beyond_the_fitted_range_are_clipped_not_extrapolated()
    {
        var (model, _) = TrainAndSave();
        using var owned = model;
        var quantiles = model.QuantileNormalizer!.Quantiles;
        // Row 0: every column `beyond` above its highest fitted value; row 1: as far below its lowest.
        Modality?[] Outside(double beyond) => model.ModalityNames.Select((name, m) =>
        {
            var values = new double[2, model.FeatureCounts[m]];
            for (int j = 0; j < model.FeatureCounts[m]; j++)
            {
                values[0, j] = quantiles[m][j][^1] + beyond;
                values[1, j] = quantiles[m][j][0] - beyond;
            }
            return (Modality?)new Modality(name, values);
        }).ToArray();

        // Every column maps to its upper (row 0) or lower (row 1) clip value either way, so the predictions agree,
        // which they would not if the z-scored raw values reached the networks.
        var near = model.Predict(Outside(0.01)).Probabilities;
        var far = model.Predict(Outside(1.0)).Probabilities;
        far.Should().BeEquivalentTo(near, o => o.WithStrictOrdering());
        near[0, 0].Should().BeInRange(1e-4, 1 - 1e-4, "the check needs an unsaturated prediction");
    }

    /// <summary>Trains a quantile-normal pipeline on the fixture data and saves it to a fresh folder.</summary>
    private (TrainedPipeline Model, string Folder) TrainAndSave()
    {
        var model = new TrainingPipeline(Options()) { KeepTrainedModel = true }.Run(MogonetFolderLoader.Load(fixture.DataFolder)).Model!;
        var folder = Path.Combine(fixture.Root, "quantile-normal-model-" + Guid.NewGuid().ToString("N"));
        model.Save(folder);
        return (model, folder);
    }

    [Fact]
    public void A_saved_quantile_normal_pipeline_is_format_2_and_loads_to_identical_predictions()
    {
        var (model, folder) = TrainAndSave();
        using var owned = model;

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!;
        manifest["FormatVersion"]!.GetValue<int>().Should().Be(2);
        manifest["HasQuantileNormalizer"]!.GetValue<bool>().Should().BeTrue();
        File.Exists(Path.Combine(folder, "quantiles.json")).Should().BeTrue();

        using var loaded = TrainedPipeline.Load(folder);
        loaded.Options.Scaling.Should().Be(FeatureScaling.QuantileNormal);
        var modalities = fixture.NewModalities((i, m) => i % 4 != m);
        loaded.Predict(modalities).Probabilities.Should().BeEquivalentTo(model.Predict(modalities).Probabilities, o => o.WithStrictOrdering());
    }

    [Fact]
    public void A_folder_whose_manifest_drops_the_quantiles_is_rejected_before_predicting()
    {
        var (model, folder) = TrainAndSave();
        model.Dispose();
        var path = Path.Combine(folder, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        manifest["HasQuantileNormalizer"] = false;
        File.WriteAllText(path, manifest.ToJsonString());

        var act = () => TrainedPipeline.Load(folder);

        act.Should().Throw<InvalidDataException>().WithMessage("options.json: Scaling is QuantileNormal*has no quantiles.json*");
    }

    [Fact]
    public void An_undefined_scaling_is_rejected_before_training()
    {
        var options = Options();
        options.Scaling = (FeatureScaling)7;

        var act = () => new TrainingPipeline(options).Run(MogonetFolderLoader.Load(fixture.DataFolder));

        act.Should().Throw<ArgumentException>().WithMessage("Scaling must be Standardize or QuantileNormal, got 7.");
    }
}
