using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

[Collection(GlobalGeneratorCollection.Name)]
public class BalancedTrainerTests
{
    [Fact]
    public void Training_on_strong_weak_and_noise_modalities_predicts_the_test_rows_well_above_chance()
    {
        var dataset = TrainingFixtures.StrongWeakNoise();
        var data = TrainingFixtures.ToTrainingData(dataset);
        using var result = TrainingFixtures.Trainer(TrainingFixtures.FastOptions()).Fit(data);

        var probabilities = result.FusedProbabilities.argmax(1).data<long>().ToArray();
        var test = dataset.TestIndices;
        double f1 = ClassificationMetrics.MacroF1(test.Select(r => dataset.Labels[r]).ToArray(), test.Select(r => (int)probabilities[r]).ToArray());
        f1.Should().BeGreaterThan(0.85);
        result.PretrainingScores[0].Should().BeGreaterThan(result.PretrainingScores[2], "the strong modality beats pure noise on validation");
    }

    [Fact]
    public void The_plan_makes_the_strong_modality_teacher_of_the_weak_one_and_keeps_noise_out()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        using var result = TrainingFixtures.Trainer(TrainingFixtures.FastOptions()).Fit(data);

        result.Plan.Should().NotBeNull();
        result.Plan!["strong"].IsStrong.Should().BeTrue();
        result.Plan["noise"].GateOpen.Should().BeFalse();
        result.Plan["weak"].GateOpen.Should().BeTrue("the weak modality shares information with the strong one");
        result.Plan.TeacherOf("weak").Should().Be("strong");
    }

    [Fact]
    public void The_same_seed_gives_the_same_predictions_and_scores()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        using var first = TrainingFixtures.Trainer(TrainingFixtures.FastOptions(seed: 5)).Fit(data);
        using var second = TrainingFixtures.Trainer(TrainingFixtures.FastOptions(seed: 5)).Fit(data);

        first.FusedProbabilities.data<float>().ToArray().Should().Equal(second.FusedProbabilities.data<float>().ToArray());
        first.PretrainingScores.Should().Equal(second.PretrainingScores);
        first.FinalWeights.Should().Equal(second.FinalWeights);
    }

    [Fact]
    public void Probabilities_follow_the_dtype_of_the_features()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120), ScalarType.Float64);
        var options = TrainingFixtures.FastOptions();
        options.PretrainingEpochs = options.JointEpochs = 10;
        options.EnableDistillation = false;
        using var result = TrainingFixtures.Trainer(options).Fit(data);

        result.FusedProbabilities.dtype.Should().Be(ScalarType.Float64);
        result.FusedProbabilities.sum(1).allclose(ones(data.SampleCount, dtype: ScalarType.Float64)).Should().BeTrue();
    }

    [Fact]
    public void The_whole_schedule_runs_in_float64_with_distillation_and_pooled_heads()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 160), ScalarType.Float64);
        var options = TrainingFixtures.FastOptions();
        options.Prediction = PredictionSource.AllHeadsValidationWeighted;
        options.PoolingWeightShrinkage = 0.5;
        options.Assessment.Delta = 0.05;
        using var result = TrainingFixtures.Trainer(options).Fit(data);

        result.Plan.Should().NotBeNull();
        result.Plan!.Students.Should().NotBeEmpty("the weak modality distils, so the float64 distillation loss runs");
        result.Network.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float64);
        result.PredictedProbabilities.dtype.Should().Be(ScalarType.Float64);
        result.PredictedProbabilities.sum(1).allclose(ones(data.SampleCount, dtype: ScalarType.Float64)).Should().BeTrue();
        result.PoolingWeights.Should().NotBeNull().And.HaveCount(4);
    }

    [Fact]
    public void Progress_is_reported_for_every_phase_and_the_weights_of_the_joint_phase()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        var reports = new List<TrainingProgress>();
        using var result = TrainingFixtures.Trainer(TrainingFixtures.FastOptions()).Fit(data, new SynchronousProgress(reports));

        reports.Should().Contain(r => r.Phase == TrainingPhase.Pretraining && r.Modality == "weak");
        reports.Where(r => r.Phase == TrainingPhase.Joint).Should().OnlyContain(r => r.Weights != null && r.Weights.Count == 3);
        result.History.Should().Equal(reports);
    }

    [Fact]
    public void A_cancelled_token_stops_training_between_epochs()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(new List<TrainingProgress>(), _ => cancellation.Cancel());

        var act = () => TrainingFixtures.Trainer(TrainingFixtures.FastOptions()).Fit(data, progress, cancellation.Token);

        act.Should().Throw<OperationCanceledException>();
        progress.Reports.Should().HaveCount(1);
    }

    [Fact]
    public void Too_few_held_out_rows_for_the_mutual_information_gate_are_rejected_before_any_training()
    {
        var data = HeldOut(validationPerClass: 1, unlabelled: 0);
        var reports = new List<TrainingProgress>();

        var act = () => TrainingFixtures.Trainer(TrainingFixtures.FastOptions()).Fit(data, new SynchronousProgress(reports));

        act.Should().Throw<ArgumentException>().WithParameterName("data")
            .WithMessage("*'gaussian' estimator needs at least 5*2 row(s) held out from fitting (2 validation, 0 unlabelled)*add validation or unlabelled rows*EnableDistillation = false*");
        reports.Should().BeEmpty("the check runs before phase 1");
    }

    [Fact]
    public void A_held_out_infonce_gate_and_a_bias_corrected_gaussian_gate_name_their_own_minimum_before_any_training()
    {
        var data = HeldOut(validationPerClass: 1, unlabelled: 1);   // 3 held-out rows: enough for the floor of 3
        var encoders = new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [16] });

        var neural = () => new BalancedTrainer(encoders, new InfoNceEstimator(), TrainingFixtures.FastOptions()).Fit(data);
        var gaussian = () => new BalancedTrainer(encoders, new GaussianMutualInformationEstimator(), TrainingFixtures.FastOptions()).Fit(data);

        neural.Should().Throw<ArgumentException>().WithParameterName("data")
            .WithMessage("*'infonce' estimator needs at least 4*3 row(s) held out*", "half of the rows are held out from the critic, and both halves need 2");
        gaussian.Should().Throw<ArgumentException>().WithParameterName("data")
            .WithMessage($"*'gaussian' estimator needs at least {2 * data.ClassCount + 1}*3 row(s) held out*",
                "the bias correction needs n > d_x + d_y, and the gate compares two modalities' class probabilities");
    }

    [Fact]
    public void A_ksg_gate_needs_k_plus_one_held_out_rows()
    {
        var data = HeldOut(validationPerClass: 1, unlabelled: 3);
        var trainer = new BalancedTrainer(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [16] }),
            new KsgEstimator(new KsgEstimatorOptions { K = 5 }), TrainingFixtures.FastOptions());

        var act = () => trainer.Fit(data);

        act.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*'ksg' estimator needs at least 6*5 row(s) held out*");
    }

    [Fact]
    public void Under_the_complementarity_criterion_only_validation_rows_count_for_the_gate()
    {
        var data = HeldOut(validationPerClass: 1, unlabelled: 20);
        var options = TrainingFixtures.FastOptions();
        options.Assessment.RequireComplementarity = true;

        var act = () => TrainingFixtures.Trainer(options).Fit(data);

        act.Should().Throw<ArgumentException>().WithParameterName("data")
            .WithMessage("*needs at least 5*2 validation row(s) (Assessment.RequireComplementarity is on*RequireComplementarity = false*EnableDistillation = false*");
    }

    [Fact]
    public void Without_distillation_two_validation_rows_are_enough()
    {
        var data = HeldOut(validationPerClass: 1, unlabelled: 0);
        var options = TrainingFixtures.FastOptions();
        options.PretrainingEpochs = options.JointEpochs = 5;
        options.EnableDistillation = false;

        using var result = TrainingFixtures.Trainer(options).Fit(data);

        result.Plan.Should().BeNull();
    }

    [Theory]
    [InlineData(nameof(BalancedTrainingOptions.EvaluationInterval))]
    [InlineData(nameof(BalancedTrainingOptions.JointEpochs))]
    public void Options_made_invalid_through_the_trainer_after_construction_are_rejected_when_Fit_starts(string option)
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        var trainer = TrainingFixtures.Trainer(TrainingFixtures.FastOptions());
        var reports = new List<TrainingProgress>();
        if (option == nameof(BalancedTrainingOptions.EvaluationInterval)) trainer.Options.EvaluationInterval = 0;
        else trainer.Options.JointEpochs = 0;

        var act = () => trainer.Fit(data, new SynchronousProgress(reports));

        act.Should().Throw<OptionsValidationException>().WithMessage($"*{option}*");
        reports.Should().BeEmpty();
    }

    [Fact]
    public void A_nested_option_made_invalid_after_construction_is_rejected_when_a_resumed_Fit_starts()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        var trainer = TrainingFixtures.Trainer(TrainingFixtures.FastOptions());
        trainer.Options.Weighting.Policy = (BalancedMultimodal.Distillation.Weighting.ModalityWeightingPolicy)42;
        using var checkpoint = new TrainingCheckpoint();

        var act = () => trainer.Fit(data, checkpoint);

        act.Should().Throw<OptionsValidationException>().WithMessage("*Policy*42*");
        checkpoint.IsFilled.Should().BeFalse("nothing was trained");
    }

    [Fact]
    public void A_run_inside_a_dispose_scope_leaves_nothing_in_it_once_its_result_is_disposed()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        var options = TrainingFixtures.FastOptions();
        options.PretrainingEpochs = options.DistillationEpochs = options.JointEpochs = 5;
        using var scope = NewDisposeScope();

        TrainingFixtures.Trainer(options).Fit(data).Dispose();

        scope.DisposablesCount.Should().Be(0, "every tensor of the run is freed by the run or by the result");
    }

    /// <summary>The strong/weak/noise set with <paramref name="validationPerClass"/> validation rows per class, the given
    /// number of unlabelled rows and every other row a training row.</summary>
    private static BalancedTrainingData HeldOut(int validationPerClass, int unlabelled)
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise(samples: 120));
        var rows = Enumerable.Range(0, (int)data.SampleCount).ToArray();
        var validation = Enumerable.Range(0, data.ClassCount)
            .SelectMany(c => rows.Where(r => data.LabelValues[r] == c).Take(validationPerClass)).ToArray();
        var train = rows.Except(validation).Skip(unlabelled).ToArray();
        return new BalancedTrainingData(data.ModalityNames, data.Features, data.Labels, data.ClassCount, train, validation);
    }
}
