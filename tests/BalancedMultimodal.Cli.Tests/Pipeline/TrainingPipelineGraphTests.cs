using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Graph.Graphs;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>The patient graph of <see cref="TrainingPipeline"/>: built once, before the folds train.</summary>
public class TrainingPipelineGraphTests
{
    /// <summary>The small test cohort, standardised, as one float32 (n, d_m) matrix per modality; the caller disposes them.</summary>
    private static Tensor[] StandardizedFeatures()
    {
        var data = Standardizer.FitTransform(TrainingPipelineOptionTests.Data());
        return Enumerable.Range(0, data.ModalityCount).Select(m => data.ToTensor(m, dtype: ScalarType.Float32)).ToArray();
    }


    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Only_the_graph_stays_alive_once_it_is_built_so_the_folds_do_not_carry_the_n_by_n_matrices(bool modalityRelations)
    {
        var options = TrainedPipelineFixture.Options();
        options.ModalityGraphRelations = modalityRelations;
        var features = StandardizedFeatures();
        long before = LiveTensors.Count;

        using (var graph = TrainingPipeline.BuildPatientGraph(features, options))
        {
            graph.RelationCount.Should().Be(modalityRelations ? 3 : 1);
            LiveTensors.Count.Should().Be(before + 2 * graph.RelationCount, "the graph holds an edge index and edge weights per relation, and nothing else is left");
        }

        LiveTensors.Count.Should().Be(before);
        foreach (var f in features) f.Dispose();
    }

    [Fact]
    public void A_cancelled_token_reaches_the_affinities_and_the_fusion_and_leaves_no_tensor()
    {
        var options = TrainedPipelineFixture.Options();
        var features = StandardizedFeatures();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        long before = LiveTensors.Count;

        var complete = () => TrainingPipeline.BuildPatientGraph(features, options, cancellation.Token);
        var overAvailable = () => TrainingPipeline.BuildPatientGraphOverAvailable(features, new bool[]?[features.Length], options, cancellation.Token);

        complete.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        overAvailable.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        LiveTensors.Count.Should().Be(before);
        foreach (var f in features) f.Dispose();
    }

    [Fact]
    public void A_cancelled_token_reaches_the_cohort_graph_of_the_incomplete_sample_graph_and_leaves_no_tensor()
    {
        var options = TrainedPipelineFixture.Options();
        var features = StandardizedFeatures();
        int n = (int)features[0].shape[0];
        var availability = new bool[]?[] { null, Enumerable.Range(0, n).Select(i => i % 7 != 0).ToArray() };
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        long before = LiveTensors.Count;

        var act = () => TrainingPipeline.BuildIncompletePatientGraph(features, availability, options, cancellation.Token);

        act.Should().Throw<OperationCanceledException>("the graph over the complete samples gets the token")
            .Which.CancellationToken.Should().Be(cancellation.Token);
        LiveTensors.Count.Should().Be(before);
        foreach (var f in features) f.Dispose();
    }

    [Fact]
    public void A_cancelled_token_stops_the_affinities_before_their_per_view_checks()
    {
        // docs/api.md, "Cancellation": AffinityBuilder.Build checks the token before any work and leaves the per-view
        // checks (K against the number of samples among them) to the views' own step, so an affinity K >= n with a
        // cancelled token gives the cancellation; without the token the same call fails naming K.
        var options = TrainedPipelineFixture.Options();
        var features = StandardizedFeatures();
        options.Affinity.K = (int)features[0].shape[0];
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var cancelled = () => TrainingPipeline.BuildPatientGraph(features, options, cancellation.Token);
        var uncancelled = () => TrainingPipeline.BuildPatientGraph(features, options);

        cancelled.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        uncancelled.Should().Throw<ArgumentException>().WithMessage("*AffinityOptions.K*");
        foreach (var f in features) f.Dispose();
    }

    [Fact]
    public void With_per_modality_relations_the_connectivity_reported_is_the_fused_relations_alone()
    {
        var options = TrainingPipelineOptionTests.Options();
        options.ModalityGraphRelations = true;
        var features = StandardizedFeatures();
        using var graph = TrainingPipeline.BuildPatientGraph(features, options);
        var fusedOnly = GraphConnectivity.Analyze(new RelationalGraph(graph.NodeCount, [graph.Relations[0]]));
        var union = GraphConnectivity.Analyze(graph);
        // Premise: the per-modality edges change the analysis, so the check can tell which graph was analysed.
        union.AlgebraicConnectivity.Should().NotBe(fusedOnly.AlgebraicConnectivity);

        var result = new TrainingPipeline(options).Run(TrainingPipelineOptionTests.Data());

        result.Connectivity.Should().BeEquivalentTo(fusedOnly);
        foreach (var f in features) f.Dispose();
    }

    [Fact]
    public void The_graphs_tensors_belong_to_the_callers_dispose_scope()
    {
        var data = Standardizer.FitTransform(TrainingPipelineOptionTests.Data());
        var features = Enumerable.Range(0, data.ModalityCount).Select(m => data.ToTensor(m)).ToArray();
        RelationalGraph graph;
        Tensor edgeIndex;
        using (NewDisposeScope())
        {
            graph = TrainingPipeline.BuildPatientGraph(features, TrainedPipelineFixture.Options());
            edgeIndex = graph.Relations[0].EdgeIndex;
            edgeIndex.IsInvalid.Should().BeFalse();
        }

        edgeIndex.IsInvalid.Should().BeTrue("the scope the graph was built in freed its tensors");
        var read = () => graph.Relations;
        read.Should().Throw<ObjectDisposedException>().WithMessage("*relation 'fused' was freed outside the graph*DetachFromDisposeScope*");
        graph.Dispose();
        foreach (var f in features) f.Dispose();
    }
}
