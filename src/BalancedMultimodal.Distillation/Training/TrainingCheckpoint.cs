using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>
/// The phase-boundary checkpoint of <see cref="BalancedTrainer"/>: the state right after phase 1 (every modality
/// pretrained), from which a run resumes and ends exactly as an uninterrupted run with the same seed.
/// </summary>
/// <remarks>
/// Pass an empty checkpoint to <see cref="BalancedTrainer.Fit(BalancedTrainingData, TrainingCheckpoint, IProgress{TrainingProgress}, CancellationToken)"/>:
/// the trainer fills it as soon as phase 1 ends (before assessment, distillation and phase 2), so it survives a
/// cancellation or failure later in the run. Passing the filled checkpoint to a later <c>Fit</c> (any trainer with the
/// same options and encoder factory) skips phase 1: the network is built exactly as in a fresh run (its encoders draw
/// their initial weights from the seeded generator), then its state (parameters and buffers, i.e. the
/// <c>state_dict</c>) is overwritten with the saved one, the phase-1 scores and progress reports are restored, and
/// TorchSharp's process-wide CPU generator is set back to the saved state (<c>torch.random.set_rng_state</c>, as
/// <c>torch.set_rng_state</c> in PyTorch), so that dropout in the later phases draws the same numbers. Only that CPU
/// generator is saved: on CUDA, whose dropout draws from the CUDA generator, a resumed run is valid but not guaranteed
/// to be identical to an uninterrupted one.
/// The checkpoint holds detached copies of the tensors (on the training device); <see cref="SaveTo"/> and
/// <see cref="Load"/> carry it across processes. Dispose it when done.
/// </remarks>
public sealed class TrainingCheckpoint : IDisposable
{
    private readonly Dictionary<string, Tensor> _networkState = new(StringComparer.Ordinal);
    private Tensor? _generatorState;
    private string[] _modalityNames = Array.Empty<string>();
    private int[] _trainRows = Array.Empty<int>();
    private int[] _validationRows = Array.Empty<int>();
    private int[][] _missingRows = Array.Empty<int[]>();
    private double[] _pretrainingScores = Array.Empty<double>();
    private TrainingProgress[] _pretrainingHistory = Array.Empty<TrainingProgress>();

    /// <summary>True once a run has saved its phase-1 state here; a <c>Fit</c> given a filled checkpoint resumes from it.</summary>
    public bool IsFilled { get; private set; }

    /// <summary>The seed (<see cref="BalancedTrainingOptions.Seed"/>) of the run that filled the checkpoint.</summary>
    public int Seed { get; private set; }

    /// <summary>The modality names of the run that filled the checkpoint, in order.</summary>
    public IReadOnlyList<string> ModalityNames => _modalityNames;

    /// <summary>The training rows (<see cref="BalancedTrainingData.TrainRows"/>) of the run that filled the checkpoint:
    /// a resumed run must train on the same rows, or its phase-1 weights would have seen some of its validation rows.</summary>
    public IReadOnlyList<int> TrainRows => _trainRows;

    /// <summary>The validation rows (<see cref="BalancedTrainingData.ValidationRows"/>) of the run that filled the checkpoint.</summary>
    public IReadOnlyList<int> ValidationRows => _validationRows;

    /// <summary>Per modality (same order as <see cref="ModalityNames"/>), the rows that lacked it in the run that filled
    /// the checkpoint (<see cref="BalancedTrainingData.IsAvailable"/>; empty for a complete modality): phase 1 trained each
    /// modality on its own rows, so a resumed run must lack the same ones.</summary>
    public IReadOnlyList<IReadOnlyList<int>> MissingRows => _missingRows;

    /// <summary>The phase-1 validation macro-F1 of each modality (same order as <see cref="ModalityNames"/>).</summary>
    public IReadOnlyList<double> PretrainingScores => _pretrainingScores;

    /// <summary>The progress reports of phase 1, replayed into the resumed run's history.</summary>
    public IReadOnlyList<TrainingProgress> PretrainingHistory => _pretrainingHistory;

    /// <summary>Names of the saved network state entries (parameters and buffers).</summary>
    public IReadOnlyCollection<string> NetworkStateNames => _networkState.Keys;

