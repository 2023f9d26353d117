using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary><see cref="IncompleteSampleGraph.FuseAvailableModalities"/>: SNF over every sample with the availability
/// masks, trained on where the complete samples are too few for the default graph, and attached to by new samples.</summary>
[Collection(Commands.SeededTrainingCollection.Name)]
public class FuseAvailableGraphTests
{
    private static PipelineOptions Options()
    {
        var options = TrainingPipelineOptionTests.Options();
        options.IncompleteSampleGraph.Should().Be(IncompleteSampleGraph.FuseAvailableModalities, "it is the default");
        return options;
    }

    /// <summary>The 90-sample option-test set with "b" missing on every third row.</summary>
    private static MultimodalDataset Partial(double placeholder = double.NaN) =>
        IncompleteDatasets.WithMissingRows(TrainingPipelineOptionTests.Data(), 1, i => i % 3 == 0, placeholder);

    /// <summary>"a" missing on the even rows, "b" on the odd ones, except rows 0, 18, 36, 54 and 72, which have both:
    /// five complete samples, not more than GraphNeighbours = 5.</summary>
    private static MultimodalDataset FewComplete()
    {
        var data = IncompleteDatasets.WithMissingRows(TrainingPipelineOptionTests.Data(), 0, i => i % 2 == 0 && i % 18 != 0);
        return IncompleteDatasets.WithMissingRows(data, 1, i => i % 2 == 1);
    }

    private static (Tensor[] Features, bool[]?[] Availability) Inputs(MultimodalDataset data)
    {
        var scaled = Standardizer.FitTransform(data);
        var features = Enumerable.Range(0, data.ModalityCount)
            .Select(m => ColumnMeanImputationOrSelf(scaled.ToTensor(m), scaled.Modalities[m])).ToArray();
        return (features, data.Modalities.Select(m => m.HasMissingRows ? m.Availability.ToArray() : null).ToArray());
    }

    private static Tensor ColumnMeanImputationOrSelf(Tensor x, Modality modality) =>
        modality.HasMissingRows ? BalancedMultimodal.Core.Data.ColumnMeanImputation.Apply(x, modality.Availability.ToArray(), modality.Name) : x;

    private static HashSet<(long, long)> Pairs(GraphRelation relation)
    {
        var s = relation.EdgeIndex[0].data<long>().ToArray();
        var t = relation.EdgeIndex[1].data<long>().ToArray();
        return s.Zip(t).ToHashSet();
    }

    [Fact]
    public void On_complete_data_the_graph_is_the_plain_patient_graph()
    {
        using var scope = NewDisposeScope();
        var (features, _) = Inputs(TrainingPipelineOptionTests.Data());

        using var plain = TrainingPipeline.BuildPatientGraph(features, Options());
        using var masked = TrainingPipeline.BuildPatientGraphOverAvailable(features, [null, null], Options());

        Pairs(masked.Relations[0]).Should().BeEquivalentTo(Pairs(plain.Relations[0]));
        masked.Relations[0].EdgeWeight!.allclose(plain.Relations[0].EdgeWeight!, rtol: 1e-10, atol: 1e-14).Should().BeTrue();
    }

