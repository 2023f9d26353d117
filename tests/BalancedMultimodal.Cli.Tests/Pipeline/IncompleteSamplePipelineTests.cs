using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>The pipeline on samples that lack a modality: trained on, scored, never read at the missing rows, and
/// refused before any work where it cannot run.</summary>
[Collection(Commands.SeededTrainingCollection.Name)]
public class IncompleteSamplePipelineTests
{
    /// <summary>The option tests' 90-sample set with modality "b" missing on every row where <paramref name="missing"/>
    /// holds, its values there set to <paramref name="placeholder"/>.</summary>
    private static MultimodalDataset Partial(Func<int, bool>? missing = null, double placeholder = double.NaN) =>
        IncompleteDatasets.WithMissingRows(TrainingPipelineOptionTests.Data(), 1, missing ?? (i => i % 7 == 0), placeholder);

    /// <summary>The option tests' options with the twenty-second session's graph rule, <see cref="IncompleteSampleGraph.AttachToCompleteSamples"/>.</summary>
    private static PipelineOptions AttachOptions()
    {
        var options = TrainingPipelineOptionTests.Options();
        options.IncompleteSampleGraph = IncompleteSampleGraph.AttachToCompleteSamples;
        return options;
    }

    [Fact]
    public void Samples_lacking_a_modality_are_trained_on_and_scored()
    {
        var data = Partial();
        var result = new TrainingPipeline(TrainingPipelineOptionTests.Options()).Run(data);

        result.TestRows.Should().Equal(data.TestIndices);
        var p = result.TestProbabilities;
        Enumerable.Range(0, p.GetLength(0)).Should().OnlyContain(i => double.IsFinite(p[i, 0]) && Math.Abs(p[i, 0] + p[i, 1] - 1) < 1e-6);
        // "a" alone separates the classes (signal 1.5), so the rows lacking "b" are predicted too.
        var lacking = data.TestIndices.Select((row, k) => (row, k)).Where(t => t.row % 7 == 0).ToArray();
        lacking.Should().NotBeEmpty();
        lacking.Count(t => result.TestPredictions[t.k] == data.Labels[t.row]).Should().BeGreaterThan(lacking.Length / 2);
        result.Accuracy.Should().BeGreaterThan(0.75);
        // Each head alone: the fused head on every test row, "b"'s head on the test rows that have "b".
        result.HeadTestScores.Select(h => h.Rows).Should().Equal(data.TestIndices.Length, data.TestIndices.Length, data.TestIndices.Length - lacking.Length);
    }

    [Fact]
    public void A_modality_lacking_on_every_test_row_has_no_test_score_of_its_own()
    {
        var data = Partial(i => i % 7 == 0 || Array.IndexOf(TrainingPipelineOptionTests.Data().TestIndices, i) >= 0);

        var result = new TrainingPipeline(TrainingPipelineOptionTests.Options()).Run(data);

        var b = result.HeadTestScores[2];
        (b.Rows, b.Accuracy, b.MacroF1, b.Auc).Should().Be((0, (double?)null, (double?)null, (double?)null));
        result.HeadTestScores[0].Accuracy.Should().BeGreaterThan(0.5, "the fused head scores every test row");
    }

    [Fact]
    public void The_values_at_missing_rows_are_never_read()
    {
        var withNaN = new TrainingPipeline(TrainingPipelineOptionTests.Options()).Run(Partial(placeholder: double.NaN));
        var withLarge = new TrainingPipeline(TrainingPipelineOptionTests.Options()).Run(Partial(placeholder: 1e6));

        withNaN.TestProbabilities.Should().BeEquivalentTo(withLarge.TestProbabilities, o => o.WithStrictOrdering());
        withNaN.OutOfFoldMacroF1.Should().Be(withLarge.OutOfFoldMacroF1);
    }

    [Theory]
    [InlineData(AutoencoderFitRows.Training)]
    [InlineData(AutoencoderFitRows.All)]
    public void The_autoencoder_trains_on_incomplete_samples_with_either_fit_rows_choice(AutoencoderFitRows fitRows)
    {
        var options = TrainingPipelineOptionTests.Options();
        options.UseAutoencoder = true;
        options.Autoencoder.LatentDim = 4;
        options.Autoencoder.Epochs = 20;
        options.Autoencoder.FitRows = fitRows;

        var result = new TrainingPipeline(options).Run(Partial());

        // The autoencoder refuses non-finite input: the missing rows reach it imputed, and finite codes come out.
        var p = result.TestProbabilities;
        Enumerable.Range(0, p.GetLength(0)).Should().OnlyContain(i => double.IsFinite(p[i, 0]));
        result.Accuracy.Should().BeGreaterThan(0.6);
        options.Autoencoder.FitRows.Should().Be(fitRows, "the caller's options are not changed");
    }