    internal void Save(int seed, IReadOnlyList<string> modalityNames, IReadOnlyList<int> trainRows, IReadOnlyList<int> validationRows,
        IReadOnlyList<int[]> missingRows, nn.Module network, IReadOnlyList<double> pretrainingScores, IReadOnlyList<TrainingProgress> history)
    {
        Clear();
        // The detach() handles are freed with the scope; only the clones, detached from it, belong to the checkpoint.
        using (no_grad())
        using (NewDisposeScope())
            foreach (var (name, value) in network.state_dict())
                _networkState[name] = value.detach().clone().DetachFromDisposeScope();
        _generatorState = random.get_rng_state().DetachFromDisposeScope();
        Seed = seed;
        _modalityNames = modalityNames.ToArray();
        _trainRows = trainRows.ToArray();
        _validationRows = validationRows.ToArray();
        _missingRows = missingRows.Select(r => r.ToArray()).ToArray();
        _pretrainingScores = pretrainingScores.ToArray();
        _pretrainingHistory = history.ToArray();
        IsFilled = true;
    }

    /// <summary>Checks that the checkpoint fits the run before any state is changed; throws naming the mismatch.</summary>
    internal void Validate(int seed, IReadOnlyList<string> modalityNames, IReadOnlyList<int> trainRows, IReadOnlyList<int> validationRows,
        IReadOnlyList<int[]> missingRows, nn.Module network, string parameterName)
    {
        if (!IsFilled) throw new ArgumentException("The checkpoint is empty; it cannot be resumed from.", parameterName);
        if (seed != Seed)
            throw new ArgumentException($"The checkpoint was written with Seed {Seed}, but the options have Seed {seed}.", parameterName);
        if (!modalityNames.SequenceEqual(_modalityNames, StringComparer.Ordinal))
            throw new ArgumentException(
                $"The checkpoint was written for modalities [{string.Join(", ", _modalityNames)}], but the data has [{string.Join(", ", modalityNames)}].",
                parameterName);
        if (!trainRows.SequenceEqual(_trainRows) || !validationRows.SequenceEqual(_validationRows))
            throw new ArgumentException(
                $"The checkpoint was written for other rows ({_trainRows.Length} training and {_validationRows.Length} validation rows; the data has " +
                $"{trainRows.Count} and {validationRows.Count}{FirstDifference(trainRows, validationRows)}): a checkpoint of another fold or split " +
                "would resume from weights that were trained on some of this run's validation rows.", parameterName);
        for (int m = 0; m < _modalityNames.Length; m++)
            if (!missingRows[m].SequenceEqual(_missingRows[m]))
                throw new ArgumentException(
                    $"The checkpoint was written with modality '{_modalityNames[m]}' missing on {_missingRows[m].Length} rows, but the data lacks it on " +
                    $"{missingRows[m].Length} other or differently placed rows: phase 1 trained that modality on the rows that had it.", parameterName);
        var state = network.state_dict();
        foreach (var (name, target) in state)
        {
            if (!_networkState.TryGetValue(name, out var saved))
                throw new ArgumentException($"The checkpoint has no network state '{name}'; it was written by a different network.", parameterName);
            if (!saved.shape.SequenceEqual(target.shape))
                throw new ArgumentException(
                    $"Network state '{name}' has shape [{string.Join(", ", saved.shape)}] in the checkpoint but [{string.Join(", ", target.shape)}] in this network.",
                    parameterName);
            if (saved.dtype != target.dtype)
                throw new ArgumentException($"Network state '{name}' has dtype {saved.dtype} in the checkpoint but {target.dtype} in this network.", parameterName);
        }
        var extra = _networkState.Keys.FirstOrDefault(k => !state.ContainsKey(k));
        if (extra is not null)
            throw new ArgumentException($"The checkpoint has network state '{extra}' that this network lacks; it was written by a different network.", parameterName);
    }

    /// <summary>Where the rows first differ, for the message of <see cref="Validate"/>.</summary>
    private string FirstDifference(IReadOnlyList<int> trainRows, IReadOnlyList<int> validationRows)
    {
        static int First(IReadOnlyList<int> a, int[] b)
        {
            int n = Math.Min(a.Count, b.Length);
            for (int i = 0; i < n; i++)
                if (a[i] != b[i]) return i;
            return a.Count == b.Length ? -1 : n;
        }
        int train = First(trainRows, _trainRows);
        if (train >= 0) return $", first differing at training position {train}";
        int validation = First(validationRows, _validationRows);
        return validation >= 0 ? $", first differing at validation position {validation}" : "";
    }