    [Fact]
    public void The_graph_is_snf_over_every_sample_with_the_masks_and_a_modality_relation_links_only_samples_having_it()
    {
        using var scope = NewDisposeScope();
        var options = Options();
        options.ModalityGraphRelations = true;
        var (features, availability) = Inputs(Partial());
        var masks = availability.Select(a => a ?? Enumerable.Repeat(true, 90).ToArray()).ToArray();

        using var graph = TrainingPipeline.BuildPatientGraphOverAvailable(features, availability, options);

        // The fused relation: the top-k graph of SNF(affinities over the available samples), both with the masks.
        var affinities = new AffinityBuilder(options.Affinity).Build(features.Select(f => f.to(ScalarType.Float64)).ToArray(), masks);
        using var expected = new TopKGraphBuilder(options.GraphNeighbours).Build(new SimilarityNetworkFusion(options.Fusion).Fuse(affinities, masks), "fused");
        graph.Relations.Select(r => r.Name).Should().Equal("fused", "modality0", "modality1");
        Pairs(graph.Relations[0]).Should().BeEquivalentTo(Pairs(expected.Relations[0]));
        // Samples lacking "b" send and receive fused edges (the default graph only lets them receive).
        Pairs(graph.Relations[0]).Should().Contain(p => p.Item1 % 3 == 0 && p.Item2 % 3 != 0);
        // "b"'s relation joins only samples that have "b": the top-k graph of its affinity over them.
        Pairs(graph.Relations[2]).Should().OnlyContain(p => p.Item1 % 3 != 0 && p.Item2 % 3 != 0);
        var have = Enumerable.Range(0, 90).Where(i => i % 3 != 0).ToArray();
        var index = tensor(have.Select(i => (long)i).ToArray());
        using var block = new TopKGraphBuilder(options.GraphNeighbours).Build(affinities[1].index_select(0, index).index_select(1, index));
        Pairs(graph.Relations[2]).Should().BeEquivalentTo(Pairs(block.Relations[0]).Select(p => ((long)have[p.Item1], (long)have[p.Item2])));
        Pairs(graph.Relations[1]).Select(p => p.Item1).Distinct().Should().HaveCount(90, "every sample has 'a'");
    }

    [Fact]
    public void The_graph_never_reads_the_values_at_missing_rows()
    {
        using var scope = NewDisposeScope();
        var options = Options();
        options.ModalityGraphRelations = true;
        var data = Standardizer.FitTransform(Partial());
        var availability = new[] { null, data.Modalities[1].Availability.ToArray() };
        var a = data.ToTensor(0);
        var b = data.ToTensor(1);
        var missing = tensor(availability[1]!.Select(x => !x).ToArray()).unsqueeze(1);

        using var zero = TrainingPipeline.BuildPatientGraphOverAvailable([a, b.masked_fill(missing, 0.0)], availability, options);
        using var large = TrainingPipeline.BuildPatientGraphOverAvailable([a, b.masked_fill(missing, 1e6)], availability, options);

        for (int r = 0; r < 3; r++)
        {
            zero.Relations[r].EdgeIndex.shape.Should().Equal(large.Relations[r].EdgeIndex.shape);
            zero.Relations[r].EdgeIndex.eq(large.Relations[r].EdgeIndex).all().item<bool>().Should().BeTrue();
            zero.Relations[r].EdgeWeight!.eq(large.Relations[r].EdgeWeight!).all().item<bool>().Should().BeTrue();
        }
    }

    [Fact]
    public void Too_few_complete_samples_for_the_default_graph_are_trained_on_with_the_masked_graph()
    {
        var data = FewComplete();
        var attach = TrainingPipelineOptionTests.Options();
        attach.IncompleteSampleGraph = IncompleteSampleGraph.AttachToCompleteSamples;
        FluentActions.Invoking(() => TrainingPipeline.Validate(attach, data)).Should().Throw<ArgumentException>()
            .WithMessage("Only 5 of the 90 samples have every modality; *set IncompleteSampleGraph = FuseAvailableModalities*");

        var result = new TrainingPipeline(Options()).Run(data);

        var p = result.TestProbabilities;
        Enumerable.Range(0, p.GetLength(0)).Should().OnlyContain(i => double.IsFinite(p[i, 0]) && Math.Abs(p[i, 0] + p[i, 1] - 1) < 1e-6);
        result.Accuracy.Should().BeGreaterThan(0.6, "every sample has one informative modality");
    }