    [Fact]
    public void The_relational_gcn_encoder_trains_on_the_incomplete_graph()
    {
        var options = TrainingPipelineOptionTests.Options();
        options.EncoderKind = ModalityEncoderKind.RelationalGcn;

        var result = new TrainingPipeline(options).Run(Partial());

        result.Accuracy.Should().BeGreaterThan(0.6);
        result.Connectivity!.ComponentCount.Should().BeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public void A_model_trained_on_incomplete_samples_is_saved_loaded_and_predicts_as_in_memory()
    {
        var data = Partial();
        var result = new TrainingPipeline(TrainingPipelineOptionTests.Options()) { KeepTrainedModel = true }.Run(data);
        using var model = result.Model!;
        model.CohortAvailability[0].Should().BeNull();
        model.CohortAvailability[1]!.Select((a, i) => (a, i)).Where(t => !t.a).Select(t => t.i).Should().Equal(Enumerable.Range(0, 90).Where(i => i % 7 == 0));
        // The saved cohort holds the imputed inputs, never the NaN placeholders.
        model.CohortFeatures[1].isnan().any().item<bool>().Should().BeFalse();

        var folder = Path.Combine(Path.GetTempPath(), "bmm-incomplete-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(folder);
            File.Exists(Path.Combine(folder, "cohort_availability.json")).Should().BeTrue();
            using var loaded = TrainedPipeline.Load(folder);
            loaded.CohortAvailability[1].Should().Equal(model.CohortAvailability[1]);

            // New samples: the first 6 rows again, rows 0 (missing in the data too), 1 and 3 lacking "b".
            var a = data.Modalities[0];
            var b = data.Modalities[1];
            var aNew = new Modality(a.Name, Rows(a, 6));
            var bNew = new Modality(b.Name, Rows(b, 6, i => i is 0 or 1 or 3 ? double.NaN : null), availability: [false, false, true, false, true, true]);
            var fromMemory = model.Predict([aNew, bNew]);
            var fromDisk = loaded.Predict([aNew, bNew]);
            fromDisk.Probabilities.Should().BeEquivalentTo(fromMemory.Probabilities, o => o.WithStrictOrdering());
            Enumerable.Range(0, 6).Should().OnlyContain(i => double.IsFinite(fromMemory.Probabilities[i, 0]));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_saved_model_predicts_an_incomplete_sample_as_training_scored_it()
    {
        // A test row lacking "b", predicted again by the saved model, gets the input and the graph neighbourhood training
        // gave it (the cohort's mean input, incoming edges from its k most similar complete samples), so the same
        // probabilities (the twenty-second session's graph rule; the default's transductive SNF neighbourhood differs).
        var data = Partial();
        var result = new TrainingPipeline(AttachOptions()) { KeepTrainedModel = true }.Run(data);
        using var model = result.Model!;
        int k = Array.FindIndex(data.TestIndices, r => r % 7 == 0);
        int row = data.TestIndices[k];
        var a = data.Modalities[0];
        var aNew = new Modality(a.Name, Rows(a, 1, _ => null, offset: row));
        var predicted = model.Predict([aNew, null]);   // "b" missing altogether

        predicted.Probabilities[0, 0].Should().BeApproximately(result.TestProbabilities[k, 0], 1e-5);
        predicted.Probabilities[0, 1].Should().BeApproximately(result.TestProbabilities[k, 1], 1e-5);
    }

    [Fact]
    public void A_folder_saved_before_the_graph_rule_option_existed_loads_with_the_rule_it_was_trained_with()
    {
        // A format-3 folder of the twenty-second session: trained by the attach rule, its options.json without the key.
        var data = Partial();
        var result = new TrainingPipeline(AttachOptions()) { KeepTrainedModel = true }.Run(data);
        using var model = result.Model!;
        var folder = Path.Combine(Path.GetTempPath(), "bmm-format3-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(folder);
            ModelFolderEdit.EditJson(folder, "options.json", options => options.AsObject().Remove(nameof(PipelineOptions.IncompleteSampleGraph)).Should().BeTrue());
            System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!["FormatVersion"]!.GetValue<int>().Should().Be(3);

            using var loaded = TrainedPipeline.Load(folder);

            loaded.Options.IncompleteSampleGraph.Should().Be(IncompleteSampleGraph.AttachToCompleteSamples);
            var a = data.Modalities[0];
            var aNew = new Modality(a.Name, Rows(a, 3, _ => null, offset: 7));
            loaded.Predict([aNew, null]).Probabilities.Should().BeEquivalentTo(model.Predict([aNew, null]).Probabilities, o => o.WithStrictOrdering());
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_fused_similarity_plot_covers_the_complete_samples_under_the_attach_rule()
    {
        var data = Partial();

        var fused = BalancedMultimodal.Cli.Plotting.FusedSimilarityMatrix.Compute(data, AttachOptions());

        var rows = BalancedMultimodal.Cli.Plotting.FusedSimilarityMatrix.Rows(data, IncompleteSampleGraph.AttachToCompleteSamples);
        rows.Should().Equal(Enumerable.Range(0, 90).Where(i => i % 7 != 0));
        fused.GetLength(0).Should().Be(rows.Length);
        fused.Cast<double>().Should().OnlyContain(v => double.IsFinite(v));
    }

    [Fact]
    public void Under_the_complementarity_criterion_a_modality_whose_fold_validation_rows_hold_one_class_is_refused_before_any_work()
    {
        var options = TrainingPipelineOptionTests.Options();
        options.Training.EnableDistillation = true;
        options.Training.Assessment.RequireComplementarity = true;
        var complete = TrainingPipelineOptionTests.Data();
        var test = complete.TestIndices.ToHashSet();

        // "b" missing on every labelled sample of class 1.
        var act = () => TrainingPipeline.Validate(options, Partial(i => complete.Labels[i] == 1 && !test.Contains(i)));

        act.Should().Throw<ArgumentException>().WithMessage("Fold *: modality 'b' has validation rows of class 0 only; with Training.Assessment.RequireComplementarity*");
    }

    [Fact]
    public void Under_the_complementarity_criterion_a_fold_whose_validation_rows_hold_every_class_once_is_refused_before_any_work()
    {
        // Four classes of 10 labelled samples in 10 folds: every fold validates on one sample of each class, which the
        // continuous-discrete label estimator cannot use (it drops classes seen once); the first fold failed after training.
        var dataset = new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions
        {
            SampleCount = 50, ClassProportions = [0.25, 0.25, 0.25, 0.25], ValidationFraction = 0, TestFraction = 0.2, Seed = 3,
        }).Generate();
        var options = TrainingPipelineOptionTests.Options();
        options.CrossFitFolds = 10;
        options.Training.EnableDistillation = true;
        options.Training.Assessment.RequireComplementarity = true;

        var act = () => TrainingPipeline.Validate(options, dataset);

        act.Should().Throw<ArgumentException>().WithMessage("Fold *'s 4 validation rows hold every class once; with Training.Assessment.RequireComplementarity*")
            .Which.Message.Should().NotContain("modality", "complete data: every modality has these rows");
    }

    [Fact]
    public void Folds_with_too_few_rows_shared_by_a_pair_for_the_distillation_gate_are_refused_before_any_work()
    {
        var options = TrainingPipelineOptionTests.Options();
        options.Training.EnableDistillation = true;
        options.Training.Assessment.RequireComplementarity = true;
        // Samples having both modalities: rows 0-8 only (more than Affinity.K = 8); each of the two folds validates on about three.
        var act = () => TrainingPipeline.Validate(options, Partial(i => i >= 9));

        act.Should().Throw<ArgumentException>().WithMessage("Fold * has * validation row(s) having both 'a' and 'b'; the distillation gate compares each pair of modalities on such rows and needs at least *");
    }

    [Fact]
    public void An_autoencoder_without_two_labelled_rows_of_a_modality_is_refused_before_any_work()
    {
        var options = TrainingPipelineOptionTests.Options();
        options.UseAutoencoder = true;
        var data = TrainingPipelineOptionTests.Data();
        var labelled = data.TrainIndices.Concat(data.ValidationIndices).ToHashSet();
        int keep = data.TrainIndices[0];

        var act = () => TrainingPipeline.Validate(options, Partial(i => labelled.Contains(i) && i != keep));

        act.Should().Throw<ArgumentException>().WithMessage("*'b'*");
    }

    /// <summary>The <paramref name="count"/> rows of a modality from <paramref name="offset"/> on, a row's values replaced
    /// by <paramref name="replace"/>'s value where it returns one.</summary>
    private static double[,] Rows(Modality modality, int count, Func<int, double?>? replace = null, int offset = 0)
    {
        var values = new double[count, modality.FeatureCount];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < modality.FeatureCount; j++)
                values[i, j] = replace?.Invoke(i) ?? modality[offset + i, j];
        return values;
    }

    [Fact]
    public void A_fold_without_the_modality_on_its_validation_or_training_rows_is_refused_before_any_work()
    {
        // "b" only on the test rows and on one labelled row: some fold trains or scores without it.
        var data = TrainingPipelineOptionTests.Data();
        int keep = data.TrainIndices[0];
        var test = new HashSet<int>(data.TestIndices);

        var act = () => TrainingPipeline.Validate(TrainingPipelineOptionTests.Options(), Partial(i => !test.Contains(i) && i != keep));

        act.Should().Throw<ArgumentException>().WithMessage("Modality 'b' is missing on every * row of fold *. It is on 1 labelled row(s); use fewer folds (CrossFitFolds; 1 carves one validation split), or leave the modality out.");
    }

    [Fact]
    public void Too_few_complete_samples_for_the_attach_rule_graph_are_refused_before_any_work()
    {
        var options = AttachOptions();
        options.GraphNeighbours = 10;

        // Complete samples: rows 0, 9, 18, ..., 81 (10 of them), not more than k = 10.
        var act = () => TrainingPipeline.Validate(options, Partial(i => i % 9 != 0));

        act.Should().Throw<ArgumentException>().WithMessage("Only 10 of the 90 samples have every modality; the patient graph is fused over them and needs more than GraphNeighbours = 10. Lower GraphNeighbours, set IncompleteSampleGraph = FuseAvailableModalities, or leave out the modality measured on the fewest samples ('b', on 10 of 90 samples).");
    }

    [Fact]
    public void Too_few_complete_samples_for_the_attach_rule_fusion_are_refused_before_any_work()
    {
        // GraphNeighbours = 5 and Affinity.K = 8 fit the 10 complete samples, SNF's K = 12 does not (it failed in SNF,
        // after the scaling, naming "modality 0").
        var options = AttachOptions();
        options.Fusion.K = 12;

        var act = () => TrainingPipeline.Validate(options, Partial(i => i % 9 != 0));

        act.Should().Throw<ArgumentException>().WithMessage("Only 10 of the 90 samples have every modality; the patient graph is fused (SNF) over them and needs more than Fusion.K = 12. Lower Fusion.K, set IncompleteSampleGraph = FuseAvailableModalities, or leave out the modality measured on the fewest samples ('b', on 10 of 90 samples).");
    }

    [Fact]
    public void The_incomplete_graph_fuses_the_complete_samples_and_attaches_each_other_one_to_k_of_them()
    {
        var options = TrainingPipelineOptionTests.Options();
        var data = Standardizer.FitTransform(Partial());
        using var scope = NewDisposeScope();
        var features = Enumerable.Range(0, 2).Select(m => data.ToTensor(m)).ToArray();
        var availability = new[] { null, data.Modalities[1].Availability.ToArray() };
        using var graph = TrainingPipeline.BuildIncompletePatientGraph(features, availability, options);

        graph.NodeCount.Should().Be(90);
        var edges = graph.Relations[0].EdgeIndex;
        var sources = edges[0].data<long>().ToArray();
        var targets = edges[1].data<long>().ToArray();
        int k = options.GraphNeighbours;
        for (int row = 0; row < 90; row += 7)
        {
            var incoming = Enumerable.Range(0, targets.Length).Where(e => targets[e] == row).Select(e => sources[e]).ToArray();
            incoming.Should().HaveCount(k, $"row {row} lacks 'b' and is attached to k complete samples");
            incoming.Should().OnlyContain(s => s % 7 != 0, "only complete samples send edges to an incomplete one");
        }
        Enumerable.Range(0, sources.Length).Where(e => sources[e] % 7 == 0).Should().BeEmpty("an incomplete sample sends no edge");

        // Among the complete samples, the graph is the one fused over them alone (ids mapped back to the rows).
        var complete = Enumerable.Range(0, 90).Where(i => i % 7 != 0).ToArray();
        var completeIndex = tensor(complete.Select(i => (long)i).ToArray());
        using var alone = TrainingPipeline.BuildPatientGraph(features.Select(f => f.index_select(0, completeIndex)).ToArray(), options);
        var expected = Pairs(alone.Relations[0].EdgeIndex).Select(p => (complete[p.Source], complete[p.Target])).ToHashSet();
        var actual = Pairs(edges).Where(p => p.Target % 7 != 0).Select(p => ((int)p.Source, (int)p.Target)).ToHashSet();
        actual.Should().BeEquivalentTo(expected);
    }

    private static IEnumerable<(long Source, long Target)> Pairs(Tensor edgeIndex)
    {
        var s = edgeIndex[0].data<long>().ToArray();
        var t = edgeIndex[1].data<long>().ToArray();
        return s.Zip(t);
    }
}
