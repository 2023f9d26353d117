using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>Training needs every modality on every sample: a dataset whose availability mask marks rows missing is
/// refused before any work, naming the modality, how many samples lack it and the first of them (it used to reach the
/// compute-dtype check, which blamed a "value too large" on the missing row's placeholder).</summary>
public class MissingModalityTrainingTests
{
    /// <summary>The option tests' 90-sample set with modality "b" missing on every seventh row (rows 0, 7, ..., 84:
    /// 13 rows), whose values are NaN placeholders.</summary>
    private static MultimodalDataset Partial(IReadOnlyList<string>? sampleIds = null)
    {
        var data = TrainingPipelineOptionTests.Data();
        var b = data.Modalities[1];
        var values = new double[b.SampleCount, b.FeatureCount];
        for (int i = 0; i < b.SampleCount; i++)
            for (int j = 0; j < b.FeatureCount; j++)
                values[i, j] = i % 7 == 0 ? double.NaN : b[i, j];
        var available = Enumerable.Range(0, b.SampleCount).Select(i => i % 7 != 0).ToArray();
        return new MultimodalDataset([data.Modalities[0], new Modality(b.Name, values, availability: available)], data.Labels, data.ClassCount,
            sampleIds: sampleIds, trainIndices: data.TrainIndices, validationIndices: data.ValidationIndices, testIndices: data.TestIndices);
    }

    [Fact]
    public void A_run_on_samples_lacking_a_modality_is_refused_naming_the_modality_and_the_first_sample()
    {
        var act = () => new TrainingPipeline(TrainingPipelineOptionTests.Options()).Run(Partial());

        act.Should().Throw<ArgumentException>()
            .WithMessage("Modality 'b' is missing for 13 of the 90 samples (the first: sample row 0); training needs every modality on every sample*TrainedPipeline.Predict*");
    }

    [Fact]
    public void The_data_check_names_the_first_sample_by_its_id_when_the_data_has_ids()
    {
        var ids = Enumerable.Range(0, 90).Select(i => $"patient-{i:D2}").ToArray();

        var act = () => TrainingPipeline.ValidateData(Partial(ids));

        act.Should().Throw<ArgumentException>().WithMessage("*sample 'patient-00' (row 0)*");
    }
}
