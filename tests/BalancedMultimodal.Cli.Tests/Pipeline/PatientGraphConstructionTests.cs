using System.Text.Json;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary><see cref="PipelineOptions.PatientGraph"/>: the SNF patient graph is built only when an encoder reads it,
/// unless asked for; the MLP encoder's results do not depend on it.</summary>
[Collection(TrainedPipelineCollection.Name)]
public class PatientGraphConstructionTests(TrainedPipelineFixture fixture)
{
    private static PipelineOptions Mlp(PatientGraphConstruction graph)
    {
        var options = TrainedPipelineFixture.MlpOptions(PredictionSource.AllHeadsValidationWeighted);
        options.PatientGraph = graph;
        return options;
    }

    /// <summary>The option tests' data with "b" on 8 of 90 samples: 7 labelled rows and a test row.</summary>
    private static MultimodalDataset SparseB()
    {
        var full = TrainingPipelineOptionTests.Data();
        var having = new HashSet<int>(full.TrainIndices.Take(7).Append(full.TestIndices[0]));
        return IncompleteDatasets.WithMissingRows(full, 1, i => !having.Contains(i));
    }

    [Fact]
    public void The_mlp_pipeline_builds_no_graph_by_default_and_predicts_exactly_what_it_predicts_with_one()
    {
        var data = MogonetFolderLoader.Load(fixture.DataFolder);

        var without = new TrainingPipeline(Mlp(PatientGraphConstruction.WhenAnEncoderReadsIt)) { KeepTrainedModel = true }.Run(data);
        var with = new TrainingPipeline(Mlp(PatientGraphConstruction.Always)) { KeepTrainedModel = true }.Run(data);
        using var modelWithout = without.Model!;
        using var modelWith = with.Model!;

        without.Connectivity.Should().BeNull();
        with.Connectivity.Should().NotBeNull();
        modelWithout.Graph.EdgeCount.Should().Be(0, "an edgeless graph of the cohort stands in");
        modelWithout.Graph.NodeCount.Should().Be(data.SampleCount);
        modelWith.Graph.EdgeCount.Should().BePositive();
        without.TestProbabilities.Should().BeEquivalentTo(with.TestProbabilities, o => o.WithStrictOrdering());
        without.OutOfFoldMacroF1.Should().Be(with.OutOfFoldMacroF1);
        // New samples, some lacking a modality: the same probabilities from the model holding the cohort graph and from
        // the one holding an edgeless graph (neither attaches them: an MLP model reads no graph).
        var modalities = fixture.NewModalities((i, m) => i % 4 != m);
        modelWithout.Predict(modalities).Probabilities.Should().BeEquivalentTo(modelWith.Predict(modalities).Probabilities, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Metrics_json_reports_no_graph_when_none_was_built_and_its_connectivity_when_one_was()
    {
        var data = MogonetFolderLoader.Load(fixture.DataFolder);
        var without = new TrainingPipeline(Mlp(PatientGraphConstruction.WhenAnEncoderReadsIt)).Run(data);
        var with = new TrainingPipeline(Mlp(PatientGraphConstruction.Always)).Run(data);

        using var withoutJson = JsonDocument.Parse(MetricsReport.ToJson(without, Mlp(PatientGraphConstruction.WhenAnEncoderReadsIt), "data"));
        using var withJson = JsonDocument.Parse(MetricsReport.ToJson(with, Mlp(PatientGraphConstruction.Always), "data"));

        withoutJson.RootElement.GetProperty("graph").ValueKind.Should().Be(JsonValueKind.Null);
        withJson.RootElement.GetProperty("graph").GetProperty("components").GetInt32().Should().Be(with.Connectivity!.ComponentCount);
        withoutJson.RootElement.GetProperty("options").GetProperty("PatientGraph").GetString().Should().Be("WhenAnEncoderReadsIt");
    }

    [Fact]
    public void A_saved_mlp_model_without_a_graph_loads_and_predicts_the_same()
    {
        using var model = new TrainingPipeline(Mlp(PatientGraphConstruction.WhenAnEncoderReadsIt)) { KeepTrainedModel = true }
            .Run(MogonetFolderLoader.Load(fixture.DataFolder)).Model!;
        var folder = Path.Combine(fixture.Root, "edgeless-" + Guid.NewGuid().ToString("N"));
        model.Save(folder);

        using var loaded = TrainedPipeline.Load(folder);

        loaded.Graph.EdgeCount.Should().Be(0);
        loaded.Options.PatientGraph.Should().Be(PatientGraphConstruction.WhenAnEncoderReadsIt);
        loaded.Predict(fixture.NewModalities()).Probabilities.Should().BeEquivalentTo(model.Predict(fixture.NewModalities()).Probabilities, o => o.WithStrictOrdering());
    }

    [Fact]
    public void The_graphs_sample_floors_for_incomplete_samples_apply_only_when_the_graph_is_built()
    {
        // "b" on 8 of 90 samples (7 labelled rows and a test row): no more than Affinity.K = 8, so its graph affinity
        // cannot be computed; the MLP run needs no graph and only asks that every fold train and score "b".
        var data = SparseB();
        data.Modalities[1].AvailableCount.Should().Be(8);
        var options = Mlp(PatientGraphConstruction.Always);
        options.CrossFitFolds = 2;
        options.Training.EnableDistillation = false;

        FluentActions.Invoking(() => TrainingPipeline.Validate(options, data)).Should().Throw<ArgumentException>()
            .WithMessage("Modality 'b' is on 8 of 90 samples; with IncompleteSampleGraph = FuseAvailableModalities its affinity is computed over them and needs more than Affinity.K and Fusion.K = 8.*");
        options.PatientGraph = PatientGraphConstruction.WhenAnEncoderReadsIt;
        var act = () => TrainingPipeline.Validate(options, data);
        act.Should().NotThrow();

        var result = new TrainingPipeline(options).Run(data);

        var p = result.TestProbabilities;
        Enumerable.Range(0, p.GetLength(0)).Should().OnlyContain(i => double.IsFinite(p[i, 0]) && Math.Abs(p[i, 0] + p[i, 1] - 1) < 1e-6);
        result.HeadTestScores[2].Rows.Should().Be(1, "one test row has 'b'");
    }

    [Fact]
    public void An_mlp_model_keeps_saves_and_predicts_with_fewer_complete_samples_than_the_attach_rule_needs()
    {
        // "b" on 9 labelled rows: 9 complete samples of 90, no more than GraphNeighbours = 10 under the attach rule. The
        // MLP run builds no graph, so its model must not ask for one either (it failed after training, at --save).
        var full = TrainingPipelineOptionTests.Data();
        var having = new HashSet<int>(full.TrainIndices.Take(9));
        var data = IncompleteDatasets.WithMissingRows(full, 1, i => !having.Contains(i));
        var options = Mlp(PatientGraphConstruction.WhenAnEncoderReadsIt);
        options.CrossFitFolds = 2;
        options.IncompleteSampleGraph = IncompleteSampleGraph.AttachToCompleteSamples;
        options.GraphNeighbours = 10;
        options.Training.EnableDistillation = false;

        using var model = new TrainingPipeline(options) { KeepTrainedModel = true }.Run(data).Model!;
        var folder = Path.Combine(fixture.Root, "attach-mlp-" + Guid.NewGuid().ToString("N"));
        model.Save(folder);
        using var loaded = TrainedPipeline.Load(folder);

        var a = data.Modalities[0];
        var newSamples = new Modality?[] { a.SelectRows([0, 1, 2]), null };
        loaded.Predict(newSamples).Probabilities.Should().BeEquivalentTo(model.Predict(newSamples).Probabilities, o => o.WithStrictOrdering());
    }

    [Fact]
    public void The_fused_similarity_plot_is_left_out_with_a_note_when_the_samples_cannot_carry_the_graph()
    {
        var full = TrainingPipelineOptionTests.Data();
        var sparse = SparseB();
        var options = Mlp(PatientGraphConstruction.WhenAnEncoderReadsIt);
        options.CrossFitFolds = 2;
        options.Training.EnableDistillation = false;
        var result = new TrainingPipeline(options).Run(sparse);
        var folder = Path.Combine(fixture.Root, "plots-" + Guid.NewGuid().ToString("N"));

        var written = BalancedMultimodal.Cli.Plotting.TrainingPlots.WriteAll(result, sparse, options, folder);

        written.Select(Path.GetFileName).Should().Equal(BalancedMultimodal.Cli.Plotting.TrainingPlots.TrainingCurvesFile,
            BalancedMultimodal.Cli.Plotting.TrainingPlots.ModalityWeightsFile, BalancedMultimodal.Cli.Plotting.TrainingPlots.ConfusionMatrixFile);
        BalancedMultimodal.Cli.Plotting.TrainingPlots.SkippedPlotNote(sparse, options).Should()
            .StartWith("fused_similarity.png not written: the fused similarity cannot be computed for these samples (Modality 'b' is on 8 of 90 samples;");
        BalancedMultimodal.Cli.Plotting.TrainingPlots.SkippedPlotNote(full, options).Should().BeNull("complete data always carry the graph");
    }

    [Fact]
    public void An_undefined_value_is_refused_naming_the_option_and_the_graph_encoders_always_build_it()
    {
        var options = Mlp((PatientGraphConstruction)5);

        var act = () => TrainingPipeline.Validate(options, MogonetFolderLoader.Load(fixture.DataFolder));

        act.Should().Throw<ArgumentException>().WithMessage("*PatientGraph must be WhenAnEncoderReadsIt or Always, got 5.*");
        foreach (var kind in new[] { ModalityEncoderKind.RelationalGcn, ModalityEncoderKind.RelationalGcnAndMlp })
            TrainingPipeline.BuildsPatientGraph(new PipelineOptions { EncoderKind = kind }).Should().BeTrue($"{kind} reads the graph");
        TrainingPipeline.BuildsPatientGraph(new PipelineOptions()).Should().BeFalse("the default MLP encoder reads none");
    }
}
