using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
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

    private sealed class SynchronousProgress(List<TrainingProgress> reports, Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports => reports;

        public void Report(TrainingProgress value)
        {
            reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}
