using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// A labelled multimodal dataset: M named modalities over the same n samples (modality m is an n x d_m matrix),
/// integer class labels y_i in {0, ..., C-1}, optional class names and sample IDs, and three disjoint index sets
/// (train, validation, test) into the rows.
/// </summary>
/// <remarks>
/// <para>Validated once at construction (scikit-learn style; internals then trust it): at least one modality,
/// distinct modality names, every modality with n rows (values finite on available rows, see <see cref="Modality"/>),
/// every sample available in at least one modality, labels in [0, C), C &gt;= 2 with at least two classes present,
/// class names (if given) numbering C, sample IDs (if given) numbering n and distinct, split indices in [0, n),
/// no index repeated within or across the three splits. Errors name the modality, row, column, class or split.</para>
/// <para>When no split is given, every row is a training row and validation and test are empty.
/// Instances are immutable; <see cref="WithSplits"/> and <see cref="SelectRows"/> return new datasets.
/// The arrays returned by <see cref="Labels"/> and the split properties are the dataset's own: do not modify them.</para>
/// </remarks>
public sealed class MultimodalDataset
{
    private readonly Modality[] _modalities;
    private readonly string[]? _classNames;
    private readonly string[]? _sampleIds;

    /// <summary>Creates and validates a dataset.</summary>
    /// <param name="modalities">One or more modalities with the same number of rows n and distinct names.</param>
    /// <param name="labels">n class labels in [0, C).</param>
    /// <param name="classCount">C; default: the length of <paramref name="classNames"/> if given, else max(label) + 1.</param>
    /// <param name="classNames">Optional C class names.</param>
    /// <param name="sampleIds">Optional n distinct sample IDs.</param>
    /// <param name="trainIndices">Training rows; default: all rows when no split is given at all, else none.</param>
    /// <param name="validationIndices">Validation rows (default none).</param>
    /// <param name="testIndices">Test rows (default none).</param>
    /// <exception cref="ArgumentException">When a validation rule is broken; the message names what is wrong and where.</exception>
    public MultimodalDataset(
        IReadOnlyList<Modality> modalities,
        IReadOnlyList<int> labels,
        int? classCount = null,
        IReadOnlyList<string>? classNames = null,
        IReadOnlyList<string>? sampleIds = null,
        IReadOnlyList<int>? trainIndices = null,
        IReadOnlyList<int>? validationIndices = null,
        IReadOnlyList<int>? testIndices = null)
    {
        ArgumentNullException.ThrowIfNull(modalities);
        ArgumentNullException.ThrowIfNull(labels);
        if (modalities.Count == 0)
            throw new ArgumentException("A multimodal dataset needs at least one modality.", nameof(modalities));
        var names = new HashSet<string>(StringComparer.Ordinal);
        int n = labels.Count;
        for (int m = 0; m < modalities.Count; m++)
        {
            var modality = modalities[m] ?? throw new ArgumentException($"Modality {m} is null.", nameof(modalities));
            if (!names.Add(modality.Name))
                throw new ArgumentException($"Modality name '{modality.Name}' is used twice (modalities {m} and an earlier one).", nameof(modalities));
        }
        // Two or more modalities that agree on their row count outvote the labels: then the labels are the odd one out.
        if (modalities.Count >= 2 && modalities.All(modality => modality.SampleCount == modalities[0].SampleCount) && modalities[0].SampleCount != n)
            throw new ArgumentException(
                $"There are {n} labels but every modality has {modalities[0].SampleCount} rows; give one label per sample.", nameof(labels));
        for (int m = 0; m < modalities.Count; m++)
        {
            var modality = modalities[m];
            if (modality.SampleCount != n)
                throw new ArgumentException(
                    $"Modality '{modality.Name}' has {modality.SampleCount} rows but there are {n} labels; every modality needs one row per sample.",
                    nameof(modalities));
        }
        _modalities = modalities.ToArray();
        Modalities = Array.AsReadOnly(_modalities);
        for (int i = 0; i < n; i++)
        {
            bool any = false;
            foreach (var modality in _modalities) any |= modality.IsAvailable(i);
            if (!any)
                throw new ArgumentException($"Row {i} is missing in every modality; each sample needs at least one available modality.", nameof(modalities));
        }

        if (classNames is not null)
        {
            if (classCount is not null && classCount != classNames.Count)
                throw new ArgumentException($"classCount is {classCount} but {classNames.Count} class names were given.", nameof(classNames));
            _classNames = new string[classNames.Count];
            for (int c = 0; c < classNames.Count; c++)
                _classNames[c] = classNames[c] ?? throw new ArgumentException($"Class name {c} is null.", nameof(classNames));
        }
        ClassNames = _classNames is null ? null : Array.AsReadOnly(_classNames);
        var labelArray = labels.ToArray();
        int maxLabel = labelArray.Length == 0 ? -1 : labelArray.Max();
        if (classCount is null && _classNames is null && maxLabel == int.MaxValue)
            throw new ArgumentException(
                $"Label at row {Array.IndexOf(labelArray, int.MaxValue)} is {int.MaxValue}; labels must be 0-based class indices (pass classCount to state the classes).",
                nameof(labels));
        ClassCount = classCount ?? _classNames?.Length ?? maxLabel + 1;
        if (ClassCount < 2)
            throw new ArgumentException($"A classification dataset needs at least two classes; the class count is {ClassCount}.",
                classCount is not null ? nameof(classCount) : _classNames is not null ? nameof(classNames) : nameof(labels));
        for (int i = 0; i < n; i++)
        {
            if ((uint)labelArray[i] >= (uint)ClassCount)
                throw new ArgumentException($"Label at row {i} is {labelArray[i]}; labels must lie in [0, {ClassCount}).", nameof(labels));
        }
        int distinct = labelArray.Distinct().Count();
        if (distinct < 2)
            throw new ArgumentException($"The labels contain {distinct} distinct class(es); a classification dataset needs at least two.", nameof(labels));
        Labels = labelArray;

        if (sampleIds is not null)
        {
            if (sampleIds.Count != n)
                throw new ArgumentException($"There are {n} samples but {sampleIds.Count} sample IDs.", nameof(sampleIds));
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            _sampleIds = new string[n];
            for (int i = 0; i < n; i++)
            {
                var id = sampleIds[i] ?? throw new ArgumentException($"Sample ID at row {i} is null.", nameof(sampleIds));
                if (!seen.TryAdd(id, i))
                    throw new ArgumentException($"Sample ID '{id}' appears at rows {seen[id]} and {i}; IDs must be distinct.", nameof(sampleIds));
                _sampleIds[i] = id;
            }
        }
        SampleIds = _sampleIds is null ? null : Array.AsReadOnly(_sampleIds);

        bool noSplits = trainIndices is null && validationIndices is null && testIndices is null;
        TrainIndices = noSplits ? Enumerable.Range(0, n).ToArray() : trainIndices?.ToArray() ?? [];
        ValidationIndices = validationIndices?.ToArray() ?? [];
        TestIndices = testIndices?.ToArray() ?? [];
        var owner = new string?[n];
        CheckSplit(TrainIndices, "train", owner, nameof(trainIndices));
        CheckSplit(ValidationIndices, "validation", owner, nameof(validationIndices));
        CheckSplit(TestIndices, "test", owner, nameof(testIndices));
    }

