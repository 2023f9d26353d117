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

/// <summary>The "save and load" lines of docs/getting-started.md rebuild a network that gives the trained one's
/// predictions exactly.</summary>
public sealed class SaveLoadExampleTests : IDisposable
{
    private const string StartMarker = "// --- docs/getting-started.md: save and load ---";
    private const string EndMarker = "// --- end of the example ---";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bmm-save-load-" + Guid.NewGuid().ToString("N"));

    public SaveLoadExampleTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_reloaded_network_predicts_exactly_what_the_trained_one_did()
    {
        using var scope = NewDisposeScope();
        var dataset = SyntheticMultiomicsGenerator.Generate(seed: 2, sampleCount: 80);
        var standardized = Standardizer.FitTransform(dataset);
        var names = standardized.Modalities.Select(m => m.Name).ToArray();
        var features = Enumerable.Range(0, standardized.ModalityCount).Select(m => standardized.ToTensor(m, dtype: ScalarType.Float32)).ToArray();
        var affinities = new AffinityBuilder(new AffinityOptions { K = 10 }).Build(features.Select(f => f.to(ScalarType.Float64)).ToArray());
        using var graph = new TopKGraphBuilder(5).Build(new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 10 }).Fuse(affinities), "fused");
        var encoders = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [16], Dropout = 0.5 });
        var options = new BalancedTrainingOptions { Seed = 0, PretrainingEpochs = 20, DistillationEpochs = 10, JointEpochs = 20, EvaluationInterval = 5 };
        options.Assessment.Permutations = 19;
        using var result = new BalancedTrainer(encoders, new GaussianMutualInformationEstimator(), options).Fit(new BalancedTrainingData(
            names, features, standardized.LabelsTensor(), standardized.ClassCount, standardized.TrainIndices, standardized.ValidationIndices));
        var file = Path.Combine(_folder, "network.bin");

        // --- docs/getting-started.md: save and load ---
        result.Network.save(file);

        // Later: a network of the same shape (encoders from the same factory over the same graph), then its weights.
        var rebuilt = names.Select((name, m) => encoders.Create(new ModalityEncoderRequest(m, name, features[m].shape[1], graph.Device, ScalarType.Float32))).ToArray();
        using var network = new BalancedMultimodalNetwork(rebuilt, standardized.ClassCount, new BalancedTrainingOptions().HeadDropout, graph.Device, ScalarType.Float32);
        network.load(file);
        network.eval();
        // --- end of the example ---

        using var noGrad = no_grad();
        var reloaded = network.Forward(features).FusedLogits.softmax(1);
        reloaded.allclose(result.FusedProbabilities, rtol: 0, atol: 0).Should().BeTrue("the same weights on the same inputs give the same probabilities");
    }

    [Fact]
    public void The_guide_shows_exactly_the_code_this_test_runs()
    {
        var example = DocumentationSources.ExampleLines("SaveLoadExampleTests.cs", StartMarker, EndMarker);
        var guide = DocumentationSources.Read("getting-started.md");

        example.Should().HaveCountGreaterThan(4);
        guide.Should().Contain(string.Join("\n", example).Replace("(file)", "(\"network.bin\")"),
            "docs/getting-started.md must show the example verbatim (with the file written as \"network.bin\")");
    }
}
