using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.PublicApi;

/// <summary>A patient graph over other samples than the training data is refused before training, and the message leads
/// with the graph encoder's own reason (the node count), not with a guess about the input width.</summary>
public class GraphNodeCountMismatchTests
{
    [Fact]
    public void A_graph_with_fewer_nodes_than_samples_is_refused_with_the_encoders_reason_first()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var features = new[] { randn(40, 5), randn(40, 4) };
        var labels = arange(40, dtype: ScalarType.Int64).remainder(2);
        var data = new BalancedTrainingData(["mrna", "meth"], features, labels, 2, Enumerable.Range(0, 24).ToArray(), Enumerable.Range(24, 8).ToArray());
        using var graph = new TopKGraphBuilder(3).Build(rand(30, 30, dtype: ScalarType.Float64));
        var trainer = new BalancedTrainer(new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [4] }), new KsgEstimator(),
            new BalancedTrainingOptions { PretrainingEpochs = 1, JointEpochs = 1 });

        var act = () => trainer.Fit(data);

        act.Should().Throw<InvalidOperationException>().WithMessage(
            "The encoder factory RelationalGcnEncoderFactory built for modality 0 ('mrna', 5 features) an encoder (RelationalGcnEncoder) that refuses " +
            "that modality's features of shape (40, 5): *30*40*An encoder must take the requested input width (5) and one row per sample " +
            "(40; a graph encoder needs a graph of 40 nodes).");
    }
}
