using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Documentation;

/// <summary>The code example of README.md, verbatim apart from the data folder, compiles and runs.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_trains_on_rosmap_and_predicts_the_test_rows()
    {
        var folder = CliApp.BundledDataFolder;

        // --- README.md example ---
        var data = Standardizer.FitTransform(MogonetFolderLoader.Load(folder));          // train rows then test rows
        var split = StratifiedSplitter.CarveValidation(data, validationFraction: 0.2, seed: 0);
        var features = Enumerable.Range(0, data.ModalityCount).Select(m => data.ToTensor(m, dtype: ScalarType.Float32)).ToArray();
        var affinities = new AffinityBuilder(new AffinityOptions()).Build(features.Select(f => f.to(ScalarType.Float64)).ToArray());
        using var graph = new TopKGraphBuilder(10).Build(new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions()).Fuse(affinities));
        var trainer = new BalancedTrainer(new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions()),
                                          new KsgEstimator(), new BalancedTrainingOptions { Seed = 0 });
        using var result = trainer.Fit(new BalancedTrainingData(data.Modalities.Select(m => m.Name).ToArray(), features,
                                          data.LabelsTensor(), data.ClassCount, split.TrainIndices, split.ValidationIndices));
        Console.WriteLine(result.Plan);                                  // who teaches whom, and why the gate opened
        var testProbabilities = result.FusedProbabilities.index_select(0, torch.tensor(data.TestIndices.Select(i => (long)i).ToArray()));
        // --- end of the example ---

        testProbabilities.shape.Should().Equal(106, 2);
        var predictions = testProbabilities.argmax(1).data<long>().ToArray();
        double accuracy = data.TestIndices.Select((row, i) => predictions[i] == data.Labels[row] ? 1.0 : 0.0).Average();
        accuracy.Should().BeGreaterThan(0.7, "the example trains a real model, well above chance (0.52)");
        result.Plan.Should().NotBeNull();
    }

    [Fact]
    public void The_readme_shows_exactly_the_code_this_test_runs()
    {
        var example = DocumentationSources.ExampleLines("ReadmeExampleTests.cs", "// --- README.md example ---", "// --- end of the example ---");
        var readme = DocumentationSources.Read("README.md");

        example.Should().HaveCountGreaterThan(10);
        readme.Should().Contain(string.Join("\n", example).Replace("Load(folder)", "Load(\"ROSMAP\")"),
            "README.md must show the example verbatim (with the data folder written as \"ROSMAP\")");
    }

    [Fact]
    public void The_readme_example_lists_every_using_directive_it_needs()
    {
        var needed = DocumentationSources.Read("ReadmeExampleTests.cs").Split('\n')
            .Where(l => l.StartsWith("using ", StringComparison.Ordinal) && !l.Contains("FluentAssertions") && !l.Contains("Xunit"))
            .ToArray();
        var readme = DocumentationSources.Read("README.md");

        needed.Should().HaveCountGreaterThan(5);
        readme.Should().Contain(string.Join("\n", needed), "a user pasting the README example into a new console app needs its using directives");
    }
}