    [Fact]
    public void With_the_graph_free_encoder_the_graph_choice_changes_nothing()
    {
        var attach = TrainedPipelineFixture.MlpOptions(BalancedMultimodal.Distillation.Training.PredictionSource.AllHeadsValidationWeighted);
        attach.Training.PretrainingEpochs = attach.Training.JointEpochs = 20;
        attach.IncompleteSampleGraph = IncompleteSampleGraph.AttachToCompleteSamples;
        var fuse = TrainedPipelineFixture.MlpOptions(BalancedMultimodal.Distillation.Training.PredictionSource.AllHeadsValidationWeighted);
        fuse.Training.PretrainingEpochs = fuse.Training.JointEpochs = 20;
        // Both build their graph (an MLP run builds none by default), so that the two graphs do differ.
        attach.PatientGraph = fuse.PatientGraph = PatientGraphConstruction.Always;

        var one = new TrainingPipeline(attach).Run(Partial());
        var other = new TrainingPipeline(fuse).Run(Partial());

        other.TestProbabilities.Should().BeEquivalentTo(one.TestProbabilities, o => o.WithStrictOrdering());
        one.Connectivity.Should().NotBeEquivalentTo(other.Connectivity, "the two rules build different graphs, or this test could not fail");
    }

    [Fact]
    public void A_modality_on_too_few_samples_for_its_affinity_is_refused_before_any_work()
    {
        var options = Options();
        options.Affinity.K = 60;

        var act = () => TrainingPipeline.Validate(options, Partial());   // "b" on 60 of 90 samples

        act.Should().Throw<ArgumentException>().WithMessage(
            "Modality 'b' is on 60 of 90 samples; with IncompleteSampleGraph = FuseAvailableModalities its affinity is computed over them and needs more than Affinity.K = 60. Lower them, or leave the modality out.");
        options.Affinity.K = 8;
        options.GraphNeighbours = 60;
        FluentActions.Invoking(() => TrainingPipeline.Validate(options, Partial())).Should().Throw<ArgumentException>()
            .WithMessage("Modality 'b' is on 60 of 90 samples; * needs more than GraphNeighbours = 60.*");
        FluentActions.Invoking(() => BalancedMultimodal.Cli.Plotting.FusedSimilarityMatrix.Rows(Partial(), (IncompleteSampleGraph)7))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("IncompleteSampleGraph must be AttachToCompleteSamples or FuseAvailableModalities.*");
    }

    [Fact]
    public void An_unknown_graph_choice_is_refused_naming_the_option()
    {
        var options = Options();
        options.IncompleteSampleGraph = (IncompleteSampleGraph)7;

        var act = () => TrainingPipeline.Validate(options, Partial());

        act.Should().Throw<Exception>().WithMessage("*IncompleteSampleGraph must be AttachToCompleteSamples or FuseAvailableModalities, got 7.*");
    }

