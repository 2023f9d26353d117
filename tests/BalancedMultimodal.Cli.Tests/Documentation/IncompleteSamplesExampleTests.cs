using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
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

    /// <summary>The synthetic set's second modality missing on every fourth sample (NaN placeholders, as a loader leaves
    /// them), prepared as the guide's section 2 prepares ROSMAP: training and test rows only (as the loader gives them),
    /// a carved validation split, standardised with the labelled rows' statistics; the split, the data, its modality
    /// names and float32 features.</summary>
    private static (MultimodalDataset Split, MultimodalDataset Standardized, string[] Names, Tensor[] Features) Inputs()
    {
        var generated = Pipeline.IncompleteDatasets.WithMissingRows(SyntheticMultiomicsGenerator.Generate(seed: 2, sampleCount: 120), 1, i => i % 4 == 0);
        var dataset = generated.WithSplits(generated.TrainIndices.Concat(generated.ValidationIndices).ToArray(), [], generated.TestIndices);
        var split = StratifiedSplitter.CarveValidation(dataset, validationFraction: 0.2, seed: 0);
        var labelled = split.TrainIndices.Concat(split.ValidationIndices).ToArray();
        var standardized = Standardizer.Fit(dataset, labelled).Transform(dataset);
        var names = standardized.Modalities.Select(m => m.Name).ToArray();
        var features = Enumerable.Range(0, standardized.ModalityCount).Select(m => standardized.ToTensor(m, dtype: ScalarType.Float32)).ToArray();
        standardized.ValidationIndices.Should().BeEmpty("the guide's standardized data keeps the loader's splits; the validation rows are split's");
        return (split, standardized, names, features);
    }

    /// <summary>Finite probabilities for every sample and test accuracy well above chance (samples lacking a modality included).</summary>
    private static void ShouldPredictWellAboveChance(Tensor probabilities, MultimodalDataset standardized)
    {
        probabilities.isfinite().all().item<bool>().Should().BeTrue();
        var predicted = probabilities.argmax(1).data<long>().ToArray();
        var test = standardized.TestIndices;
        test.Count(r => predicted[r] == standardized.Labels[r]).Should().BeGreaterThan(test.Length / 2 + test.Length / 8,
            "the example trains a real model, well above chance, samples lacking a modality included");
    }

    [Fact]
    public void The_example_trains_on_incomplete_samples_and_predicts_every_one()
    {
        using var scope = NewDisposeScope();
        var (split, standardized, names, features) = Inputs();

        // --- docs/getting-started.md: incomplete samples ---
        // One flag per row and modality (null: every row has it); the values of a missing row are never read.
        var availability = standardized.Modalities.Select(m => m.HasMissingRows ? m.Availability : null).ToArray();
        var data = new BalancedTrainingData(names, features, standardized.LabelsTensor(), standardized.ClassCount,
            split.TrainIndices, split.ValidationIndices, availability);
        var trainer = new BalancedTrainer(new MlpEncoderFactory(new MlpEncoderOptions()), new KsgEstimator(), new BalancedTrainingOptions { Seed = 0 });
        using var result = trainer.Fit(data);
        var probabilities = result.PredictedProbabilities;   // every sample, those lacking a modality included
        // --- end of the example ---

        ShouldPredictWellAboveChance(probabilities, standardized);
    }

    private const string GraphStartMarker = "// --- docs/getting-started.md: incomplete samples, graph ---";

    [Fact]
    public void The_graph_example_fuses_every_sample_with_the_masks_and_trains_relational_gcn_encoders_on_it()
    {
        using var scope = NewDisposeScope();
        var (split, standardized, names, features) = Inputs();
        var data = new BalancedTrainingData(names, features, standardized.LabelsTensor(), standardized.ClassCount,
            split.TrainIndices, split.ValidationIndices, standardized.Modalities.Select(m => m.HasMissingRows ? m.Availability : null).ToArray());

        // --- docs/getting-started.md: incomplete samples, graph ---
        // A relational GCN needs a patient graph over every sample: SNF with the availability masks (snfpy's missing-data rule).
        var masks = standardized.Modalities.Select(m => m.Availability.ToArray()).ToArray();
        var affinities = new AffinityBuilder(new AffinityOptions()).Build(features.Select(f => f.to(ScalarType.Float64)).ToArray(), masks);
        var fused = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions()).Fuse(affinities, masks);
        using var graph = new TopKGraphBuilder(10).Build(fused);
        var gcnTrainer = new BalancedTrainer(new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions()), new KsgEstimator(), new BalancedTrainingOptions { Seed = 0 });
        using var gcnResult = gcnTrainer.Fit(data);
        // --- end of the example ---

        graph.NodeCount.Should().Be(120);
        var sources = graph.Relations[0].EdgeIndex[0].data<long>().ToArray();
        sources.Should().Contain(s => s % 4 == 0, "samples lacking a modality are in the fusion: they send edges too");
        ShouldPredictWellAboveChance(gcnResult.PredictedProbabilities, standardized);
    }

    [Fact]
    public void The_guide_shows_exactly_the_graph_code_the_test_runs()
    {
        var example = DocumentationSources.ExampleLines("IncompleteSamplesExampleTests.cs", GraphStartMarker, EndMarker);

        example.Should().HaveCountGreaterThan(4);
        DocumentationSources.Read("getting-started.md").Should().Contain(string.Join("\n", example));
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