    /// <summary>Creates a dataset from float64 matrices (copied), one per modality.</summary>
    /// <param name="modalityNames">M distinct modality names.</param>
    /// <param name="values">M matrices, each n x d_m.</param>
    /// <param name="labels">n class labels in [0, C).</param>
    /// <param name="classCount">C; default max(label) + 1.</param>
    /// <returns>A dataset whose rows are all training rows; use <see cref="WithSplits"/> to set the splits.</returns>
    public static MultimodalDataset FromArrays(IReadOnlyList<string> modalityNames, IReadOnlyList<double[,]> values, IReadOnlyList<int> labels, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(modalityNames);
        ArgumentNullException.ThrowIfNull(values);
        if (modalityNames.Count != values.Count)
            throw new ArgumentException($"{modalityNames.Count} modality names were given for {values.Count} matrices.", nameof(modalityNames));
        CheckNames(modalityNames);
        CheckRowCounts(modalityNames, values.Select(v => v is null ? (long?)null : v.GetLength(0)).ToArray());
        var modalities = new Modality[values.Count];
        for (int m = 0; m < values.Count; m++) modalities[m] = new Modality(modalityNames[m], values[m]);
        return new MultimodalDataset(modalities, labels, classCount);
    }

    /// <summary>Creates a dataset from 2-D floating-point tensors (any device and dtype; copied to float64).</summary>
    /// <param name="modalityNames">M distinct modality names.</param>
    /// <param name="values">M tensors, each of shape (n, d_m).</param>
    /// <param name="labels">An integer tensor of shape (n) with class labels in [0, C).</param>
    /// <param name="classCount">C; default max(label) + 1.</param>
    /// <returns>A dataset whose rows are all training rows; use <see cref="WithSplits"/> to set the splits.</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="values"/> has been
    /// disposed; <see cref="ObjectDisposedException.ObjectName"/> names the parameter (<c>values[i]</c> for an
    /// entry).</exception>
    public static MultimodalDataset FromTensors(IReadOnlyList<string> modalityNames, IReadOnlyList<Tensor> values, Tensor labels, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(modalityNames);
        TensorArgument.ThrowIfNullOrAnyDisposed(values);
        TensorArgument.ThrowIfNullOrDisposed(labels);
        if (modalityNames.Count != values.Count)
            throw new ArgumentException($"{modalityNames.Count} modality names were given for {values.Count} tensors.", nameof(modalityNames));
        if (labels.dim() != 1)
            throw new ArgumentException($"labels must be a 1-D tensor (n), got {labels.dim()} dimensions.", nameof(labels));
        if (!labels.dtype.IsInteger())
            throw new ArgumentException($"labels must be an integer tensor, got {labels.dtype}.", nameof(labels));
        CheckNames(modalityNames);
        CheckRowCounts(modalityNames, values.Select(v => v is null || v.dim() == 0 ? (long?)null : v.shape[0]).ToArray());
        var modalities = new Modality[values.Count];
        for (int m = 0; m < values.Count; m++) modalities[m] = Modality.FromTensor(modalityNames[m], values[m]);
        using var scope = NewDisposeScope();
        var host = labels.detach().cpu().to(ScalarType.Int64).contiguous();
        var hostLabels = host.numel() == 0 ? [] : host.data<long>().ToArray();
        var intLabels = new int[hostLabels.Length];
        for (int i = 0; i < hostLabels.Length; i++)
        {
            if (hostLabels[i] < int.MinValue || hostLabels[i] > int.MaxValue)
                throw new ArgumentException($"Label at row {i} is {hostLabels[i]}, outside the int range.", nameof(labels));
            intLabels[i] = (int)hostLabels[i];
        }
        return new MultimodalDataset(modalities, intLabels, classCount);
    }

