using System.Globalization;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Loads one delimited table per modality, each with a sample-ID column, and aligns the modalities by sample ID.
/// </summary>
/// <remarks>
/// <para>Modality table: a header line (first field: the ID column's name, then the feature names), then one line per
/// sample: the sample ID, then d numbers. Label table: a header line, then <c>ID,label</c> lines.</para>
/// <para>Alignment: the kept samples are the IDs present in the label table and in every modality table (intersection),
/// in the order of the label table; every other ID is reported in <see cref="IdTableLoadResult.DroppedSamples"/>.
/// All kept rows are training rows (split them with <see cref="StratifiedSplitter"/>).</para>
/// <para>Classes come from the kept samples' labels only (a dropped sample's label neither adds a class nor decides the
/// label kind). If those labels are all whole numbers &gt;= 0 (e.g. <c>2</c> or <c>2.0e+00</c>) they are class indices,
/// used as is with C = max + 1, and every index 0..C-1 must have a kept sample (1-based labels, or a class whose samples
/// were all dropped, are reported with the fix rather than left as an empty class); otherwise they are class names,
/// numbered in ordinal (culture-invariant) order, and become <see cref="MultimodalDataset.ClassNames"/>. At least two
/// classes must remain.</para>
/// <para>A malformed file (wrong field count, a value that is not a finite number, an empty or repeated ID) gives an
/// <see cref="InvalidDataException"/> naming the file and the 1-based line number; labels that leave a class index
/// without a kept sample, or a single class, give one naming the label file.</para>
/// </remarks>
public static class IdTableLoader
{
    /// <summary>Loads and aligns the tables.</summary>
    /// <param name="modalityFiles">One table per modality (at least one), each path non-empty.</param>
    /// <param name="labelFile">The label table.</param>
    /// <param name="delimiter">Field delimiter (default ','; use '\t' for TSV).</param>
    /// <param name="modalityNames">Optional modality names (default: each file name without its extension); non-empty
    /// and distinct (the default names too).</param>
    /// <returns>The aligned dataset and the dropped IDs.</returns>
    /// <exception cref="ArgumentException">No table, a null or empty path (naming its index), a bad delimiter, the wrong
    /// number of names, or a null, empty or repeated modality name (naming its index); all checked before any file is read.</exception>
    /// <exception cref="InvalidDataException">A malformed file (naming it and the line), no common sample ID, or kept
    /// labels that leave a class index without a sample or hold a single class (naming the label file).</exception>
    public static IdTableLoadResult Load(IReadOnlyList<string> modalityFiles, string labelFile, char delimiter = ',', IReadOnlyList<string>? modalityNames = null)
    {
        ArgumentNullException.ThrowIfNull(modalityFiles);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelFile);
        if (modalityFiles.Count == 0) throw new ArgumentException("At least one modality table is needed.", nameof(modalityFiles));
        for (int m = 0; m < modalityFiles.Count; m++)
            if (string.IsNullOrWhiteSpace(modalityFiles[m]))
                throw new ArgumentException($"The path of modality table {m} is {(modalityFiles[m] is null ? "null" : "empty")}.", nameof(modalityFiles));
        if (delimiter is '"' or '\r' or '\n') throw new ArgumentException($"'{delimiter}' cannot be a field delimiter.", nameof(delimiter));
        if (modalityNames is not null && modalityNames.Count != modalityFiles.Count)
            throw new ArgumentException($"{modalityNames.Count} modality names were given for {modalityFiles.Count} tables.", nameof(modalityNames));
        var names = modalityNames?.ToArray() ?? modalityFiles.Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        LoaderArguments.CheckNames(names, nameof(modalityNames), "Modality name",
            modalityNames is null ? " The names default to the file names without extension; pass modalityNames to tell the tables apart." : "");

        var (labelIds, rawLabels) = ReadLabelTable(labelFile, delimiter);
        var tables = new Table[modalityFiles.Count];
        for (int m = 0; m < tables.Length; m++) tables[m] = ReadModalityTable(modalityFiles[m], delimiter);

        var rowOf = tables.Select(t => t.RowOfId).ToArray();
        var kept = new List<int>();   // positions in the label table
        for (int k = 0; k < labelIds.Length; k++)
            if (rowOf.All(map => map.ContainsKey(labelIds[k]))) kept.Add(k);
        if (kept.Count == 0)
            throw new InvalidDataException($"No sample ID appears in {Path.GetFileName(labelFile)} and in every modality table.");

        var dropped = new List<DroppedSample>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var labelSet = new HashSet<string>(labelIds, StringComparer.Ordinal);
        foreach (var id in labelIds.Concat(tables.SelectMany(t => t.Ids)))
        {
            if (!seen.Add(id)) continue;
            var missing = new List<string>();
            if (!labelSet.Contains(id)) missing.Add("labels");
            for (int m = 0; m < tables.Length; m++) if (!rowOf[m].ContainsKey(id)) missing.Add(names[m]);
            if (missing.Count > 0) dropped.Add(new DroppedSample(id, missing));
        }

