using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>A filled checkpoint on the tiny fixture: what it holds, how a resumed run uses it, and each mismatch it
/// rejects before any state changes, with the message that locates it.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class TrainingCheckpointValidationTests
{
    private static BalancedTrainingOptions Options()
    {
        var options = TrainingFixtures.TinyOptions();
        options.PretrainingEpochs = 3;
        options.DistillationEpochs = 2;
        options.JointEpochs = 3;
        options.Seed = 4;
        return options;
    }

    private static BalancedTrainer Trainer(params int[] hiddenSizes) =>
        new(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = hiddenSizes.Length > 0 ? hiddenSizes : [4], Dropout = 0.3 }),
            new ConstantMutualInformationEstimator(1.0), Options());

    /// <summary>The tiny fixture's features and labels with other rows.</summary>
    private static BalancedTrainingData WithRows(BalancedTrainingData data, int[] train, int[] validation) =>
        new(data.ModalityNames, data.Features, data.Labels, data.ClassCount, train, validation);

    [Fact]
    public void A_run_given_an_empty_checkpoint_fills_it_with_its_phase_1_and_a_resumed_run_repeats_the_rest_exactly()
    {
        var data = TrainingFixtures.Tiny();
        using var checkpoint = new TrainingCheckpoint();

        using var first = Trainer().Fit(data, checkpoint);
        using var resumed = Trainer().Fit(data, checkpoint);

        checkpoint.IsFilled.Should().BeTrue();
        checkpoint.Seed.Should().Be(4);
        checkpoint.ModalityNames.Should().Equal("clear", "faint", "noise");
        checkpoint.TrainRows.Should().Equal(TrainingFixtures.TinyTrainRows);
        checkpoint.ValidationRows.Should().Equal(TrainingFixtures.TinyValidationRows);
        checkpoint.PretrainingScores.Should().Equal(first.PretrainingScores);
        checkpoint.PretrainingHistory.Should().Equal(first.History.Where(h => h.Phase == TrainingPhase.Pretraining));
        checkpoint.NetworkStateNames.Should().BeEquivalentTo(first.Network.state_dict().Keys);
        resumed.History.Should().Equal(first.History, (a, b) => a.Phase == b.Phase && a.Modality == b.Modality && a.Epoch == b.Epoch
            && a.Loss == b.Loss && a.ValidationScore == b.ValidationScore);
        resumed.PretrainingScores.Should().Equal(first.PretrainingScores);
        resumed.FusedProbabilities.data<float>().ToArray().Should().Equal(first.FusedProbabilities.data<float>().ToArray(),
            "the restored generator state gives the later phases' dropout the same draws");
    }

    [Fact]
    public void A_saved_and_loaded_checkpoint_holds_the_same_content()
    {
        var data = TrainingFixtures.Tiny();
        using var checkpoint = new TrainingCheckpoint();
        using (Trainer().Fit(data, checkpoint)) { }
        var path = Path.Combine(Path.GetTempPath(), $"bmm-roundtrip-{Guid.NewGuid():N}.ckpt");
        try
        {
            checkpoint.SaveTo(path);
            using var loaded = TrainingCheckpoint.Load(path);

            loaded.IsFilled.Should().BeTrue();
            loaded.Seed.Should().Be(checkpoint.Seed);
            loaded.ModalityNames.Should().Equal(checkpoint.ModalityNames);
            loaded.TrainRows.Should().Equal(checkpoint.TrainRows);
            loaded.ValidationRows.Should().Equal(checkpoint.ValidationRows);
            loaded.PretrainingScores.Should().Equal(checkpoint.PretrainingScores);
            loaded.PretrainingHistory.Should().Equal(checkpoint.PretrainingHistory);
            loaded.NetworkStateNames.Should().Equal(checkpoint.NetworkStateNames);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The tiny fixture with "faint" missing on the given rows.</summary>
    private static BalancedTrainingData FaintMissing(params int[] rows)
    {
        var data = TrainingFixtures.Tiny();
        var faint = Enumerable.Range(0, 40).Select(i => !rows.Contains(i)).ToArray();
        return new(data.ModalityNames, data.Features, data.Labels, data.ClassCount, data.TrainRows, data.ValidationRows, [null, faint, null]);
    }

    [Fact]
    public void A_checkpoint_records_the_missing_rows_keeps_them_through_a_file_and_resumes_only_with_the_same_ones()
    {
        var data = FaintMissing(3, 21, 35);
        using var checkpoint = new TrainingCheckpoint();
        using var first = Trainer().Fit(data, checkpoint);
        checkpoint.MissingRows.Select(r => r.ToArray()).Should().BeEquivalentTo(new[] { Array.Empty<int>(), [3, 21, 35], [] }, o => o.WithStrictOrdering());

        var path = Path.Combine(Path.GetTempPath(), $"bmm-missing-{Guid.NewGuid():N}.ckpt");
        try
        {
            checkpoint.SaveTo(path);
            using var loaded = TrainingCheckpoint.Load(path);
            loaded.MissingRows.Select(r => r.ToArray()).Should().BeEquivalentTo(checkpoint.MissingRows.Select(r => r.ToArray()), o => o.WithStrictOrdering());

            using var resumed = Trainer().Fit(data, loaded);
            resumed.FusedProbabilities.data<float>().ToArray().Should().Equal(first.FusedProbabilities.data<float>().ToArray());
            FluentActions.Invoking(() => Trainer().Fit(FaintMissing(3, 21), loaded))
                .Should().Throw<ArgumentException>().WithMessage("The checkpoint was written with modality 'faint' missing on 3 rows, but the data lacks it on 2 *");
            FluentActions.Invoking(() => Trainer().Fit(TrainingFixtures.Tiny(), loaded))
                .Should().Throw<ArgumentException>().WithMessage("*modality 'faint' missing on 3 rows*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_empty_checkpoint_cannot_be_saved_and_disposing_empties_a_filled_one()
    {
        var checkpoint = new TrainingCheckpoint();
        FluentActions.Invoking(() => checkpoint.SaveTo(Path.Combine(Path.GetTempPath(), "never-written.ckpt")))
            .Should().Throw<InvalidOperationException>().WithMessage("The checkpoint is empty; there is nothing to save.");
        FluentActions.Invoking(() => checkpoint.SaveTo(" ")).Should().Throw<ArgumentException>().WithParameterName("path");
        FluentActions.Invoking(() => TrainingCheckpoint.Load(" ")).Should().Throw<ArgumentException>().WithParameterName("path");

        using (Trainer().Fit(TrainingFixtures.Tiny(), checkpoint)) { }
        checkpoint.Dispose();

        checkpoint.IsFilled.Should().BeFalse();
        checkpoint.NetworkStateNames.Should().BeEmpty();
    }

    [Theory]
    [InlineData(0, "*(20 training and 12 validation rows; the data has 20 and 12, first differing at validation position 1)*")]
    [InlineData(1, "*(20 training and 12 validation rows; the data has 20 and 12, first differing at validation position 0)*")]
    [InlineData(2, "*(20 training and 12 validation rows; the data has 19 and 12, first differing at training position 19)*")]
    [InlineData(3, "*(20 training and 12 validation rows; the data has 19 and 12, first differing at training position 0)*")]
    public void Other_rows_are_rejected_naming_where_they_first_differ(int variant, string message)
    {
        var data = TrainingFixtures.Tiny();
        using var checkpoint = new TrainingCheckpoint();
        using (Trainer().Fit(data, checkpoint)) { }
        int[] train = TrainingFixtures.TinyTrainRows, validation = TrainingFixtures.TinyValidationRows;
        var other = variant switch
        {
            0 => WithRows(data, train, [20, 32, .. validation[2..]]),
            1 => WithRows(data, train, [32, .. validation[1..]]),
            2 => WithRows(data, train[..19], validation),
            _ => WithRows(data, train[1..], validation),
        };

        var act = () => Trainer().Fit(other, checkpoint);

        act.Should().Throw<ArgumentException>().WithParameterName("checkpoint").WithMessage(message);
    }

    [Theory]
    [InlineData(new[] { 4 }, new[] { 4, 4 }, "The checkpoint has no network state 'encoders.0.layers.1.weight'; it was written by a different network.*")]
    [InlineData(new[] { 4, 4 }, new[] { 4 }, "The checkpoint has network state 'encoders.0.layers.1.weight' that this network lacks; it was written by a different network.*")]
    public void A_network_with_other_layers_is_rejected_naming_the_first_state_entry_they_differ_in(int[] saved, int[] resumed, string message)
    {
        var data = TrainingFixtures.Tiny();
        using var checkpoint = new TrainingCheckpoint();
        using (Trainer(saved).Fit(data, checkpoint)) { }

        var act = () => Trainer(resumed).Fit(data, checkpoint);

        act.Should().Throw<ArgumentException>().WithParameterName("checkpoint").WithMessage(message);
    }

    [Fact]
    public void A_network_of_another_width_is_rejected_naming_the_state_and_both_shapes()
    {
        var data = TrainingFixtures.Tiny();
        using var checkpoint = new TrainingCheckpoint();
        using (Trainer(4).Fit(data, checkpoint)) { }

        var act = () => Trainer(2).Fit(data, checkpoint);

        act.Should().Throw<ArgumentException>().WithParameterName("checkpoint")
            .WithMessage("Network state 'encoders.0.layers.0.weight' has shape [4, 3] in the checkpoint but [2, 3] in this network.*");
    }

    [Fact]
    public void A_network_of_another_dtype_is_rejected_naming_the_state_and_both_dtypes()
    {
        var data = TrainingFixtures.Tiny();
        using var checkpoint = new TrainingCheckpoint();
        using (Trainer().Fit(data, checkpoint)) { }
        using var scope = NewDisposeScope();
        var float64 = new BalancedTrainingData(data.ModalityNames, data.Features.Select(x => x.to(ScalarType.Float64)).ToArray(), data.Labels,
            data.ClassCount, data.TrainRows, data.ValidationRows);

        var act = () => Trainer().Fit(float64, checkpoint);

        act.Should().Throw<ArgumentException>().WithParameterName("checkpoint").WithMessage("Network state '*' has dtype Float32 in the checkpoint but Float64 in this network.*");
    }
}
