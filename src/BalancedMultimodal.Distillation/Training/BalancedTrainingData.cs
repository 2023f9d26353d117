using BalancedMultimodal.Core;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>
/// The input of <see cref="BalancedTrainer"/>: per-modality feature matrices over the same n samples, their labels,
/// and which rows are labelled for training and for validation (everything else is unlabelled, e.g. test rows in
/// transductive training: their labels are never read).
/// </summary>
/// <remarks>Validated at construction, before any training: at least two modalities with non-empty, distinct names; every feature matrix 2-D,
/// float32, float64 or bfloat16 (float16 is rejected: Adam's epsilon 1e-8 and small squared gradients round to 0 there,
/// so training would turn to NaN), finite, with n rows, on one device and dtype; labels int64 of length n; training and validation
/// rows non-empty, in range, distinct and disjoint; labels of those rows in [0, C); every class present among the
/// training rows and at least one validation row per class. The object does not own the tensors: keep them alive and
/// unchanged until training is done. The checks (and <see cref="LabelValues"/>, the labels copied to the host at
/// construction) see the values of that moment, so a tensor edited in place afterwards would be trained on unchecked
/// and its labels would disagree with <see cref="LabelValues"/>; build a new object instead.
/// <para>Incomplete samples (optional <c>availability</c>): a sample may lack some modalities, but not all; every
/// modality needs at least one available training row and one available validation row. The values of a modality's
/// unavailable rows are never read (they may hold NaN): the trainer replaces them by the mean of the modality's available
/// rows (mean imputation of the input; for a linear encoder, exactly the mean embedding), trains each modality's head and
/// distillation terms on the rows that have the modality, the fused head on every training row, and scores a modality's head
/// on its available validation rows. The finiteness and variance checks above apply to the available rows.</para></remarks>
public sealed class BalancedTrainingData
{
    /// <summary>Creates and validates the training input.</summary>
    /// <param name="modalityNames">One distinct, non-empty name per modality.</param>
    /// <param name="features">Per-modality features, shape (n, d_m), same device and dtype (float32, float64 or bfloat16).</param>
    /// <param name="labels">Labels of all n rows, int64, shape (n); only training and validation rows are read.</param>
    /// <param name="classCount">Number of classes C (at least 2).</param>
    /// <param name="trainRows">Labelled rows used for the loss.</param>
    /// <param name="validationRows">Labelled rows used only to score, weight, select checkpoints and stop early.</param>
    /// <param name="availability">Optional: per modality, n flags saying which rows have the modality (null, or a null
    /// entry: every row has it). See the remarks.</param>
    /// <exception cref="ArgumentException">A rule of the remarks is broken; the message names the modality (by index for
    /// a null, empty or repeated name), row or class.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="features"/> has been
    /// disposed; <see cref="ObjectDisposedException.ObjectName"/> names the parameter (<c>features[i]</c> for an
    /// entry).</exception>
    public BalancedTrainingData(
        IReadOnlyList<string> modalityNames,
        IReadOnlyList<Tensor> features,
        Tensor labels,
        int classCount,
        IReadOnlyList<int> trainRows,
        IReadOnlyList<int> validationRows,
        IReadOnlyList<IReadOnlyList<bool>?>? availability = null)
    {
        ArgumentNullException.ThrowIfNull(modalityNames);
        TensorArgument.ThrowIfNullOrAnyDisposed(features);
        TensorArgument.ThrowIfNullOrDisposed(labels);
        ArgumentNullException.ThrowIfNull(trainRows);
        ArgumentNullException.ThrowIfNull(validationRows);
        if (features.Count < 2)
            throw new ArgumentException($"Balanced multimodal training needs at least two modalities, got {features.Count}.", nameof(features));
        if (modalityNames.Count != features.Count)
            throw new ArgumentException($"{modalityNames.Count} modality names were given for {features.Count} feature matrices.", nameof(modalityNames));
        var seenNames = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int m = 0; m < modalityNames.Count; m++)
        {
            var name = modalityNames[m];
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException($"Modality {m} has {(name is null ? "a null" : "an empty")} name; every modality needs a non-empty name.", nameof(modalityNames));
            if (!seenNames.TryAdd(name, m))
                throw new ArgumentException($"Modality names must be distinct: '{name}' names modalities {seenNames[name]} and {m}.", nameof(modalityNames));
        }
        if (classCount < 2)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "At least two classes are needed.");
        if (labels.dim() != 1 || labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"Labels must be a 1-D int64 tensor, got {labels.dtype} of shape ({string.Join(", ", labels.shape)}).", nameof(labels));
        long n = labels.shape[0];
        // Every modality agreeing on a row count other than the labels': the labels are the odd one out.
        var rowCounts = features.Select(f => f is { } x && x.dim() == 2 ? x.shape[0] : -1).Distinct().ToArray();
        if (rowCounts is [var featureRows] && featureRows >= 0 && featureRows != n)
            throw new ArgumentException(
                $"The labels have {n} entries, but every modality's features have {featureRows} rows; give one label per row (of every row, labelled or not).",
                nameof(labels));
        var available = CheckAvailability(availability, modalityNames, features.Count, n);
        var first = features[0];
        for (int m = 0; m < features.Count; m++)
        {
            var x = features[m] ?? throw new ArgumentNullException(nameof(features), $"Modality '{modalityNames[m]}' has no features.");
            if (x.dim() != 2 || x.shape[0] != n || x.shape[1] < 1)
                throw new ArgumentException($"Modality '{modalityNames[m]}': features must have shape ({n}, d >= 1), got ({string.Join(", ", x.shape)}).", nameof(features));
            if (!x.is_floating_point())
                throw new ArgumentException($"Modality '{modalityNames[m]}': features must be floating point, got {x.dtype}.", nameof(features));
            if (x.dtype == ScalarType.Float16)
                throw new ArgumentException(
                    $"Modality '{modalityNames[m]}': float16 features are not supported: Adam's epsilon (1e-8) and small squared gradients " +
                    "round to 0 in float16, so training turns to NaN; use float32 (or float64, bfloat16).", nameof(features));
            if (x.dtype != first.dtype || x.device.type != first.device.type || x.device.index != first.device.index)
                throw new ArgumentException($"Modality '{modalityNames[m]}' is {x.dtype} on {x.device}, but modality '{modalityNames[0]}' is {first.dtype} on {first.device}; all must match.", nameof(features));
            // The checks' n x d temporaries are freed per modality.
            using var checkScope = NewDisposeScope();
            if (available[m] is { } rowsWith)
                x = x.index_select(0, tensor(rowsWith.Select((a, i) => (a, i)).Where(t => t.a).Select(t => (long)t.i).ToArray(), device: x.device));
            var bad = x.isfinite().logical_not().nonzero();
            if (bad.shape[0] > 0)
                throw new ArgumentException($"Modality '{modalityNames[m]}': row {AvailableRow(available[m], bad[0, 0].item<long>())}, column {bad[0, 1].item<long>()} is not finite.", nameof(features));
            if (x.std(0).max().to(ScalarType.Float64).item<double>() == 0)
                throw new ArgumentException($"Modality '{modalityNames[m]}' has zero variance in every column: it carries no information.", nameof(features));
        }
        long[] labelValues;
        using (NewDisposeScope()) labelValues = labels.to(ScalarType.Int64).cpu().data<long>().ToArray();
        CheckRows(trainRows, n, nameof(trainRows));
        CheckRows(validationRows, n, nameof(validationRows));
        var trainSet = new HashSet<int>(trainRows);
        var overlap = validationRows.FirstOrDefault(trainSet.Contains, -1);
        if (overlap >= 0)
            throw new ArgumentException($"Row {overlap} is both a training and a validation row.", nameof(validationRows));
        var trainCounts = CountLabels(trainRows, labelValues, classCount, nameof(trainRows));
        var validationCounts = CountLabels(validationRows, labelValues, classCount, nameof(validationRows));
        for (int c = 0; c < classCount; c++)
        {
            if (trainCounts[c] == 0)
                throw new ArgumentException($"Class {c} has no training row; every class must be present in the training split.", nameof(trainRows));
            if (validationCounts[c] == 0)
                throw new ArgumentException($"Class {c} has no validation row; the validation split is too small for this class.", nameof(validationRows));
        }
        for (int m = 0; m < features.Count; m++)
        {
            if (available[m] is not { } flags) continue;
            if (!trainRows.Any(r => flags[r]))
                throw new ArgumentException($"Modality '{modalityNames[m]}' is missing on every one of the {trainRows.Count} training rows; its encoder and head would have nothing to learn from.", nameof(availability));
            if (!validationRows.Any(r => flags[r]))
                throw new ArgumentException($"Modality '{modalityNames[m]}' is missing on every one of the {validationRows.Count} validation rows; its head could not be scored.", nameof(validationRows));
        }

        ModalityNames = modalityNames.ToArray();
        Features = features.ToArray();
        Labels = labels;
        LabelValues = labelValues;
        ClassCount = classCount;
        TrainRows = trainRows.ToArray();
        ValidationRows = validationRows.ToArray();
        _available = available;
    }

    private readonly bool[]?[] _available;

    /// <summary>Modality names, in order.</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Per-modality features, (n, d_m).</summary>
    public IReadOnlyList<Tensor> Features { get; }

    /// <summary>Labels of all rows (int64, n).</summary>
    public Tensor Labels { get; }

    /// <summary>Labels as an array, copied from <see cref="Labels"/> at construction (only training and validation rows
    /// are meaningful).</summary>
    public IReadOnlyList<long> LabelValues { get; }

    /// <summary>Number of classes C.</summary>
    public int ClassCount { get; }

    /// <summary>The rows (indices into the n rows of <see cref="Features"/> and <see cref="Labels"/>) whose labels feed
    /// the cross-entropy terms: distinct, non-empty, disjoint from <see cref="ValidationRows"/>.</summary>
    public IReadOnlyList<int> TrainRows { get; }

    /// <summary>The labelled rows held out from fitting: they only score the model (per-modality validation macro-F1,
    /// the performance gate, the head pooling weights, early stopping and the checkpoint choice); distinct, disjoint from
    /// <see cref="TrainRows"/>. Every row, listed or not, enters the forward pass and the distillation terms (KL and
    /// representation over all rows); only <see cref="TrainRows"/> enter a cross-entropy.</summary>
    public IReadOnlyList<int> ValidationRows { get; }

    /// <summary>Number of samples n.</summary>
    public long SampleCount => Labels.shape[0];

    /// <summary>Throws when a tensor this object refers to (it does not own them) has been disposed since construction,
    /// naming the modality, so that a trainer refuses the data before any work instead of failing inside TorchSharp
    /// ("Tensor invalid -- empty handle").</summary>
    /// <param name="paramName">The name of the argument that passed this object, for the message.</param>
    /// <exception cref="ObjectDisposedException">A feature tensor (<c>paramName.Features[m]</c>, with the modality's name)
    /// or the labels (<c>paramName.Labels</c>) have been disposed.</exception>
    internal void ThrowIfAnyTensorDisposed(string paramName)
    {
        for (int m = 0; m < Features.Count; m++)
            if (Features[m].IsInvalid)
                throw new ObjectDisposedException($"{paramName}.{nameof(Features)}[{m}]",
                    $"The features of modality '{ModalityNames[m]}' ({paramName}.{nameof(Features)}[{m}]) were disposed after the " +
                    $"{nameof(BalancedTrainingData)} was built; it refers to the caller's tensors, it does not copy them: keep them alive until training is done.");
        if (Labels.IsInvalid)
            throw new ObjectDisposedException($"{paramName}.{nameof(Labels)}",
                $"The labels ({paramName}.{nameof(Labels)}) were disposed after the {nameof(BalancedTrainingData)} was built; it refers to " +
                "the caller's tensor, it does not copy it: keep it alive until training is done.");
    }

    /// <summary>Number of modalities M.</summary>
    public int ModalityCount => Features.Count;

    /// <summary>True when some sample lacks some modality (see the remarks of the class).</summary>
    public bool HasMissingRows => _available.Any(a => a is not null);

    /// <summary>Whether row <paramref name="row"/> has modality <paramref name="modality"/>.</summary>
    /// <param name="modality">Modality index in [0, M).</param>
    /// <param name="row">Row index in [0, n).</param>
    /// <returns>False when the row lacks the modality.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index out of range.</exception>
    public bool IsAvailable(int modality, int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(modality);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(modality, ModalityCount);
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, SampleCount);
        return _available[modality] is not { } flags || flags[row];
    }

    /// <summary>The rows the distillation gate compares modalities on: those held out from fitting (the validation rows
    /// only when <paramref name="validationOnly"/>, else every non-training row), in increasing order. With incomplete
    /// samples the gate compares each pair of modalities on the rows of these that have both
    /// (<see cref="Assessment.ModalityEvidence.Available"/>).</summary>
    internal int[] AssessmentRows(bool validationOnly)
    {
        var training = new HashSet<int>(TrainRows);
        return (validationOnly ? ValidationRows : Enumerable.Range(0, (int)SampleCount).Where(r => !training.Contains(r))).ToArray();
    }

    /// <summary>Modality m's flags at <paramref name="rows"/>, or null when it has every one of them.</summary>
    internal bool[]? AvailabilityAt(int modality, IReadOnlyList<int> rows) =>
        _available[modality] is { } flags && rows.Any(r => !flags[r]) ? rows.Select(r => flags[r]).ToArray() : null;

    /// <summary>The pair of modalities sharing the fewest of <paramref name="rows"/> and that number (every pair shares
    /// all of them for complete data).</summary>
    internal (int First, int Second, int Shared) FewestSharedRows(IReadOnlyList<int> rows)
    {
        (int, int, int) fewest = (0, 1, int.MaxValue);
        for (int a = 0; a < ModalityCount; a++)
            for (int b = a + 1; b < ModalityCount; b++)
            {
                int shared = rows.Count(r => IsAvailable(a, r) && IsAvailable(b, r));
                if (shared < fewest.Item3) fewest = (a, b, shared);
            }
        return fewest;
    }

    /// <summary>The availability flags of modality m (n entries), or null when every row has it.</summary>
    internal bool[]? AvailabilityOf(int modality) => _available[modality];

    /// <summary>Copies and checks the availability: one mask per modality of n flags, every row with a modality, none
    /// all false; a mask without a false flag becomes null (complete).</summary>
    private static bool[]?[] CheckAvailability(IReadOnlyList<IReadOnlyList<bool>?>? availability, IReadOnlyList<string> names, int modalities, long n)
    {
        var result = new bool[]?[modalities];
        if (availability is null) return result;
        if (availability.Count != modalities)
            throw new ArgumentException($"{availability.Count} availability masks were given for {modalities} modalities.", nameof(availability));
        for (int m = 0; m < modalities; m++)
        {
            if (availability[m] is not { } mask) continue;
            if (mask.Count != n)
                throw new ArgumentException($"Modality '{names[m]}': the availability mask has {mask.Count} entries for {n} rows.", nameof(availability));
            if (mask.All(a => a)) continue;
            if (!mask.Any(a => a))
                throw new ArgumentException($"Modality '{names[m]}' is missing on every row.", nameof(availability));
            result[m] = mask.ToArray();
        }
        for (int i = 0; i < n; i++)
            if (result.All(a => a is not null && !a[i]))
                throw new ArgumentException($"Row {i} lacks every modality; a sample needs at least one.", nameof(availability));
        return result;
    }

    /// <summary>The row of the full matrix that is the k-th available row (k itself when the modality is complete).</summary>
    private static long AvailableRow(bool[]? flags, long k)
    {
        if (flags is null) return k;
        for (int i = 0; i < flags.Length; i++)
            if (flags[i] && k-- == 0) return i;
        return -1;
    }

    private static void CheckRows(IReadOnlyList<int> rows, long n, string name)
    {
        if (rows.Count == 0) throw new ArgumentException("At least one row is required.", name);
        var seen = new HashSet<int>();
        foreach (var row in rows)
        {
            if (row < 0 || row >= n) throw new ArgumentOutOfRangeException(name, row, $"Row {row} is outside [0, {n}).");
            if (!seen.Add(row)) throw new ArgumentException($"Row {row} is listed twice.", name);
        }
    }

    private static int[] CountLabels(IReadOnlyList<int> rows, long[] labels, int classCount, string name)
    {
        var counts = new int[classCount];
        foreach (var row in rows)
        {
            long label = labels[row];
            if (label < 0 || label >= classCount)
                throw new ArgumentOutOfRangeException("labels", label,
                    $"Row {row} has label {label}, outside [0, {classCount}) (a {(name == "trainRows" ? "training" : "validation")} row: its label must name one of the classCount classes).");
            counts[label]++;
        }
        return counts;
    }
}
