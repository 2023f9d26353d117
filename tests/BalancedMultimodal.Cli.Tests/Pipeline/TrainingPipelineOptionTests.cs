using System.Text.Json;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>The pipeline defaults, and the encoder kind and repeated cross-fitting options of <see cref="TrainingPipeline"/> on a tiny separable set.</summary>
public class TrainingPipelineOptionTests
{
    /// <summary>By default 90 samples, two small separable modalities (12 and 10 features), 30 % test rows (also used by
    /// <see cref="FittedScalingTests"/> and, with weaker signals, by <see cref="EncoderSelectionTests"/>).</summary>
    internal static MultimodalDataset Data(int sampleCount = 90, (int Informative, double Signal) a = default, (int Informative, double Signal) b = default, int seed = 4,
        double[]? classProportions = null, double testFraction = 0.3) =>
        new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions
        {
            SampleCount = sampleCount,
            ClassProportions = classProportions ?? [0.5, 0.5],
            Modalities =
            [
                new SyntheticModalityOptions { Name = "a", FeatureCount = 12, InformativeFeatureCount = a == default ? 6 : a.Informative, SignalStrength = a == default ? 1.5 : a.Signal },
                new SyntheticModalityOptions { Name = "b", FeatureCount = 10, InformativeFeatureCount = b == default ? 5 : b.Informative, SignalStrength = b == default ? 1.0 : b.Signal },
            ],
            ValidationFraction = 0.0,
            TestFraction = testFraction,
            Seed = seed,
        }).Generate();

    /// <summary>The fixture's options with distillation off and 20 epochs per phase: a run of a few hundred milliseconds.</summary>
    internal static PipelineOptions Options()
    {
        var options = TrainedPipelineFixture.Options();
        options.Training.EnableDistillation = false;
        options.Training.PretrainingEpochs = options.Training.JointEpochs = 20;
        return options;
    }

    [Fact]
    public void The_fold_model_count_counts_every_fold_model_and_doubles_only_when_an_encoder_slope_is_selected()
    {
        var data = Data();
        var options = new PipelineOptions { CrossFitFolds = 5, CrossFitRepeats = 2 };
        new TrainingPipeline(options).FoldModelCount(data).Should().Be(20, "the default trains the linear and the nonlinear encoder");

        options.MlpEncoder.AlternativeNegativeSlope = null;
        new TrainingPipeline(options).FoldModelCount(data).Should().Be(10);

        options.MlpEncoder.AlternativeNegativeSlope = options.MlpEncoder.NegativeSlope;
        new TrainingPipeline(options).FoldModelCount(data).Should().Be(10, "an alternative equal to the primary slope trains nothing more");

        options.MlpEncoder.AlternativeNegativeSlope = 0.25;
        options.EncoderKind = ModalityEncoderKind.RelationalGcn;
        new TrainingPipeline(options).FoldModelCount(data).Should().Be(10, "the slope belongs to the MLP encoder, which a relational GCN run does not use");

        options.CrossFitFolds = 1;
        new TrainingPipeline(options).FoldModelCount(data).Should().Be(2, "one carved validation split per repeat");
        var withValidationRows = StratifiedSplitter.SplitDataset(data, validationFraction: 0.2, testFraction: 0.3, seed: 0);
        withValidationRows.ValidationIndices.Should().NotBeEmpty();
        new TrainingPipeline(options).FoldModelCount(withValidationRows).Should().Be(1, "the data's own validation rows make the only fold, whatever the repeats");
    }

    [Fact]
    public void Pipeline_defaults_are_the_choices_documented_in_results_md()
    {
        var options = new PipelineOptions();

        options.EncoderKind.Should().Be(ModalityEncoderKind.Mlp);
        options.MlpEncoder.HiddenSizes.Should().Equal(32);
        options.MlpEncoder.Dropout.Should().Be(0.2);
        options.MlpEncoder.NegativeSlope.Should().Be(1.0, "linear encoders (twelfth session)");
        options.MlpEncoder.AlternativeNegativeSlope.Should().Be(0.25, "MOGONET's slope, kept when validation prefers it");
        options.MlpEncoder.SelectionMargin.Should().Be(0.01);
        options.CrossFitFolds.Should().Be(5);
        options.CrossFitRepeats.Should().Be(2);
        options.Training.Prediction.Should().Be(PredictionSource.AllHeadsValidationWeighted);
        options.Training.PoolingWeightShrinkage.Should().Be(0.5);
        options.Training.PoolingRule.Should().Be(HeadPoolingRule.InformationGain, "checkpoints are still chosen with the gain weights");
        options.Training.FinalPoolingRule.Should().Be(HeadPoolingRule.ValidationEvidence, "the final prediction is re-pooled by the evidence rule (eighteenth session)");
        options.Training.WeightDecay.Should().Be(1e-2);
        options.Training.InputWeightDecayWidthExponent.Should().Be(0.5, "width-scaled first-layer decay (fourteenth session)");
        options.Training.InputWeightDecayReferenceWidth.Should().Be(200);
        var library = new BalancedTrainingOptions();
        library.PoolingWeightShrinkage.Should().Be(0, "the library keeps the pure gain rule");
        library.FinalPoolingRule.Should().BeNull("the library returns the checkpoint's own weights unless asked");
        library.Prediction.Should().Be(PredictionSource.FusedHead, "the library keeps METHOD.md's fused head");
        library.WeightDecay.Should().Be(1e-3, "only the pipeline's default changed");
        library.InputWeightDecayWidthExponent.Should().Be(0, "the library decays every parameter alike unless asked");
    }

    [Fact]
    public void The_mlp_encoder_kind_trains_mlp_encoders_of_the_configured_width()
    {
        var options = Options();
        options.EncoderKind = ModalityEncoderKind.Mlp;
        options.MlpEncoder.HiddenSizes = [8];

        var result = new TrainingPipeline(options) { KeepTrainedModel = true }.Run(Data());
        using var model = result.Model!;

        model.Folds.Should().HaveCount(2);
        foreach (var fold in model.Folds)
            for (int m = 0; m < 2; m++)
            {
                fold.Network.Encoder(m).Should().BeOfType<MlpEncoder>();
                fold.Network.Encoder(m).EmbeddingDim.Should().Be(8);
            }
        result.Accuracy.Should().BeGreaterThan(0.7);
    }

    [Fact]
    public void A_kept_model_holds_its_own_copy_of_the_options_so_reusing_the_callers_object_changes_nothing()
    {
        var options = Options();
        options.EncoderKind = ModalityEncoderKind.Mlp;
        options.MlpEncoder.HiddenSizes = [8];
        options.MlpEncoder.AlternativeNegativeSlope = null;   // one run, no encoder selection (which trains on copies)
        var result = new TrainingPipeline(options) { KeepTrainedModel = true }.Run(Data());
        using var model = result.Model!;
        string trainedWith = JsonSerializer.Serialize(model.Options);

        // The caller reuses the object for another run: the model had shared it, so its options, its predictions and
        // its saved folder changed with it (a folder whose options.json no longer fits its weights).
        options.MlpEncoder.HiddenSizes = [16];
        options.Training.Prediction = PredictionSource.FusedHead;
        options.GraphNeighbours += 1;

        model.Options.Should().NotBeSameAs(options);
        JsonSerializer.Serialize(model.Options).Should().Be(trainedWith);
        string folder = Path.Combine(Path.GetTempPath(), "bmm-own-options-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(folder);
            using var loaded = TrainedPipeline.Load(folder);
            JsonSerializer.Serialize(loaded.Options).Should().Be(trainedWith);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Repeated_cross_fitting_trains_one_model_per_fold_and_repeat_and_scores_every_labelled_row()
    {
        var options = Options();
        options.CrossFitRepeats = 2;
        var data = Data();

        var result = new TrainingPipeline(options) { KeepTrainedModel = true }.Run(data);
        using var model = result.Model!;

        result.Folds.Select(f => f.Fold).Should().Equal(0, 1, 2, 3);
        var labelled = data.TrainIndices.Concat(data.ValidationIndices).Order().ToArray();
        result.Folds.Take(2).SelectMany(f => f.ValidationRows).Order().Should().Equal(labelled, "each repeat's folds partition the labelled rows");
        result.Folds.Skip(2).SelectMany(f => f.ValidationRows).Order().Should().Equal(labelled);
        result.Folds[0].ValidationRows.Should().NotEqual(result.Folds[2].ValidationRows, "the second repeat draws another split");
        model.Folds.Should().HaveCount(4);

        // Every labelled row is scored by the mean of the two fold models (one per repeat) that validated on it, and the
        // out-of-fold metrics are those of these probabilities.
        result.OutOfFoldRows.Should().Equal(labelled);
        var position = labelled.Select((row, i) => (row, i)).ToDictionary(p => p.row, p => p.i);
        var expected = new double[labelled.Length, data.ClassCount];
        foreach (var fold in result.Folds)
        {
            fold.ValidationProbabilities.Should().NotBeNull();
            fold.ValidationProbabilities!.GetLength(0).Should().Be(fold.ValidationRows.Count);
            for (int i = 0; i < fold.ValidationRows.Count; i++)
                for (int c = 0; c < data.ClassCount; c++)
                    expected[position[fold.ValidationRows[i]], c] += fold.ValidationProbabilities[i, c] / 2;
        }
        for (int i = 0; i < labelled.Length; i++)
            for (int c = 0; c < data.ClassCount; c++)
                result.OutOfFoldProbabilities![i, c].Should().BeApproximately(expected[i, c], 1e-15);
        var labels = labelled.Select(r => data.Labels[r]).ToArray();
        var predicted = ClassificationMetrics.ArgMax(expected);
        result.OutOfFoldMacroF1.Should().BeApproximately(ClassificationMetrics.MacroF1(labels, predicted), 1e-12);
        result.OutOfFoldAuc!.Value.Should().BeApproximately(
            RocAuc.Binary(labels, Enumerable.Range(0, labels.Length).Select(i => expected[i, 1]).ToArray()), 1e-12);
        result.OutOfFoldLogLoss!.Value.Should().BeApproximately(
            -Enumerable.Range(0, labels.Length).Average(i => Math.Log(Math.Max(expected[i, labels[i]], 1e-12))), 1e-12);
    }

    [Fact]
    public void The_test_metrics_are_those_of_the_fold_averaged_test_probabilities()
    {
        var data = Data(classProportions: [0.7, 0.3], a: (3, 0.6), b: (2, 0.5));

        var result = new TrainingPipeline(Options()).Run(data);

        result.TestRows.Should().Equal(data.TestIndices);
        result.TestLabels.Should().Equal(data.TestIndices.Select(r => data.Labels[r]));
        result.TestPredictions.Should().Equal(ClassificationMetrics.ArgMax(result.TestProbabilities));
        result.Accuracy.Should().Be(ClassificationMetrics.Accuracy(result.TestLabels, result.TestPredictions));
        result.MacroF1.Should().Be(ClassificationMetrics.MacroF1(result.TestLabels, result.TestPredictions));
        result.WeightedF1.Should().Be(ClassificationMetrics.WeightedF1(result.TestLabels, result.TestPredictions));
        result.Auc!.Value.Should().Be(RocAuc.Binary(result.TestLabels,
            Enumerable.Range(0, result.TestRows.Count).Select(i => result.TestProbabilities[i, 1]).ToArray()));
        result.MacroF1.Should().NotBe(result.WeightedF1, "the classes' test supports differ, so a macro / weighted mix-up would show");
    }

    /// <summary><see cref="Options"/> with three folds on weak data (so that some fold scores below 1).</summary>
    private static (MultimodalDataset Data, PipelineOptions Options) ThreeWeakFolds(PredictionSource source)
    {
        var options = Options();
        options.CrossFitFolds = 3;
        options.Training.Prediction = source;
        options.Training.FinalPoolingRule = null;
        return (Data(a: (3, 0.6), b: (2, 0.5)), options);
    }

    [Theory]
    [InlineData(PredictionSource.FusedHead)]
    [InlineData(PredictionSource.AllHeadsValidationWeighted)]
    public void Each_folds_out_of_fold_probabilities_are_its_own_models_final_prediction_on_its_validation_rows(PredictionSource source)
    {
        var (data, options) = ThreeWeakFolds(source);

        var result = new TrainingPipeline(options).Run(data);

        result.Folds.Should().HaveCount(3);
        result.Folds.Should().Contain(f => f.FusedValidationScore < 1, "a perfect fold would score 1 from any model that saw its rows");
        foreach (var fold in result.Folds)
        {
            var labels = fold.ValidationRows.Select(r => data.Labels[r]).ToArray();
            ClassificationMetrics.MacroF1(labels, ClassificationMetrics.ArgMax(fold.ValidationProbabilities!)).Should().Be(fold.FusedValidationScore,
                $"fold {fold.Fold}'s held-out probabilities are the prediction its checkpoint was scored with");
        }
    }

    [Fact]
    public void The_pooling_weights_are_the_mean_of_the_folds_weights()
    {
        var (data, options) = ThreeWeakFolds(PredictionSource.AllHeadsValidationWeighted);

        var result = new TrainingPipeline(options).Run(data);

        result.Folds.Should().HaveCount(3);
        result.Folds.Select(f => string.Join(",", f.PoolingWeights!)).Distinct().Should().HaveCountGreaterThan(1, "the folds' weights differ");
        result.PoolingWeights.Should().HaveCount(3);
        for (int h = 0; h < 3; h++)
            result.PoolingWeights![h].Should().BeApproximately(result.Folds.Average(f => f.PoolingWeights![h]), 1e-15, $"head {h}");
    }

    [Fact]
    public void The_pipeline_seed_sets_the_training_and_assessment_seeds_whatever_they_were()
    {
        var data = Data(a: (3, 0.6), b: (2, 0.5));
        PipelineResult Run(int preset)
        {
            var options = Options();
            options.Seed = 3;
            options.Training.EnableDistillation = true;
            options.Training.DistillationEpochs = 5;
            options.Training.Assessment.Permutations = 19;
            options.Training.Seed = preset;
            options.Training.Assessment.Seed = preset;
            return new TrainingPipeline(options).Run(data);
        }
        static double?[] Assessment(PipelineResult r) => r.Folds
            .SelectMany(f => f.Plan!.Modalities.SelectMany(m => m.Candidates.SelectMany(c => new[] { c.PValue, c.NullMean }))).ToArray();

        var zero = Run(0);
        var other = Run(12345);

        Assessment(zero).Should().Contain(v => v != null, "the permutation test ran");
        Assessment(other).Should().Equal(Assessment(zero), "the gate's permutations are drawn from the pipeline seed");
        other.TestProbabilities.Cast<double>().Should().Equal(zero.TestProbabilities.Cast<double>(), "the initialisation is drawn from the pipeline seed");
    }

    [Fact]
    public void The_metrics_report_gives_each_folds_best_joint_epoch()
    {
        var (data, options) = ThreeWeakFolds(PredictionSource.FusedHead);
        options.Training.JointEpochs = 40;
        options.Training.Patience = 10;

        var result = new TrainingPipeline(options).Run(data);

        result.Folds.Should().Contain(f => f.BestJointEpoch != f.History.Last().Epoch, "a fold whose best epoch is not its last tells them apart");
        using var json = System.Text.Json.JsonDocument.Parse(MetricsReport.ToJson(result, options, "data"));
        var folds = json.RootElement.GetProperty("folds").EnumerateArray().ToArray();
        folds.Should().HaveCount(result.Folds.Count);
        for (int i = 0; i < folds.Length; i++)
            folds[i].GetProperty("best_joint_epoch").GetInt32().Should().Be(result.Folds[i].BestJointEpoch, $"fold {i}");
    }

    [Fact]
    public void The_fused_heads_test_score_is_that_of_the_fold_averaged_fused_head_not_of_the_pooled_prediction()
    {
        var (data, options) = ThreeWeakFolds(PredictionSource.AllHeadsValidationWeighted);
        options.EncoderKind = ModalityEncoderKind.Mlp;   // each row alone: the kept fold networks rerun on the cohort features
        options.MlpEncoder.HiddenSizes = [8];
        options.MlpEncoder.AlternativeNegativeSlope = null;

        var result = new TrainingPipeline(options) { KeepTrainedModel = true }.Run(data);
        using var model = result.Model!;

        var test = data.TestIndices;
        var truth = test.Select(r => data.Labels[r]).ToArray();
        var fused = new double[test.Length, data.ClassCount];
        using (var scope = TorchSharp.torch.NewDisposeScope())
        using (TorchSharp.torch.no_grad())
        {
            foreach (var fold in model.Folds)
            {
                var p = TorchSharp.torch.nn.functional.softmax(fold.Network.Forward(model.CohortFeatures).FusedLogits.to(TorchSharp.torch.ScalarType.Float64), 1);
                for (int i = 0; i < test.Length; i++)
                    for (int c = 0; c < data.ClassCount; c++)
                        fused[i, c] += p[test[i], c].item<double>() / model.Folds.Count;
            }
        }
        var fusedPredictions = ClassificationMetrics.ArgMax(fused);
        fusedPredictions.Should().NotEqual(result.TestPredictions, "the fused head and the pooled prediction must disagree on some test row");
        result.HeadTestScores[0].Head.Should().Be(HeadPrediction.FusedHeadName);
        result.HeadTestScores[0].MacroF1.Should().Be(ClassificationMetrics.MacroF1(truth, fusedPredictions));
        result.HeadTestScores[0].Accuracy.Should().Be(ClassificationMetrics.Accuracy(truth, fusedPredictions));
    }

    [Fact]
    public void With_one_fold_each_repeat_carves_its_own_validation_split()
    {
        var options = Options();
        options.CrossFitFolds = 1;
        options.CrossFitRepeats = 2;

        var result = new TrainingPipeline(options).Run(Data());

        result.Folds.Should().HaveCount(2);
        result.Folds[0].ValidationRows.Should().NotBeEquivalentTo(result.Folds[1].ValidationRows);
    }

    [Theory]
    [InlineData(5, 0)]
    [InlineData(1, -1)]
    public void Invalid_cross_fit_repeats_are_rejected_naming_the_option(int folds, int repeats)
    {
        var options = Options();
        options.CrossFitFolds = folds;
        options.CrossFitRepeats = repeats;

        var act = () => new TrainingPipeline(options).Run(Data());

        act.Should().Throw<ArgumentException>().WithMessage("*CrossFitRepeats*");
    }

    public static TheoryData<string> InvalidComponentOptions => ["Training.LearningRate", "Fusion.K", "Affinity.Mu", "MlpEncoder.Dropout", "Encoder.HiddenSizes", "Autoencoder.LatentDim"];

    [Theory]
    [MemberData(nameof(InvalidComponentOptions))]
    public void An_invalid_nested_option_is_rejected_before_any_work_naming_the_option(string option)
    {
        var options = Options();
        switch (option)
        {
            case "Training.LearningRate": options.Training.LearningRate = -1; break;
            case "Fusion.K": options.Fusion.K = 0; break;
            case "Affinity.Mu": options.Affinity.Mu = -0.5; break;
            case "MlpEncoder.Dropout": options.EncoderKind = ModalityEncoderKind.Mlp; options.MlpEncoder.Dropout = 1.5; break;
            case "Encoder.HiddenSizes": options.EncoderKind = ModalityEncoderKind.RelationalGcn; options.Encoder.HiddenSizes = [0]; break;
            case "Autoencoder.LatentDim": options.UseAutoencoder = true; options.Autoencoder.LatentDim = 0; break;
        }
        var progress = new List<TrainingProgress>();

        var act = () => new TrainingPipeline(options).Run(Data(), new Progress(progress));

        act.Should().Throw<Exception>().Where(e => e is ArgumentException || e is Microsoft.Extensions.Options.OptionsValidationException)
            .Which.Message.Should().StartWith(option, "the message names the option by its path in the config file");
        progress.Should().BeEmpty("nothing was trained");
    }

    /// <summary>Synchronous progress sink (System.Progress posts to a context, which would race with the assertions).</summary>
    private sealed class Progress(List<TrainingProgress> seen) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => seen.Add(value);
    }

    [Fact]
    public void The_gate_s_chance_level_is_left_to_the_trainer_which_resolves_the_default_to_the_macro_f1_chance_level()
    {
        // METHOD.md section 8: a modality no better than chance is not boosted; for macro-F1 chance is 1/C, which
        // BalancedTrainer resolves from the data's class count when the level is left null (the library default).
        var options = new PipelineOptions();
        options.Training.Weighting.PerformanceGated.ChanceLevel.Should().BeNull("the library default: the chance level of the gated score");

        TrainingPipeline.EffectiveTraining(options, 2, 1).Should().BeSameAs(options.Training, "the pipeline no longer sets the level itself");
        TrainingPipeline.EffectiveTraining(options, 5, 1).Should().BeSameAs(options.Training);

        options.Training.Weighting.PerformanceGated.ChanceLevel = 0;
        TrainingPipeline.EffectiveTraining(options, 5, 1).Weighting.PerformanceGated.ChanceLevel.Should().Be(0, "a configured level, 0 included, is used as it is");
    }
}