    [Fact]
    public void A_saved_model_attaches_new_samples_to_every_cohort_sample_and_predicts_as_in_memory()
    {
        var data = FewComplete();
        var result = new TrainingPipeline(Options()) { KeepTrainedModel = true }.Run(data);
        using var model = result.Model!;
        var folder = Path.Combine(Path.GetTempPath(), "bmm-fuse-available-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(folder);
            using var loaded = TrainedPipeline.Load(folder);
            loaded.Options.IncompleteSampleGraph.Should().Be(IncompleteSampleGraph.FuseAvailableModalities);

            // Rows 1-6 again: "a" on the odd ones, "b" on the even ones (as in the data).
            var a = data.Modalities[0];
            var b = data.Modalities[1];
            var aNew = new Modality(a.Name, Rows(a, 1, 6, i => i % 2 == 1), availability: Enumerable.Range(1, 6).Select(i => i % 2 == 1).ToArray());
            var bNew = new Modality(b.Name, Rows(b, 1, 6, i => i % 2 == 0), availability: Enumerable.Range(1, 6).Select(i => i % 2 == 0).ToArray());
            var fromMemory = model.Predict([aNew, bNew]);
            var fromDisk = loaded.Predict([aNew, bNew]);

            fromDisk.Probabilities.Should().BeEquivalentTo(fromMemory.Probabilities, o => o.WithStrictOrdering());
            Enumerable.Range(0, 6).Should().OnlyContain(i => double.IsFinite(fromMemory.Probabilities[i, 0]));

            // Format 4: a format-3 reader would attach new samples to the five complete samples only.
            System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!["FormatVersion"]!.GetValue<int>().Should().Be(4);
            ModelFolderEdit.EditJson(folder, "manifest.json", manifest => manifest["FormatVersion"] = 3);
            FluentActions.Invoking(() => TrainedPipeline.Load(folder)).Should().Throw<InvalidDataException>()
                .WithMessage("cohort_availability.json: a cohort trained on incomplete samples with IncompleteSampleGraph = FuseAvailableModalities needs format version 4, manifest.json says 3.");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Prediction_attaches_new_samples_with_the_cohorts_availability()
    {
        var data = FewComplete();
        var result = new TrainingPipeline(Options()) { KeepTrainedModel = true }.Run(data);
        using var model = result.Model!;
        using var scope = NewDisposeScope();
        // New samples: cohort rows 1-4 again ("a" on the odd rows, "b" on the even ones), as model inputs.
        var rows = tensor(new long[] { 1, 2, 3, 4 });
        var features = model.CohortFeatures.Select(f => f.index_select(0, rows)).ToArray();
        bool[][] available = [[true, false, true, false], [false, true, false, true]];

        using var union = model.AttachToCohort(features, available);
        using var expected = InductiveGraph.Attach(model.Graph, model.CohortFeatures, features, available, model.Options.Affinity,
            model.Options.GraphNeighbours, null, model.CohortAvailability);
        using var withoutAvailability = InductiveGraph.Attach(model.Graph, model.CohortFeatures, features, available, model.Options.Affinity,
            model.Options.GraphNeighbours);

        Pairs(union.Relations[0]).Should().BeEquivalentTo(Pairs(expected.Relations[0]));
        union.Relations[0].EdgeWeight!.eq(expected.Relations[0].EdgeWeight!).all().item<bool>().Should().BeTrue();
        // The control: ignoring which cohort samples lack a modality attaches them elsewhere.
        Pairs(withoutAvailability.Relations[0]).Should().NotBeEquivalentTo(Pairs(expected.Relations[0]));
        // Each new sample receives edges only from cohort samples sharing its modality.
        var cohortHasA = data.Modalities[0];
        Pairs(union.Relations[0]).Where(p => p.Item2 >= 90).Should().OnlyContain(p =>
            (p.Item2 - 90) % 2 == 0 ? cohortHasA.IsAvailable((int)p.Item1) : data.Modalities[1].IsAvailable((int)p.Item1));
    }

    [Fact]
    public void The_fused_similarity_plot_covers_every_sample()
    {
        var data = Partial();

        var fused = BalancedMultimodal.Cli.Plotting.FusedSimilarityMatrix.Compute(data, Options());

        BalancedMultimodal.Cli.Plotting.FusedSimilarityMatrix.Rows(data, IncompleteSampleGraph.FuseAvailableModalities).Should().Equal(Enumerable.Range(0, 90));
        fused.GetLength(0).Should().Be(90);
        Enumerable.Range(0, 90).Should().OnlyContain(i => double.IsFinite(fused[i, i]) && fused[i, i] > 0);
    }

    /// <summary>Rows <paramref name="offset"/>.. of a modality; a row where <paramref name="has"/> is false holds NaN.</summary>
    private static double[,] Rows(Modality modality, int offset, int count, Func<int, bool> has)
    {
        var values = new double[count, modality.FeatureCount];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < modality.FeatureCount; j++)
                values[i, j] = has(offset + i) ? modality[offset + i, j] : double.NaN;
        return values;
    }
}
