using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>Which rows the schedule reads: only training rows' labels enter a loss, validation labels only score, the
/// other rows' labels are never read, and the distillation gate compares the rows no model was fitted to.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class BalancedTrainerRowsTests
{
    [Fact]
    public void The_labels_of_unlabelled_rows_change_nothing_in_any_phase()
    {
        var options = TrainingFixtures.TinyOptions();
        options.UnlabelledEntropyWeight = 0.5;
        options.Prediction = PredictionSource.AllHeadsValidationWeighted;

        using var original = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny());
        using var relabelled = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny((row, signal) => row >= 32 ? 1 - signal : signal));

        original.Plan!.Students.Should().NotBeEmpty("phase 1b and the joint distillation terms run");
        relabelled.History.Should().Equal(original.History, (a, b) => a.Phase == b.Phase && a.Modality == b.Modality && a.Epoch == b.Epoch
            && a.Loss == b.Loss && a.ValidationScore == b.ValidationScore);
        relabelled.PredictedProbabilities.data<float>().ToArray().Should().Equal(original.PredictedProbabilities.data<float>().ToArray());
    }

    [Fact]
    public void Validation_labels_enter_no_loss_when_nothing_is_chosen_on_validation_before_the_last_epoch()
    {
        // Evaluated only at each phase's last epoch, after its last step: the validation labels can only score the
        // final state. Flipping them (and the unlabelled rows') must leave the trained network unchanged.
        var options = TrainingFixtures.TinyOptions();
        options.EnableDistillation = false;
        options.EvaluationInterval = 50;
        options.UnlabelledEntropyWeight = 0.5;

        using var original = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny());
        using var flipped = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny((row, signal) => row >= 20 ? 1 - signal : signal));

        flipped.FusedProbabilities.data<float>().ToArray().Should().Equal(original.FusedProbabilities.data<float>().ToArray());
        flipped.History.Select(h => h.Loss).Should().Equal(original.History.Select(h => h.Loss), "the training losses are the same");
        flipped.FusedValidationScore.Should().NotBe(original.FusedValidationScore, "the flipped labels score the same predictions differently");
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(0.5, false)]
    public void Only_the_entropy_term_lets_the_features_of_unlabelled_rows_shape_the_network(double entropyWeight, bool unchanged)
    {
        // Without distillation (KL and representation terms run over all rows) and with one evaluation after the last
        // step, the rows without a training label can reach the weights only through the entropy term.
        var options = TrainingFixtures.TinyOptions();
        options.EnableDistillation = false;
        options.EvaluationInterval = 50;
        options.UnlabelledEntropyWeight = entropyWeight;
        var data = TrainingFixtures.Tiny();
        using var scope = NewDisposeScope();
        var unlabelled = arange(32, 40);
        var moved = new BalancedTrainingData(data.ModalityNames,
            data.Features.Select(x => x.index_copy(0, unlabelled, x.index_select(0, unlabelled) * 3 + 1)).ToArray(),
            data.Labels, data.ClassCount, data.TrainRows, data.ValidationRows);
        var training = tensor(TrainingFixtures.TinyTrainRows.Select(r => (long)r).ToArray());

        using var original = TrainingFixtures.TinyTrainer(options).Fit(data);
        using var shifted = TrainingFixtures.TinyTrainer(options).Fit(moved);

        var before = original.FusedProbabilities.index_select(0, training).data<float>().ToArray();
        var after = shifted.FusedProbabilities.index_select(0, training).data<float>().ToArray();
        if (unchanged) after.Should().Equal(before);
        else after.Should().NotEqual(before);
    }

    [Theory]
    [InlineData(false, 18)]   // validation and unlabelled rows: 12 + 6 (the 22 training rows would be another count)
    [InlineData(true, 12)]    // only the validation rows, whose labels the complementarity criterion needs
    public void The_gate_compares_the_heads_on_the_rows_held_out_from_fitting(bool complementarity, int rows)
    {
        var options = TrainingFixtures.TinyOptions();
        options.PretrainingEpochs = 2;
        options.DistillationEpochs = 0;
        options.JointEpochs = 1;
        options.Assessment.RequireComplementarity = complementarity;
        var estimator = new ConstantMutualInformationEstimator(1.0);
        var tiny = TrainingFixtures.Tiny();
        var data = new BalancedTrainingData(tiny.ModalityNames, tiny.Features, tiny.Labels, tiny.ClassCount,
            Enumerable.Range(0, 22).ToArray(), Enumerable.Range(22, 12).ToArray());

        using var result = TrainingFixtures.TinyTrainer(options, estimator).Fit(data);

        result.Plan.Should().NotBeNull();
        estimator.Rows.Should().NotBeEmpty().And.OnlyContain(r => r.XRows == rows && r.YRows == rows);
    }
}