        var (labels, classNames) = EncodeLabels(kept.Select(k => rawLabels[k]).ToArray(), labelFile);
        var modalities = new Modality[tables.Length];
        for (int m = 0; m < tables.Length; m++)
        {
            var t = tables[m];
            var values = new double[(long)kept.Count * t.Columns];
            for (int k = 0; k < kept.Count; k++)
                Array.Copy(t.Values, (long)t.RowOfId[labelIds[kept[k]]] * t.Columns, values, (long)k * t.Columns, t.Columns);
            modalities[m] = Modality.FromRowMajor(names[m], values, kept.Count, t.Columns, t.FeatureNames);
        }
        var dataset = new MultimodalDataset(modalities, labels,
            classCount: classNames is null ? labels.Max() + 1 : classNames.Length, classNames: classNames,
            sampleIds: kept.Select(k => labelIds[k]).ToArray());
        return new IdTableLoadResult(dataset, dropped);
    }

    private sealed record Table(string[] Ids, Dictionary<string, int> RowOfId, string[] FeatureNames, double[] Values, int Columns);

    private static Table ReadModalityTable(string path, char delimiter)
    {
        var reader = DelimitedTextReader.Open(path, delimiter);
        if (!reader.TryReadLine(out var headerLine)) throw new InvalidDataException($"{reader.FileName} is empty.");
        var header = reader.SplitFields(headerLine);
        if (header.Count < 2) throw reader.Error("the header needs an ID column and at least one feature column");
        int columns = header.Count - 1;
        var ids = new List<string>();
        var rowOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<double>();
        while (reader.TryReadLine(out var line))
        {
            int cut = line.IndexOf(delimiter);
            if (cut < 0) throw reader.Error($"has 1 field but the header has {header.Count}");
            var id = ReadId(reader, line[..cut]);
            if (!rowOfId.TryAdd(id, ids.Count)) throw reader.Error($"sample ID '{id}' appears a second time");
            ids.Add(id);
            int count = reader.ParseNumbers(line[(cut + 1)..], values, columnOffset: 1);
            if (count != columns) throw reader.Error($"has {count + 1} fields but the header has {header.Count}");
        }
        if (ids.Count == 0) throw new InvalidDataException($"{reader.FileName} has a header but no samples.");
        return new Table(ids.ToArray(), rowOfId, header.Skip(1).ToArray(), values.ToArray(), columns);
    }

    private static (string[] Ids, string[] Labels) ReadLabelTable(string path, char delimiter)
    {
        var reader = DelimitedTextReader.Open(path, delimiter);
        if (!reader.TryReadLine(out var headerLine)) throw new InvalidDataException($"{reader.FileName} is empty.");
        if (reader.SplitFields(headerLine).Count != 2) throw reader.Error("the header of a label table needs exactly two fields: ID and label");
        var ids = new List<string>();
        var labels = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.TryReadLine(out var line))
        {
            var fields = reader.SplitFields(line);
            if (fields.Count != 2) throw reader.Error($"has {fields.Count} fields but a label table needs 2 (ID, label)");
            // The ID from the raw field, exactly as ReadTable reads a modality table's IDs (SplitFields has already
            // trimmed and unquoted fields[0]; doing that twice would read '" A "' as 'A' here but ' A ' there).
            var id = ReadId(reader, line[..line.IndexOf(delimiter)]);
            if (!seen.Add(id)) throw reader.Error($"sample ID '{id}' appears a second time");
            if (fields[1].Length == 0) throw reader.Error($"sample '{id}' has an empty label");
            ids.Add(id);
            labels.Add(fields[1]);
        }
        if (ids.Count == 0) throw new InvalidDataException($"{reader.FileName} has a header but no labels.");
        return (ids.ToArray(), labels.ToArray());
    }

    private static string ReadId(DelimitedTextReader reader, ReadOnlySpan<char> field)
    {
        var id = field.Trim();
        if (id.Length >= 2 && id[0] == '"' && id[^1] == '"') id = id[1..^1];
        if (id.IsWhiteSpace()) throw reader.Error("the sample ID is empty");
        return id.ToString();
    }

    /// <summary>Class indices and (for text labels) class names of the kept samples' raw labels.</summary>
    private static (int[] Labels, string[]? ClassNames) EncodeLabels(string[] raw, string labelFile)
    {
        string file = Path.GetFileName(labelFile);
        var numeric = new int[raw.Length];
        bool allWhole = true;
        for (int i = 0; i < raw.Length && allWhole; i++)
        {
            allWhole = double.TryParse(raw[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                && v >= 0 && v <= int.MaxValue && v == Math.Floor(v);
            if (allWhole) numeric[i] = (int)v;
        }
        if (allWhole)
        {
            LoaderArguments.RequireEveryIndexUsed(numeric, $"Among the kept samples, {file} holds",
                "numeric labels are the class indices 0..C-1 (C = max + 1) and every class needs a sample");
            if (numeric.Max() == 0)
                throw new InvalidDataException($"Among the kept samples, {file} holds a single class 0; at least two are needed.");
            return (numeric, null);
        }
        var classNames = raw.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classNames.Length < 2)
            throw new InvalidDataException($"Among the kept samples, {file} names a single class '{classNames[0]}'; at least two are needed.");
        var index = classNames.Select((name, c) => (name, c)).ToDictionary(p => p.name, p => p.c, StringComparer.Ordinal);
        return (raw.Select(r => index[r]).ToArray(), classNames);
    }
}