    /// <summary>The factories' name checks, naming <c>modalityNames</c> (the constructor would name its own
    /// <c>modalities</c>): each name non-empty and used once.</summary>
    private static void CheckNames(IReadOnlyList<string> modalityNames)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int m = 0; m < modalityNames.Count; m++)
        {
            var name = modalityNames[m];
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException($"Modality name {m} is {(name is null ? "null" : "empty")}; a modality needs a non-empty name.", nameof(modalityNames));
            if (!seen.TryAdd(name, m))
                throw new ArgumentException($"Modality name '{name}' is used twice (modalities {seen[name]} and {m}).", nameof(modalityNames));
        }
    }

    /// <summary>The factories' row-count check, naming <c>values</c>: every given matrix or tensor has the first's rows
    /// (null or zero-dimensional entries are left to the modality's own checks).</summary>
    private static void CheckRowCounts(IReadOnlyList<string> modalityNames, IReadOnlyList<long?> rowCounts)
    {
        long? first = null;
        int firstIndex = -1;
        for (int m = 0; m < rowCounts.Count; m++)
        {
            if (rowCounts[m] is not long rows) continue;
            if (first is null) { first = rows; firstIndex = m; continue; }
            if (rows != first)
                throw new ArgumentException(
                    $"Modality '{modalityNames[m]}' has {rows} rows but modality '{modalityNames[firstIndex]}' has {first}; every modality needs one row per sample.",
                    "values");
        }
    }

    /// <summary>The modalities, in order (a read-only view).</summary>
    public IReadOnlyList<Modality> Modalities { get; }

    /// <summary>Number of modalities M.</summary>
    public int ModalityCount => _modalities.Length;

    /// <summary>Number of samples n.</summary>
    public int SampleCount => Labels.Length;

    /// <summary>Number of classes C.</summary>
    public int ClassCount { get; }

    /// <summary>The n class labels in [0, C). The dataset's own array: do not modify.</summary>
    public int[] Labels { get; }

    /// <summary>The C class names (a read-only view), or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The n sample IDs (a read-only view), or null.</summary>
    public IReadOnlyList<string>? SampleIds { get; }

    /// <summary>Training rows. The dataset's own array: do not modify.</summary>
    public int[] TrainIndices { get; }

    /// <summary>Validation rows (possibly empty). The dataset's own array: do not modify.</summary>
    public int[] ValidationIndices { get; }

    /// <summary>Test rows (possibly empty). The dataset's own array: do not modify.</summary>
    public int[] TestIndices { get; }

    /// <summary>The modality named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">When no modality has that name.</exception>
    public Modality GetModality(string name) =>
        _modalities.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"No modality is named '{name}'; the modalities are {string.Join(", ", _modalities.Select(m => m.Name))}.", nameof(name));

    /// <summary>Modality <paramref name="modality"/> as a tensor of shape (n, d_m); see <see cref="Modality.ToTensor"/>.</summary>
    /// <param name="modality">Modality index in [0, M).</param>
    /// <param name="device">Target device; null means TorchSharp's default device.</param>
    /// <param name="dtype">Target floating-point dtype (default float64).</param>
    public Tensor ToTensor(int modality, Device? device = null, ScalarType dtype = ScalarType.Float64)
    {
        if ((uint)modality >= (uint)_modalities.Length)
            throw new ArgumentOutOfRangeException(nameof(modality), modality, $"Modality index must lie in [0, {_modalities.Length}).");
        return _modalities[modality].ToTensor(device, dtype);
    }

    /// <summary>The labels as an int64 tensor of shape (n) on <paramref name="device"/> (default: TorchSharp's default device).</summary>
    /// <param name="device">Target device; null means TorchSharp's default device.</param>
    public Tensor LabelsTensor(Device? device = null)
    {
        var longs = Array.ConvertAll(Labels, l => (long)l);
        return torch.tensor(longs, ScalarType.Int64, device);
    }

    /// <summary>Number of rows of each class among <paramref name="rows"/> (default: all rows); length C.</summary>
    /// <param name="rows">Row indices in [0, n), or null for all rows.</param>
    public int[] CountClasses(IReadOnlyList<int>? rows = null)
    {
        var counts = new int[ClassCount];
        if (rows is null)
        {
            foreach (var y in Labels) counts[y]++;
            return counts;
        }
        for (int k = 0; k < rows.Count; k++)
        {
            if ((uint)rows[k] >= (uint)SampleCount)
                throw new ArgumentOutOfRangeException(nameof(rows), rows[k], $"Row index at position {k} must lie in [0, {SampleCount}).");
            counts[Labels[rows[k]]]++;
        }
        return counts;
    }

    /// <summary>The same data with other splits (validated as in the constructor).</summary>
    /// <param name="train">Training rows.</param>
    /// <param name="validation">Validation rows (may be empty).</param>
    /// <param name="test">Test rows (may be empty).</param>
    public MultimodalDataset WithSplits(IReadOnlyList<int> train, IReadOnlyList<int> validation, IReadOnlyList<int> test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        return new MultimodalDataset(_modalities, Labels, ClassCount, _classNames, _sampleIds, train, validation, test);
    }

    /// <summary>The same samples with other modality values (same order, same shapes); used by transforms such as <see cref="Standardizer"/>.</summary>
    /// <param name="modalities">M modalities, each with n rows.</param>
    public MultimodalDataset WithModalities(IReadOnlyList<Modality> modalities) =>
        new(modalities, Labels, ClassCount, _classNames, _sampleIds, TrainIndices, ValidationIndices, TestIndices);

    /// <summary>
    /// A new dataset of the given rows, in the given order. Row k of the result is row <c>rows[k]</c> of this dataset;
    /// a split index i survives as k when <c>rows[k] == i</c>, rows outside <paramref name="rows"/> leave their split.
    /// The class count and class names are kept even if a class no longer occurs (at least two must remain).
    /// </summary>
    /// <param name="rows">Distinct row indices in [0, n).</param>
    /// <exception cref="ArgumentException">When there are no rows, an index is out of range or repeated, or a modality is
    /// missing on every selected row (naming it).</exception>
    public MultimodalDataset SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var newIndex = new int[SampleCount];
        Array.Fill(newIndex, -1);
        for (int k = 0; k < rows.Count; k++)
        {
            int r = rows[k];
            if ((uint)r >= (uint)SampleCount)
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row index at position {k} must lie in [0, {SampleCount}).");
            if (newIndex[r] >= 0)
                throw new ArgumentException($"Row {r} is selected twice (positions {newIndex[r]} and {k}); rows must be distinct.", nameof(rows));
            newIndex[r] = k;
        }
        int[] Remap(int[] split) => split.Where(i => newIndex[i] >= 0).Select(i => newIndex[i]).ToArray();
        var modalities = _modalities.Select(m => m.SelectRows(rows)).ToArray();
        var labels = rows.Select(r => Labels[r]).ToArray();
        var ids = _sampleIds is null ? null : rows.Select(r => _sampleIds[r]).ToArray();
        return new MultimodalDataset(modalities, labels, ClassCount, _classNames, ids,
            Remap(TrainIndices), Remap(ValidationIndices), Remap(TestIndices));
    }

    private void CheckSplit(int[] split, string splitName, string?[] owner, string parameterName)
    {
        for (int k = 0; k < split.Length; k++)
        {
            int i = split[k];
            if ((uint)i >= (uint)owner.Length)
                throw new ArgumentOutOfRangeException(parameterName, i, $"The {splitName} split holds row {i} at position {k}; rows must lie in [0, {owner.Length}).");
            if (owner[i] is { } previous)
                throw new ArgumentException(previous == splitName
                    ? $"The {splitName} split holds row {i} twice."
                    : $"Row {i} is in both the {previous} and the {splitName} split; splits must be disjoint.", parameterName);
            owner[i] = splitName;
        }
    }
}