    /// <summary>Copies the saved network state into the network and sets the global generator state.</summary>
    internal void Restore(nn.Module network)
    {
        using (no_grad())
            foreach (var (name, target) in network.state_dict())
                target.copy_(_networkState[name]);
        random.set_rng_state(_generatorState!);
    }

    /// <summary>
    /// Writes the filled checkpoint to a file (binary: a header, the seed, modality names, training and validation rows,
    /// phase-1 scores and reports, then every tensor as dtype, shape and raw bytes, and last a SHA-256 of everything
    /// before it), so a run can resume in another process with <see cref="Load"/>.
    /// </summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <exception cref="InvalidOperationException">The checkpoint is empty.</exception>
    public void SaveTo(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!IsFilled) throw new InvalidOperationException("The checkpoint is empty; there is nothing to save.");
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
            WritePayload(writer);
        using var file = File.Create(path);
        payload.Position = 0;
        payload.CopyTo(file);
        file.Write(System.Security.Cryptography.SHA256.HashData(payload.GetBuffer().AsSpan(0, (int)payload.Length)));
    }

    private void WritePayload(BinaryWriter writer)
    {
        writer.Write(System.Text.Encoding.ASCII.GetBytes(FileMagic));
        writer.Write(Seed);
        writer.Write(_modalityNames.Length);
        foreach (var name in _modalityNames) writer.Write(name);
        WriteRows(writer, _trainRows);
        WriteRows(writer, _validationRows);
        foreach (var rows in _missingRows) WriteRows(writer, rows);
        foreach (var score in _pretrainingScores) writer.Write(score);
        writer.Write(_pretrainingHistory.Length);
        foreach (var report in _pretrainingHistory) WriteReport(writer, report);
        writer.Write(_networkState.Count);
        foreach (var (name, value) in _networkState)
        {
            writer.Write(name);
            WriteTensor(writer, value);
        }
        WriteTensor(writer, _generatorState!);
    }

    /// <summary>Reads a checkpoint written by <see cref="SaveTo"/>; its tensors are on the default device until restored.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <returns>A filled checkpoint; the caller disposes it.</returns>
    /// <exception cref="InvalidDataException">The file is not a checkpoint (or one of an older format), is truncated, or is
    /// corrupt: its SHA-256 does not match its content, a negative count or one larger than the rest of the file can
    /// hold, an unknown progress phase, an unknown or unsupported tensor dtype code, a negative dimension, or a tensor whose
    /// element count does not match its byte count (all checked before anything is allocated for them).</exception>
    public static TrainingCheckpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = File.ReadAllBytes(path);
        int hashLength = System.Security.Cryptography.SHA256.HashSizeInBytes;
        if (bytes.Length < FileMagic.Length + hashLength
            || System.Text.Encoding.ASCII.GetString(bytes, 0, FileMagic.Length) != FileMagic)
            throw new InvalidDataException($"'{path}' is not a training checkpoint of this version (expected header {FileMagic}); delete it to train phase 1 again.");
        if (!System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - hashLength)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - hashLength)))
            throw new InvalidDataException($"The checkpoint file '{path}' is corrupt (its SHA-256 does not match its content); delete it to train phase 1 again.");
        using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - hashLength, writable: false));
        var checkpoint = new TrainingCheckpoint();
        try
        {
            reader.ReadBytes(FileMagic.Length);
            int seed = reader.ReadInt32();
            // Each name is at least its 1-byte length prefix and is followed by its 8-byte score.
            var names = new string[ReadCount(reader, path, 1 + sizeof(double), "modality names")];
            for (int i = 0; i < names.Length; i++) names[i] = reader.ReadString();
            var trainRows = ReadRows(reader, path, "training rows");
            var validationRows = ReadRows(reader, path, "validation rows");
            var missingRows = new int[names.Length][];
            for (int i = 0; i < names.Length; i++) missingRows[i] = ReadRows(reader, path, "missing rows");
            var scores = new double[names.Length];
            for (int i = 0; i < scores.Length; i++) scores[i] = reader.ReadDouble();
            var history = new TrainingProgress[ReadCount(reader, path, MinimumReportBytes, "progress reports")];
            for (int i = 0; i < history.Length; i++) history[i] = ReadReport(reader, path);
            int entries = ReadCount(reader, path, 1 + MinimumTensorBytes, "network state entries");
            for (int i = 0; i < entries; i++)
            {
                var name = reader.ReadString();
                if (checkpoint._networkState.ContainsKey(name))
                    throw new InvalidDataException($"The checkpoint file '{path}' is corrupt (network state '{name}' appears twice).");
                checkpoint._networkState[name] = ReadTensor(reader, path);
            }
            checkpoint._generatorState = ReadTensor(reader, path);
            checkpoint.Seed = seed;
            checkpoint._modalityNames = names;
            checkpoint._trainRows = trainRows;
            checkpoint._validationRows = validationRows;
            checkpoint._missingRows = missingRows;
            checkpoint._pretrainingScores = scores;
            checkpoint._pretrainingHistory = history;
            checkpoint.IsFilled = true;
            return checkpoint;
        }
        catch (EndOfStreamException e)
        {
            checkpoint.Dispose();
            throw new InvalidDataException($"The checkpoint file '{path}' is truncated.", e);
        }
        catch (FormatException e)
        {
            // BinaryReader.ReadString's 7-bit length prefix was malformed.
            checkpoint.Dispose();
            throw new InvalidDataException($"The checkpoint file '{path}' is corrupt (a malformed string length).", e);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    // Version 3 (twenty-second session) adds each modality's missing rows after the validation rows.
    private const string FileMagic = "BalancedMultimodal.TrainingCheckpoint/3";

    private static void WriteRows(BinaryWriter writer, int[] rows)
    {
        writer.Write(rows.Length);
        foreach (int row in rows) writer.Write(row);
    }

    private static int[] ReadRows(BinaryReader reader, string path, string what)
    {
        var rows = new int[ReadCount(reader, path, sizeof(int), what)];
        for (int i = 0; i < rows.Length; i++) rows[i] = reader.ReadInt32();
        return rows;
    }

    /// <summary>The fewest bytes a progress report takes: phase, flag, epoch, max epochs, loss, score and two value counts.</summary>
    private const int MinimumReportBytes = sizeof(int) + 1 + 2 * sizeof(int) + 2 * sizeof(double) + 2 * sizeof(int);

    /// <summary>The fewest bytes a tensor takes: dtype code, rank and byte count.</summary>
    private const int MinimumTensorBytes = 3 * sizeof(int);

    /// <summary>Bytes per element of the dtypes a checkpoint can hold (state dicts and generator states).</summary>
    private static readonly Dictionary<ScalarType, int> ElementSizes = new()
    {
        [ScalarType.Byte] = 1, [ScalarType.Int8] = 1, [ScalarType.Bool] = 1,
        [ScalarType.Int16] = 2, [ScalarType.Float16] = 2, [ScalarType.BFloat16] = 2,
        [ScalarType.Int32] = 4, [ScalarType.Float32] = 4,
        [ScalarType.Int64] = 8, [ScalarType.Float64] = 8, [ScalarType.ComplexFloat32] = 8,
        [ScalarType.ComplexFloat64] = 16,
    };

    /// <summary>Reads a count of items that each take at least <paramref name="minimumBytesPerItem"/> bytes, rejecting
    /// a negative count or one the rest of the file cannot hold (so a corrupt count never becomes a huge allocation).</summary>
    private static int ReadCount(BinaryReader reader, string path, int minimumBytesPerItem, string what)
    {
        int count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException($"The checkpoint file '{path}' is corrupt (negative count {count} of {what}).");
        long remaining = Remaining(reader);
        if ((long)count * minimumBytesPerItem > remaining)
            throw new InvalidDataException(
                $"The checkpoint file '{path}' is corrupt or truncated ({count} {what} need at least {(long)count * minimumBytesPerItem} bytes; {remaining} remain).");
        return count;
    }

    private static long Remaining(BinaryReader reader) => reader.BaseStream.Length - reader.BaseStream.Position;

    private static void WriteTensor(BinaryWriter writer, Tensor value)
    {
        writer.Write((int)value.dtype);
        writer.Write(value.shape.Length);
        foreach (var d in value.shape) writer.Write(d);
        // cpu() returns a new handle even for a CPU tensor, and contiguous() another: the scope frees both.
        using var scope = NewDisposeScope();
        var host = value.cpu().contiguous();
        var bytes = host.bytes.ToArray();
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static Tensor ReadTensor(BinaryReader reader, string path)
    {
        int code = reader.ReadInt32();
        var dtype = (ScalarType)code;
        if (!Enum.IsDefined(dtype) || !ElementSizes.TryGetValue(dtype, out int elementSize))
            throw new InvalidDataException($"The checkpoint file '{path}' is corrupt (unknown or unsupported tensor dtype code {code}).");
        var shape = new long[ReadCount(reader, path, sizeof(long), "tensor dimensions")];
        long elements = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            shape[i] = reader.ReadInt64();
            if (shape[i] < 0)
                throw new InvalidDataException($"The checkpoint file '{path}' is corrupt (dimension {i} of a tensor is {shape[i]}).");
            // Saturates instead of overflowing: any count above the byte count below is rejected there.
            elements = shape[i] == 0 || elements == 0 ? 0 : elements > long.MaxValue / shape[i] ? long.MaxValue : elements * shape[i];
        }
        int byteCount = ReadCount(reader, path, 1, "tensor bytes");
        if (elements > byteCount || elements * elementSize != byteCount)
            throw new InvalidDataException(
                $"The checkpoint file '{path}' is corrupt (a {dtype} tensor of shape [{string.Join(", ", shape)}] has {byteCount} bytes).");
        var bytes = reader.ReadBytes(byteCount);
        // On the CPU whatever the default device: the bytes are host memory, and the generator state must be a CPU tensor.
        var result = empty(shape, dtype: dtype, device: CPU);
        if (result.bytes.Length != bytes.Length)
        {
            result.Dispose();
            throw new InvalidDataException($"The checkpoint file '{path}' is corrupt (a tensor of shape [{string.Join(", ", shape)}] has {bytes.Length} bytes).");
        }
        result.bytes = bytes;
        return result.DetachFromDisposeScope();
    }

    private static void WriteReport(BinaryWriter writer, TrainingProgress report)
    {
        writer.Write((int)report.Phase);
        writer.Write(report.Modality is not null);
        if (report.Modality is not null) writer.Write(report.Modality);
        writer.Write(report.Epoch);
        writer.Write(report.MaxEpochs);
        writer.Write(report.Loss);
        writer.Write(report.ValidationScore);
        WriteValues(writer, report.ModalityScores);
        WriteValues(writer, report.Weights);
    }

    private static TrainingProgress ReadReport(BinaryReader reader, string path)
    {
        int code = reader.ReadInt32();
        var phase = (TrainingPhase)code;
        if (!Enum.IsDefined(phase))
            throw new InvalidDataException($"The checkpoint file '{path}' is corrupt (unknown training phase code {code}).");
        var modality = reader.ReadBoolean() ? reader.ReadString() : null;
        return new TrainingProgress(phase, modality, reader.ReadInt32(), reader.ReadInt32(), reader.ReadDouble(), reader.ReadDouble(),
            ReadValues(reader, path), ReadValues(reader, path));
    }

    private static void WriteValues(BinaryWriter writer, IReadOnlyList<double>? values)
    {
        writer.Write(values?.Count ?? -1);
        if (values is not null) foreach (var v in values) writer.Write(v);
    }

    private static double[]? ReadValues(BinaryReader reader, string path)
    {
        int count = reader.ReadInt32();
        if (count == -1) return null; // WriteValues' mark of a null list
        if (count < 0) throw new InvalidDataException($"The checkpoint file '{path}' is corrupt (negative count {count} of progress-report values).");
        if ((long)count * sizeof(double) > Remaining(reader))
            throw new InvalidDataException($"The checkpoint file '{path}' is corrupt or truncated ({count} values of a progress report; {Remaining(reader)} bytes remain).");
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = reader.ReadDouble();
        return values;
    }

    /// <summary>Releases the saved tensors and empties the checkpoint.</summary>
    public void Dispose() => Clear();

    private void Clear()
    {
        foreach (var t in _networkState.Values) t.Dispose();
        _networkState.Clear();
        _generatorState?.Dispose();
        _generatorState = null;
        IsFilled = false;
    }
}
