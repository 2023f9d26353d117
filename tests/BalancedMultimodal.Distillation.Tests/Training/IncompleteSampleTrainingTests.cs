using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>Training on samples that lack some modalities (<see cref="BalancedTrainingData"/>'s availability).</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class IncompleteSampleTrainingTests
{
    private const int N = 40;

    /// <summary>The tiny set's tensors (see <see cref="TrainingFixtures.Tiny"/>), optionally relabelled, with
    /// "noise" missing on <paramref name="noiseMissing"/> (their values overwritten by <paramref name="placeholder"/>)
    /// and "faint" missing on <paramref name="faintMissing"/>.</summary>
    private static BalancedTrainingData Tiny(int[] noiseMissing, int[] faintMissing, float placeholder = float.NaN,
        Func<int, long, long>? relabel = null, bool passAvailability = true)
    {
        var complete = TrainingFixtures.Tiny(relabel);
        var features = complete.Features.Select(f => f.clone()).ToArray();
        foreach (var row in noiseMissing) features[2][row] = full(3, placeholder);
        foreach (var row in faintMissing) features[1][row] = full(3, placeholder);
        bool[] Flags(int[] missing) => Enumerable.Range(0, N).Select(i => !missing.Contains(i)).ToArray();
        IReadOnlyList<IReadOnlyList<bool>?>? availability = passAvailability ? [null, Flags(faintMissing), Flags(noiseMissing)] : null;
        return new BalancedTrainingData(complete.ModalityNames, features, complete.Labels, 2, complete.TrainRows, complete.ValidationRows, availability);
    }

    private static (BalancedTrainingResult Result, List<TrainingProgress> Progress) Fit(BalancedTrainingData data, BalancedTrainingOptions? options = null)
    {
        var seen = new List<TrainingProgress>();
        var result = TrainingFixtures.TinyTrainer(options ?? TrainingFixtures.TinyOptions()).Fit(data, new SynchronousProgress(seen));
        return (result, seen);
    }

    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).cpu().data<double>().ToArray();

    [Fact]
    public void The_values_at_unavailable_rows_are_never_read()
    {
        int[] noise = [1, 4, 22, 35], faint = [7, 25, 36];
        var (withNaN, _) = Fit(Tiny(noise, faint, float.NaN));
        var (withLarge, _) = Fit(Tiny(noise, faint, 1e6f));
        using (withNaN)
        using (withLarge)
        {
            var p = Values(withNaN.PredictedProbabilities);
            p.Should().OnlyContain(v => double.IsFinite(v));
            p.Should().Equal(Values(withLarge.PredictedProbabilities));
            withNaN.FusedValidationScore.Should().Be(withLarge.FusedValidationScore);
            // The tiny trainer's estimator finds every pair dependent, so the per-pair distillation masks were used.
            withNaN.History.Should().Contain(h => h.Phase == TrainingPhase.Distillation);
        }
    }

    [Fact]
    public void All_true_masks_train_exactly_as_complete_data()
    {
        var complete = TrainingFixtures.Tiny();
        var flagged = new BalancedTrainingData(complete.ModalityNames, complete.Features, complete.Labels, 2, complete.TrainRows,
            complete.ValidationRows, [Enumerable.Repeat(true, N).ToArray(), null, Enumerable.Repeat(true, N).ToArray()]);
        flagged.HasMissingRows.Should().BeFalse();
        var (a, _) = Fit(complete);
        var (b, _) = Fit(flagged);
        using (a)
        using (b)
            Values(a.PredictedProbabilities).Should().Equal(Values(b.PredictedProbabilities));
    }

    [Fact]
    public void A_modality_head_learns_only_from_the_training_rows_that_have_the_modality()
    {
        // Flipping the labels of training rows 0-9 changes "noise"'s phase-1 losses only if those rows enter its
        // cross-entropy: marked missing in "noise", they must not (phase 1 trains each modality alone, without dropout).
        int[] missing = Enumerable.Range(0, 10).ToArray();
        long Flip(int row, long label) => row < 10 ? 1 - label : label;
        List<double> NoisePhaseOne(bool passAvailability, Func<int, long, long>? relabel)
        {
            var (result, progress) = Fit(Tiny(missing, [], 0f, relabel, passAvailability));
            result.Dispose();
            return progress.Where(p => p.Phase == TrainingPhase.Pretraining && p.Modality == "noise").Select(p => p.Loss).ToList();
        }

        NoisePhaseOne(true, Flip).Should().Equal(NoisePhaseOne(true, null));
        // The control: the same rows present in "noise" do change its losses, so the check above can fail.
        NoisePhaseOne(false, Flip).Should().NotEqual(NoisePhaseOne(false, null));
    }

    [Fact]
    public void A_modality_is_scored_on_its_available_validation_rows_only()
    {
        // Validation rows 20-25 relabelled against every feature, and missing in "clear": its score must ignore them,
        // so its phase-1 validation macro-F1 matches a run where those rows keep their true labels.
        int[] missing = Enumerable.Range(20, 6).ToArray();
        long Contradict(int row, long label) => row is >= 20 and < 26 ? 1 - label : label;
        var complete = TrainingFixtures.Tiny();
        BalancedTrainingData Data(Func<int, long, long>? relabel)
        {
            var source = TrainingFixtures.Tiny(relabel);
            var flags = Enumerable.Range(0, N).Select(i => !missing.Contains(i)).ToArray();
            return new BalancedTrainingData(source.ModalityNames, source.Features, source.Labels, 2, source.TrainRows, source.ValidationRows,
                [flags, null, null]);
        }
        var options = TrainingFixtures.TinyOptions();
        options.EnableDistillation = false;
        var (honest, _) = Fit(Data(null), options);
        var (contradicted, _) = Fit(Data(Contradict), options);
        using (honest)
        using (contradicted)
        {
            contradicted.PretrainingScores[0].Should().Be(honest.PretrainingScores[0]);
            contradicted.PretrainingScores[1].Should().NotBe(honest.PretrainingScores[1], "\"faint\" has those rows, so the control can fail");
        }
    }

    [Fact]
    public void A_modality_missing_on_every_training_row_of_a_class_is_warned_about()
    {
        // "noise" lacks every class-1 training row (the odd rows below 20).
        var logger = new RecordingLogger<BalancedTrainer>();
        var trainer = new BalancedTrainer(new BalancedMultimodal.Core.Encoding.MlpEncoderFactory(new BalancedMultimodal.Core.Encoding.MlpEncoderOptions { HiddenSizes = [4], Dropout = 0 }),
            new ConstantMutualInformationEstimator(1.0), Microsoft.Extensions.Options.Options.Create(TrainingFixtures.TinyOptions()), logger);

        using var result = trainer.Fit(Tiny(Enumerable.Range(0, 20).Where(i => i % 2 == 1).ToArray(), []));

        logger.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message)
            .Should().ContainSingle().Which.Should().StartWith("Modality noise is missing on every training row of class(es) 1:");
    }

    /// <summary>Native tensors alive on this thread (created and not yet disposed).</summary>
    private static long LiveTensors() => TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [Fact]
    public void Repeated_fits_on_incomplete_samples_leave_no_tensor_behind()
    {
        var data = Tiny([1, 4, 22, 35], [7, 25, 36]);
        void FitOnce()
        {
            var (result, _) = Fit(data);
            result.Dispose();
        }

        FitOnce();
        long before = LiveTensors();
        FitOnce();
        FitOnce();

        LiveTensors().Should().Be(before);
    }

    [Fact]
    public void Samples_lacking_modalities_get_a_prediction_and_the_distillation_runs()
    {
        var dataset = TrainingFixtures.StrongWeakNoise(samples: 160);
        var complete = TrainingFixtures.ToTrainingData(dataset);
        // A third of the samples lack "weak", a disjoint sixth lack "strong".
        var weak = Enumerable.Range(0, 160).Select(i => i % 3 != 0).ToArray();
        var strong = Enumerable.Range(0, 160).Select(i => i % 6 != 1).ToArray();
        var data = new BalancedTrainingData(complete.ModalityNames, complete.Features, complete.Labels, 2, complete.TrainRows,
            complete.ValidationRows, [strong, weak, null]);
        var options = TrainingFixtures.FastOptions(seed: 2);
        using var result = TrainingFixtures.Trainer(options).Fit(data);

        var p = Values(result.PredictedProbabilities);
        p.Should().HaveCount(160 * 2).And.OnlyContain(v => double.IsFinite(v) && v >= 0 && v <= 1);

        // The strong modality still carries the task for the samples that have it: most test rows are right.
        var test = dataset.TestIndices;
        var predicted = result.PredictedProbabilities.argmax(1).data<long>().ToArray();
        test.Count(r => predicted[r] == dataset.Labels[r]).Should().BeGreaterThan((int)(0.7 * test.Length));
    }
    [Fact]
    public void The_gate_compares_each_pair_on_the_rows_both_have_so_no_sample_needs_every_modality()
    {
        var dataset = TrainingFixtures.StrongWeakNoise(samples: 160);
        var complete = TrainingFixtures.ToTrainingData(dataset);
        // Every sample lacks exactly one modality: no row has all three, each pair shares a third of the rows.
        bool[] Lacking(int residue) => Enumerable.Range(0, 160).Select(i => i % 3 != residue).ToArray();
        var data = new BalancedTrainingData(complete.ModalityNames, complete.Features, complete.Labels, 2, complete.TrainRows,
            complete.ValidationRows, [Lacking(0), Lacking(1), Lacking(2)]);
        Enumerable.Range(0, 160).Should().OnlyContain(r => Enumerable.Range(0, 3).Count(m => data.IsAvailable(m, r)) == 2);

        var estimator = new CountingMutualInformationEstimator(new BalancedMultimodal.Core.Information.GaussianMutualInformationEstimator());
        var trainer = new BalancedTrainer(new BalancedMultimodal.Core.Encoding.MlpEncoderFactory(
            new BalancedMultimodal.Core.Encoding.MlpEncoderOptions { HiddenSizes = [16], Dropout = 0.2 }), estimator, TrainingFixtures.FastOptions(seed: 2));
        using var result = trainer.Fit(data);

        result.Plan.Should().NotBeNull("before the twenty-third session this data was refused: no held-out row had every modality");
        // Every estimate saw exactly the held-out rows one pair shares: a third of them for each pair.
        var training = new HashSet<int>(complete.TrainRows);
        var heldOut = Enumerable.Range(0, 160).Where(r => !training.Contains(r)).ToArray();
        var shared = new[] { (0, 1), (0, 2), (1, 2) }.Select(p => (long)heldOut.Count(r => data.IsAvailable(p.Item1, r) && data.IsAvailable(p.Item2, r))).ToHashSet();
        estimator.RowCounts.Should().NotBeEmpty().And.OnlyContain(n => shared.Contains(n));
        shared.Should().NotContain(heldOut.Length);
        result.Plan!.Modalities.Should().HaveCount(3);
        result.Plan.Modalities.Where(m => !m.IsStrong).Should().OnlyContain(m => m.MutualInformationWithTeacher != null && double.IsFinite(m.MutualInformationWithTeacher.Value));
        Values(result.PredictedProbabilities).Should().OnlyContain(v => double.IsFinite(v));
    }

    [Fact]
    public void Too_few_held_out_rows_shared_by_a_pair_are_refused_before_phase_1_naming_the_pair()
    {
        var dataset = TrainingFixtures.StrongWeakNoise(samples: 160);
        var complete = TrainingFixtures.ToTrainingData(dataset);
        var training = new HashSet<int>(complete.TrainRows);
        // "weak" and "noise" share only two held-out rows (the first two); every other held-out row lacks one of them.
        var heldOut = Enumerable.Range(0, 160).Where(r => !training.Contains(r)).ToArray();
        var weak = Enumerable.Range(0, 160).Select(r => training.Contains(r) || r == heldOut[0] || r == heldOut[1] || Array.IndexOf(heldOut, r) % 2 == 0).ToArray();
        var noise = Enumerable.Range(0, 160).Select(r => training.Contains(r) || r == heldOut[0] || r == heldOut[1] || Array.IndexOf(heldOut, r) % 2 == 1).ToArray();
        var data = new BalancedTrainingData(complete.ModalityNames, complete.Features, complete.Labels, 2, complete.TrainRows,
            complete.ValidationRows, [null, weak, noise]);

        var act = () => TrainingFixtures.Trainer(TrainingFixtures.FastOptions(seed: 2)).Fit(data);

        act.Should().Throw<ArgumentException>().WithMessage(
            "*needs at least *; data has 2 row(s) held out from fitting having both 'weak' and 'noise' (the gate compares each pair of modalities on the rows both have)*");
    }
    [Fact]
    public void Under_the_complementarity_criterion_a_modality_whose_validation_rows_hold_one_class_is_refused_before_phase_1()
    {
        var dataset = TrainingFixtures.StrongWeakNoise(samples: 160);
        var complete = TrainingFixtures.ToTrainingData(dataset);
        var classOne = complete.ValidationRows.Where(r => dataset.Labels[r] == 1).ToHashSet();
        var lacking = Enumerable.Range(0, 160).Select(r => !classOne.Contains(r)).ToArray();
        var data = new BalancedTrainingData(complete.ModalityNames, complete.Features, complete.Labels, 2, complete.TrainRows,
            complete.ValidationRows, [null, lacking, lacking]);
        var options = TrainingFixtures.FastOptions(seed: 2);
        options.Assessment.RequireComplementarity = true;
        var seen = new List<TrainingProgress>();

        var act = () => TrainingFixtures.Trainer(options).Fit(data, new SynchronousProgress(seen));

        act.Should().Throw<ArgumentException>().WithMessage("Modality 'weak' has validation rows of class 0 only; with Assessment.RequireComplementarity*");
        seen.Should().BeEmpty("the refusal comes before phase 1");
    }
}
