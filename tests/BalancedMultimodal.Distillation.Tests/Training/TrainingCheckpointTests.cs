using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

[Collection(GlobalGeneratorCollection.Name)]
public class TrainingCheckpointTests
{
    [Fact]
    public void A_run_interrupted_after_phase_1_resumes_and_ends_exactly_like_an_uninterrupted_run()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        var options = TrainingFixtures.FastOptions(seed: 5);
        using var uninterrupted = TrainingFixtures.Trainer(options).Fit(data);

        using var checkpoint = InterruptedAfterPhase1(data, options);
        using var resumed = TrainingFixtures.Trainer(options).Fit(data, checkpoint);

        resumed.FusedProbabilities.data<float>().ToArray().Should().Equal(uninterrupted.FusedProbabilities.data<float>().ToArray());
        for (int m = 0; m < data.ModalityCount; m++)
            resumed.ModalityProbabilities[m].data<float>().ToArray().Should().Equal(uninterrupted.ModalityProbabilities[m].data<float>().ToArray());
        resumed.PretrainingScores.Should().Equal(uninterrupted.PretrainingScores);
        resumed.DistilledScores.Should().Equal(uninterrupted.DistilledScores);
        resumed.FinalModalityScores.Should().Equal(uninterrupted.FinalModalityScores);
        resumed.FusedValidationScore.Should().Be(uninterrupted.FusedValidationScore);
        resumed.FinalWeights.Should().Equal(uninterrupted.FinalWeights);
        resumed.History.Should().HaveCount(uninterrupted.History.Count);
    }

    [Fact]
    public void A_checkpoint_saved_to_a_file_and_loaded_resumes_exactly_like_an_uninterrupted_run()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        var options = TrainingFixtures.FastOptions(seed: 7);
        using var uninterrupted = TrainingFixtures.Trainer(options).Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"bmm-checkpoint-{Guid.NewGuid():N}.bin");
        try
        {
            using (var interrupted = InterruptedAfterPhase1(data, options)) interrupted.SaveTo(path);

            using var loaded = TrainingCheckpoint.Load(path);
            using var resumed = TrainingFixtures.Trainer(options).Fit(data, loaded);

            resumed.FusedProbabilities.data<float>().ToArray().Should().Equal(uninterrupted.FusedProbabilities.data<float>().ToArray());
            resumed.PretrainingScores.Should().Equal(uninterrupted.PretrainingScores);
            resumed.FinalWeights.Should().Equal(uninterrupted.FinalWeights);
            resumed.History.Should().Equal(uninterrupted.History, (a, b) => a.Phase == b.Phase && a.Modality == b.Modality && a.Epoch == b.Epoch
                && a.Loss == b.Loss && a.ValidationScore == b.ValidationScore);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_rejected_as_invalid_data()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bmm-not-a-checkpoint-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllText(path, "modality,value\nstrong,1\n");

            var act = () => TrainingCheckpoint.Load(path);

            act.Should().Throw<InvalidDataException>().WithMessage("*not a training checkpoint*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_minimal_hand_written_checkpoint_file_loads()
    {
        using var file = new CraftedCheckpoint(w => WriteTensor(w, dtype: 0, shape: [4], bytes: 4)); // generator state: 4 bytes

        using var loaded = TrainingCheckpoint.Load(file.Path);

        loaded.IsFilled.Should().BeTrue();
        loaded.Seed.Should().Be(3);
        loaded.TrainRows.Should().Equal(0, 1);
        loaded.ValidationRows.Should().Equal(2);
        loaded.NetworkStateNames.Should().Equal("w");
    }

    [Theory]
    [InlineData(99, new long[] { 2 }, 8, "*unknown or unsupported tensor dtype code 99*")]
    [InlineData(12, new long[] { 2 }, 2, "*unknown or unsupported tensor dtype code 12*")] // QInt8: defined, not a state-dict dtype
    [InlineData(6, new long[] { 2, -3 }, 8, "*dimension 1 of a tensor is -3*")]
    [InlineData(6, new long[] { 1L << 40, 1L << 40 }, 8, "*Float32 tensor of shape [1099511627776, 1099511627776] has 8 bytes*")]
    [InlineData(6, new long[] { 2 }, int.MaxValue, "*2147483647 tensor bytes need at least 2147483647 bytes*remain*")]
    public void A_corrupt_tensor_record_after_a_valid_header_is_invalid_data(int dtype, long[] shape, int bytes, string message)
    {
        using var file = new CraftedCheckpoint(w => WriteTensor(w, dtype, shape, bytes), corruptFirstEntry: true);

        var act = () => TrainingCheckpoint.Load(file.Path);

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void A_huge_count_after_a_valid_header_is_invalid_data_not_an_out_of_memory()
    {
        using var file = new CraftedCheckpoint(w => { }, modalityCount: int.MaxValue);

        var act = () => TrainingCheckpoint.Load(file.Path);

        act.Should().Throw<InvalidDataException>().WithMessage("*2147483647 modality names need at least*");
    }

    [Fact]
    public void The_checkpoint_is_filled_with_the_phase_1_scores_before_the_interruption()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        var options = TrainingFixtures.FastOptions(seed: 5);

        using var checkpoint = InterruptedAfterPhase1(data, options);

        checkpoint.IsFilled.Should().BeTrue();
        checkpoint.Seed.Should().Be(5);
        checkpoint.ModalityNames.Should().Equal("strong", "weak", "noise");
        checkpoint.PretrainingScores.Should().HaveCount(3).And.OnlyContain(s => s >= 0 && s <= 1);
        checkpoint.PretrainingHistory.Should().NotBeEmpty().And.OnlyContain(p => p.Phase == TrainingPhase.Pretraining);
    }

    [Fact]
    public void A_checkpoint_written_by_a_network_of_another_shape_is_rejected_naming_the_state()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        var options = TrainingFixtures.FastOptions();
        using var checkpoint = InterruptedAfterPhase1(data, options);
        var narrower = new BalancedTrainer(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [8], Dropout = 0.2 }),
            new GaussianMutualInformationEstimator(), options);

        var act = () => narrower.Fit(data, checkpoint);

        act.Should().Throw<ArgumentException>().WithParameterName("checkpoint").WithMessage("*shape*");
    }

    [Fact]
    public void A_checkpoint_written_for_other_modalities_is_rejected_naming_them()
    {
        var dataset = TrainingFixtures.StrongWeakNoise();
        var data = TrainingFixtures.ToTrainingData(dataset);
        var options = TrainingFixtures.FastOptions();
        using var checkpoint = InterruptedAfterPhase1(data, options);
        var twoModalities = new BalancedTrainingData(["strong", "weak"], [data.Features[0], data.Features[1]], data.Labels, data.ClassCount,
            data.TrainRows, data.ValidationRows);

        var act = () => TrainingFixtures.Trainer(options).Fit(twoModalities, checkpoint);

        act.Should().Throw<ArgumentException>().WithParameterName("checkpoint").WithMessage("*strong, weak, noise*strong, weak]*");
    }

    [Fact]
    public void A_checkpoint_of_another_fold_is_rejected_before_it_can_leak_validation_rows_into_training()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        var options = TrainingFixtures.FastOptions();
        using var checkpoint = InterruptedAfterPhase1(data, options);
        // Another fold: the first validation row trains, the first training row validates.
        int[] train = [data.ValidationRows[0], .. data.TrainRows.Skip(1)];
        int[] validation = [data.TrainRows[0], .. data.ValidationRows.Skip(1)];
        var otherFold = new BalancedTrainingData(data.ModalityNames.ToArray(), data.Features.ToArray(), data.Labels, data.ClassCount,
            train.Order().ToArray(), validation.Order().ToArray());

        var act = () => TrainingFixtures.Trainer(options).Fit(otherFold, checkpoint);

        act.Should().Throw<ArgumentException>().WithParameterName("checkpoint").WithMessage("*written for other rows*another fold*");
    }

    [Fact]
    public void A_changed_byte_in_a_saved_checkpoint_is_reported_as_corrupt_naming_the_file()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        using var checkpoint = InterruptedAfterPhase1(data, TrainingFixtures.FastOptions());
        var path = Path.Combine(Path.GetTempPath(), $"bmm-flipped-{Guid.NewGuid():N}.ckpt");
        try
        {
            checkpoint.SaveTo(path);
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0x40;   // inside the network weights
            File.WriteAllBytes(path, bytes);

            var act = () => TrainingCheckpoint.Load(path);

            act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}' is corrupt (its SHA-256 does not match*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Saving_outside_any_dispose_scope_leaves_no_tensor_behind()
    {
        // Each saved tensor went through cpu().contiguous() and only the contiguous() result was disposed: cpu() returns
        // a new handle even for a CPU tensor, so every SaveTo left one tensor per entry alive (45 after three saves).
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        using var checkpoint = InterruptedAfterPhase1(data, TrainingFixtures.FastOptions());
        var path = Path.Combine(Path.GetTempPath(), $"bmm-live-{Guid.NewGuid():N}.ckpt");
        try
        {
            checkpoint.SaveTo(path);   // warm-up
            long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

            for (int i = 0; i < 3; i++)
                checkpoint.SaveTo(path);

            TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_checkpoint_written_with_another_seed_is_rejected()
    {
        var data = TrainingFixtures.ToTrainingData(TrainingFixtures.StrongWeakNoise());
        using var checkpoint = InterruptedAfterPhase1(data, TrainingFixtures.FastOptions(seed: 0));

        var act = () => TrainingFixtures.Trainer(TrainingFixtures.FastOptions(seed: 1)).Fit(data, checkpoint);

        act.Should().Throw<ArgumentException>().WithParameterName("checkpoint").WithMessage("*Seed 0*Seed 1*");
    }

    [Fact]
    public void A_progress_report_is_read_back_field_by_field()
    {
        using var file = new CraftedCheckpoint(w => WriteTensor(w, dtype: 0, shape: [4], bytes: 4), history: w =>
        {
            w.Write(1);
            WriteReport(w, phase: 1, modality: "a", values: 0);
            w.Write(2);
            w.Write(0.75);
            w.Write(1.25);
        });

        using var loaded = TrainingCheckpoint.Load(file.Path);

        var report = loaded.PretrainingHistory.Should().ContainSingle().Which;
        report.Should().Match<TrainingProgress>(r => r.Phase == TrainingPhase.Distillation && r.Modality == "a" && r.Epoch == 2 && r.MaxEpochs == 5
            && r.Loss == 0.25 && r.ValidationScore == 0.5);
        report.ModalityScores.Should().BeEmpty("a count of 0 is an empty list, -1 a null one");
        report.Weights.Should().Equal(0.75, 1.25);
        loaded.PretrainingScores.Should().Equal(0.5);
        loaded.ModalityNames.Should().Equal("a");
    }

    [Theory]
    [InlineData(7, -2, "*unknown training phase code 7*")]
    [InlineData(0, -2, "*negative count -2 of progress-report values*")]
    [InlineData(0, 400, "*400 values of a progress report*bytes remain*")]   // 3200 bytes: more than the file's rest, 400 / 8 would not be
    public void A_corrupt_progress_report_is_invalid_data(int phase, int values, string message)
    {
        using var file = new CraftedCheckpoint(w => WriteTensor(w, dtype: 0, shape: [4], bytes: 4), history: w =>
        {
            w.Write(1);
            WriteReport(w, phase, modality: null, values);
        });

        var act = () => TrainingCheckpoint.Load(file.Path);

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void A_malformed_string_length_is_invalid_data()
    {
        using var file = new CraftedCheckpoint(w => WriteTensor(w, dtype: 0, shape: [4], bytes: 4), history: w =>
        {
            w.Write(1);
            w.Write(0);
            w.Write(true);
            w.Write(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF });   // a 7-bit length that never ends
        });

        var act = () => TrainingCheckpoint.Load(file.Path);

        act.Should().Throw<InvalidDataException>().WithMessage($"The checkpoint file '{file.Path}' is corrupt (a malformed string length).")
            .WithInnerException<FormatException>();
    }

    [Fact]
    public void A_file_that_ends_early_is_truncated_and_a_repeated_state_entry_is_corrupt()
    {
        using var truncated = new CraftedCheckpoint(w => { });   // no generator state
        using var repeated = new CraftedCheckpoint(w => WriteTensor(w, dtype: 0, shape: [4], bytes: 4), entries: 2);

        FluentActions.Invoking(() => TrainingCheckpoint.Load(truncated.Path)).Should().Throw<InvalidDataException>()
            .WithMessage($"The checkpoint file '{truncated.Path}' is truncated.").WithInnerException<EndOfStreamException>();
        FluentActions.Invoking(() => TrainingCheckpoint.Load(repeated.Path)).Should().Throw<InvalidDataException>()
            .WithMessage("*corrupt (network state 'w' appears twice)*");
    }

    [Fact]
    public void A_negative_count_is_invalid_data()
    {
        using var file = new CraftedCheckpoint(w => { }, modalityCount: -1);

        var act = () => TrainingCheckpoint.Load(file.Path);

        act.Should().Throw<InvalidDataException>().WithMessage("*corrupt (negative count -1 of modality names)*");
    }

    [Fact]
    public void A_file_of_only_the_header_and_its_hash_is_truncated()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bmm-header-only-{Guid.NewGuid():N}.bin");
        try
        {
            var header = System.Text.Encoding.ASCII.GetBytes("BalancedMultimodal.TrainingCheckpoint/3");
            File.WriteAllBytes(path, [.. header, .. System.Security.Cryptography.SHA256.HashData(header)]);

            var act = () => TrainingCheckpoint.Load(path);

            act.Should().Throw<InvalidDataException>().WithMessage("*is truncated.");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new long[] { 0 })]
    [InlineData(new long[] { 0, 5 })]
    public void A_tensor_with_a_zero_dimension_loads(long[] shape)
    {
        using var file = new CraftedCheckpoint(w => WriteTensor(w, dtype: 6, shape, bytes: 0));

        using var loaded = TrainingCheckpoint.Load(file.Path);

        loaded.IsFilled.Should().BeTrue();
    }

    [Theory]
    [InlineData(6, new long[] { (1L << 62) + 1, 4 }, 16, "*Float32 tensor of shape [4611686018427387905, 4] has 16 bytes*")]   // 2^64 + 4 elements: 4 if the product wrapped
    [InlineData(6, new long[] { 2 }, 4, "*a Float32 tensor of shape [2] has 4 bytes*")]
    public void A_tensor_whose_bytes_do_not_match_its_shape_is_invalid_data(int dtype, long[] shape, int bytes, string message)
    {
        using var file = new CraftedCheckpoint(w => WriteTensor(w, dtype, shape, bytes));

        var act = () => TrainingCheckpoint.Load(file.Path);

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void A_negative_tensor_rank_is_invalid_data()
    {
        using var file = new CraftedCheckpoint(w =>
        {
            w.Write(0);
            w.Write(-1);
        });

        var act = () => TrainingCheckpoint.Load(file.Path);

        act.Should().Throw<InvalidDataException>().WithMessage("*corrupt (negative count -1 of tensor dimensions)*");
    }

    [Fact]
    public void A_count_larger_than_the_rest_of_the_file_names_the_bytes_it_needs_and_those_that_remain()
    {
        using var file = new CraftedCheckpoint(w => { }, modalityCount: int.MaxValue);

        var act = () => TrainingCheckpoint.Load(file.Path);

        // Each name takes at least 1 + 8 bytes; nothing follows the count.
        act.Should().Throw<InvalidDataException>().WithMessage("*(2147483647 modality names need at least 19327352823 bytes; 0 remain).");
    }

    [Theory]
    [InlineData(2, 1, "*(2 modality names need at least 18 bytes; 0 remain).")]   // 2 / 9 would be 0
    [InlineData(1, int.MaxValue, "*(2147483647 network state entries need at least 27917287411 bytes; * remain).")]
    public void A_count_the_rest_of_the_file_cannot_hold_is_named_with_its_bytes(int modalityCount, int entries, string message)
    {
        using var file = new CraftedCheckpoint(w => WriteTensor(w, dtype: 0, shape: [4], bytes: 4), modalityCount: modalityCount, entries: entries);

        var act = () => TrainingCheckpoint.Load(file.Path);

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    /// <summary>A progress report as SaveTo writes it: phase code, modality flag (and name), epoch 2, max epochs 5, loss
    /// 0.25, score 0.5, then the modality-score count <paramref name="values"/> (-1: null), whose values the caller writes.</summary>
    private static void WriteReport(BinaryWriter writer, int phase, string? modality, int values)
    {
        writer.Write(phase);
        writer.Write(modality is not null);
        if (modality is not null) writer.Write(modality);
        writer.Write(2);
        writer.Write(5);
        writer.Write(0.25);
        writer.Write(0.5);
        writer.Write(values);
    }

    /// <summary>Runs with an empty checkpoint and cancels at the first report after phase 1; returns the filled checkpoint.</summary>
    private static TrainingCheckpoint InterruptedAfterPhase1(BalancedTrainingData data, BalancedTrainingOptions options)
    {
        var checkpoint = new TrainingCheckpoint();
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase != TrainingPhase.Pretraining) cancellation.Cancel();
        });
        var act = () => TrainingFixtures.Trainer(options).Fit(data, checkpoint, progress, cancellation.Token);
        act.Should().Throw<OperationCanceledException>();
        return checkpoint;
    }

    /// <summary>A tensor record as SaveTo writes it (dtype code, rank, dimensions, byte count, bytes), with
    /// <paramref name="bytes"/> zero bytes when that is small (a huge count is written without its bytes).</summary>
    private static void WriteTensor(BinaryWriter writer, int dtype, long[] shape, int bytes)
    {
        writer.Write(dtype);
        writer.Write(shape.Length);
        foreach (var d in shape) writer.Write(d);
        writer.Write(bytes);
        if (bytes <= 1024) writer.Write(new byte[bytes]);
    }

    /// <summary>A checkpoint file in SaveTo's format with seed 3, one modality "a", training rows {0, 1} and validation row
    /// {2}, score 0.5, no progress report (or the history section the history callback writes) and one network state entry
    /// "w" (a valid float32 [2] tensor, or the record the callback writes when corruptFirstEntry; written twice when
    /// entries &gt; 1, whatever the count written), then the generator state (the record the callback writes, or a valid one), and the SHA-256 of all that (so
    /// the parser, not the checksum, meets the crafted content); deleted on dispose.</summary>
    private sealed class CraftedCheckpoint : IDisposable
    {
        public CraftedCheckpoint(Action<BinaryWriter> last, bool corruptFirstEntry = false, int modalityCount = 1,
            Action<BinaryWriter>? history = null, int entries = 1)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bmm-crafted-{Guid.NewGuid():N}.bin");
            using var payload = new MemoryStream();
            using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
                Write(writer, last, corruptFirstEntry, modalityCount, history ?? (w => w.Write(0)), entries);
            File.WriteAllBytes(Path, [.. payload.ToArray(), .. System.Security.Cryptography.SHA256.HashData(payload.ToArray())]);
        }

        private static void Write(BinaryWriter writer, Action<BinaryWriter> last, bool corruptFirstEntry, int modalityCount,
            Action<BinaryWriter> history, int entries)
        {
            writer.Write(System.Text.Encoding.ASCII.GetBytes("BalancedMultimodal.TrainingCheckpoint/3"));
            writer.Write(3);
            writer.Write(modalityCount);
            if (modalityCount != 1) return;
            writer.Write("a");
            writer.Write(2);
            writer.Write(0);
            writer.Write(1);
            writer.Write(1);
            writer.Write(2);
            writer.Write(0);   // the modality's missing rows: none
            writer.Write(0.5);
            history(writer);
            writer.Write(entries);
            for (int i = 1; i < Math.Min(entries, 2); i++)
            {
                writer.Write("w");
                WriteTensor(writer, dtype: 6, shape: [2], bytes: 8);
            }
            writer.Write("w");
            if (corruptFirstEntry)
            {
                last(writer);
                WriteTensor(writer, dtype: 0, shape: [4], bytes: 4);
            }
            else
            {
                WriteTensor(writer, dtype: 6, shape: [2], bytes: 8);
                last(writer);
            }
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
