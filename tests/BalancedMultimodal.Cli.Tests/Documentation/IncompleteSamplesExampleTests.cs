using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Documentation;

/// <summary>The "samples lacking a modality" lines of docs/getting-started.md train on a set where a quarter of the
/// samples lack a modality (NaN placeholders), and predict every sample.</summary>
[Collection(Commands.SeededTrainingCollection.Name)]
public sealed class IncompleteSamplesExampleTests
{
    private const string StartMarker = "// --- docs/getting-started.md: incomplete samples ---";
    private const string EndMarker = "// --- end of the example ---";

    [Fact]
    public void The_example_trains_on_incomplete_samples_and_predicts_every_one()
    {
        using var scope = NewDisposeScope();
        // The synthetic set's second modality missing on every fourth sample (NaN placeholders, as a loader leaves them).
        var dataset = Pipeline.IncompleteDatasets.WithMissingRows(SyntheticMultiomicsGenerator.Generate(seed: 2, sampleCount: 120), 1, i => i % 4 == 0);
        var standardized = Standardizer.FitTransform(dataset);
        var names = standardized.Modalities.Select(m => m.Name).ToArray();
        var features = Enumerable.Range(0, standardized.ModalityCount).Select(m => standardized.ToTensor(m, dtype: ScalarType.Float32)).ToArray();

        // --- docs/getting-started.md: incomplete samples ---
        // One flag per row and modality (null: every row has it); the values of a missing row are never read.
        var availability = standardized.Modalities.Select(m => m.HasMissingRows ? m.Availability : null).ToArray();
        var data = new BalancedTrainingData(names, features, standardized.LabelsTensor(), standardized.ClassCount,
            standardized.TrainIndices, standardized.ValidationIndices, availability);
        var trainer = new BalancedTrainer(new MlpEncoderFactory(new MlpEncoderOptions()), new KsgEstimator(), new BalancedTrainingOptions { Seed = 0 });
        using var result = trainer.Fit(data);
        var probabilities = result.PredictedProbabilities;   // every sample, those lacking a modality included
        // --- end of the example ---

        probabilities.isfinite().all().item<bool>().Should().BeTrue();
        var predicted = probabilities.argmax(1).data<long>().ToArray();
        var test = standardized.TestIndices;
        test.Count(r => predicted[r] == standardized.Labels[r]).Should().BeGreaterThan(test.Length / 2 + test.Length / 8,
            "the example trains a real model, well above chance, samples lacking a modality included");
    }

    [Fact]
    public void The_guide_shows_exactly_the_code_this_test_runs()
    {
        var example = DocumentationSources.ExampleLines("IncompleteSamplesExampleTests.cs", StartMarker, EndMarker);
        var guide = DocumentationSources.Read("getting-started.md");

        example.Should().HaveCountGreaterThan(4);
        guide.Should().Contain(string.Join("\n", example), "docs/getting-started.md must show the example verbatim");
    }
}
