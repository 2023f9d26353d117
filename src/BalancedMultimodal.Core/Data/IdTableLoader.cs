using System.Globalization;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Loads one delimited table per modality, each with a sample-ID column, and aligns the modalities by sample ID.
/// </summary>
/// <remarks>
/// <para>Modality table: a header line (first field: the ID column's name, then the feature names), then one line per
/// sample: the sample ID, then d numbers. Label table: a header line, then <c>ID,label</c> lines.</para>
/// <para>Alignment: by default the kept samples are the IDs present in the label table and in every modality table
/// (intersection), in the order of the label table; every other ID is reported in
/// <see cref="IdTableLoadResult.DroppedSamples"/>. All kept rows are training rows (split them with
/// <see cref="StratifiedSplitter"/>).</para>
/// <para>Missing modalities: a modality-table line whose fields after the ID are all missing-value markers (empty,
/// <c>NA</c> or <c>NaN</c> in any case, see <see cref="MissingValueMarkers"/>; any number of them, e.g. <c>P7,NA</c>)
/// says that this sample lacks the modality, exactly as if the ID were absent from the table; a line mixing markers and
/// numbers is an error naming the file, line and column (a sample has the whole modality or none of it). By default such
/// a sample is dropped like any incomplete one. With <see cref="IdTableLoadOptions.KeepIncompleteSamples"/> the kept
/// samples are instead the labelled IDs that have values in at least one modality table, still in label-table order:
/// a modality lacking the ID gets an unavailable row (<see cref="Modality.IsAvailable"/> false, NaN placeholders), and
/// the IDs without a label or without values in any table are the dropped ones. The kept incomplete samples are listed
/// by <see cref="IdTableLoadResult.IncompleteRows"/> (map a row to its ID with <see cref="MultimodalDataset.SampleIds"/>,
/// and see which modalities it lacks with <see cref="Modality.IsAvailable"/>). A modality table none of whose rows with
/// values belongs to a kept sample is then an error naming the table.</para>
/// <para>Classes come from the kept samples' labels only (a dropped sample's label neither adds a class nor decides the
/// label kind). If those labels are all whole numbers &gt;= 0 (e.g. <c>2</c> or <c>2.0e+00</c>) they are class indices,
/// used as is with C = max + 1, and every index 0..C-1 must have a kept sample (1-based labels, or a class whose samples
/// were all dropped, are reported with the fix rather than left as an empty class); otherwise they are class names,
/// numbered in ordinal (culture-invariant) order, and become <see cref="MultimodalDataset.ClassNames"/>. At least two
/// classes must remain.</para>
/// <para>A malformed file (wrong field count, a value that is not a finite number, an empty or repeated ID, an empty
/// label or a missing-value marker as a label) gives an
/// <see cref="InvalidDataException"/> naming the file and the 1-based line number; labels that leave a class index
/// without a kept sample, or a single class, give one naming the label file.</para>
/// </remarks>
public static class IdTableLoader
{
    /// <summary>Loads and aligns the tables, keeping only the complete samples (the IDs present, with values, in the label
    /// table and in every modality table).</summary>
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
    public static IdTableLoadResult Load(IReadOnlyList<string> modalityFiles, string labelFile, char delimiter = ',', IReadOnlyList<string>? modalityNames = null) =>
        LoadCore(modalityFiles, labelFile, delimiter, modalityNames, keepIncompleteSamples: false, nameof(delimiter), nameof(modalityNames));

    /// <summary>Loads and aligns the tables with the given options; with
    /// <see cref="IdTableLoadOptions.KeepIncompleteSamples"/> the samples lacking some modality are kept, their rows of
    /// that modality unavailable (see the class remarks).</summary>
    /// <param name="modalityFiles">One table per modality (at least one), each path non-empty.</param>
    /// <param name="labelFile">The label table.</param>
    /// <param name="options">The delimiter, the modality names and whether to keep incomplete samples.</param>
    /// <returns>The aligned dataset and the dropped IDs.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="modalityFiles"/> is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="Load(IReadOnlyList{string}, string, char, IReadOnlyList{string}?)"/>;
    /// a bad delimiter or bad names are reported against <paramref name="options"/>.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Load(IReadOnlyList{string}, string, char, IReadOnlyList{string}?)"/>;
    /// when keeping incomplete samples, also a modality table none of whose rows with values belongs to a kept sample.</exception>
    public static IdTableLoadResult Load(IReadOnlyList<string> modalityFiles, string labelFile, IdTableLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return LoadCore(modalityFiles, labelFile, options.Delimiter, options.ModalityNames, options.KeepIncompleteSamples, nameof(options), nameof(options));
    }

    private static IdTableLoadResult LoadCore(IReadOnlyList<string> modalityFiles, string labelFile, char delimiter, IReadOnlyList<string>? modalityNames,
        bool keepIncompleteSamples, string delimiterParameter, string namesParameter)
    {
        ArgumentNullException.ThrowIfNull(modalityFiles);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelFile);
        if (modalityFiles.Count == 0) throw new ArgumentException("At least one modality table is needed.", nameof(modalityFiles));
        for (int m = 0; m < modalityFiles.Count; m++)
            if (string.IsNullOrWhiteSpace(modalityFiles[m]))
                throw new ArgumentException($"The path of modality table {m} is {(modalityFiles[m] is null ? "null" : "empty")}.", nameof(modalityFiles));
        if (delimiter is '"' or '\r' or '\n') throw new ArgumentException($"'{delimiter}' cannot be a field delimiter.", delimiterParameter);
        if (modalityNames is not null && modalityNames.Count != modalityFiles.Count)
            throw new ArgumentException($"{modalityNames.Count} modality names were given for {modalityFiles.Count} tables.", namesParameter);
        var names = modalityNames?.ToArray() ?? modalityFiles.Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        LoaderArguments.CheckNames(names, namesParameter, "Modality name",
            modalityNames is null ? " The names default to the file names without extension; pass modalityNames to tell the tables apart." : "");

        var (labelIds, rawLabels) = ReadLabelTable(labelFile, delimiter);
        var tables = new Table[modalityFiles.Count];
        for (int m = 0; m < tables.Length; m++) tables[m] = ReadModalityTable(modalityFiles[m], delimiter);

        // RowOfId holds the rows with values only: an ID absent from a table and an ID whose row there is all
        // missing-value markers both lack that modality.
        var rowOf = tables.Select(t => t.RowOfId).ToArray();
        bool Kept(int modalitiesWithValues) => keepIncompleteSamples ? modalitiesWithValues > 0 : modalitiesWithValues == tables.Length;
        var kept = new List<int>();   // positions in the label table
        for (int k = 0; k < labelIds.Length; k++)
            if (Kept(rowOf.Count(map => map.ContainsKey(labelIds[k])))) kept.Add(k);
        if (kept.Count == 0)
            throw new InvalidDataException(keepIncompleteSamples
                ? $"No sample ID appears in {Path.GetFileName(labelFile)} and, with values, in at least one modality table."
                : $"No sample ID appears in {Path.GetFileName(labelFile)} and in every modality table.");

        var dropped = new List<DroppedSample>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var labelSet = new HashSet<string>(labelIds, StringComparer.Ordinal);
        foreach (var id in labelIds.Concat(tables.SelectMany(t => t.Ids)))
        {
            if (!seen.Add(id)) continue;
            bool labelled = labelSet.Contains(id);
            if (labelled && Kept(rowOf.Count(map => map.ContainsKey(id)))) continue;
            var missing = new List<string>();
            if (!labelled) missing.Add("labels");
            for (int m = 0; m < tables.Length; m++) if (!rowOf[m].ContainsKey(id)) missing.Add(names[m]);
            dropped.Add(new DroppedSample(id, missing));
        }

        var (labels, classNames) = EncodeLabels(kept.Select(k => rawLabels[k]).ToArray(), labelFile);
        var modalities = new Modality[tables.Length];
        for (int m = 0; m < tables.Length; m++)
        {
            var t = tables[m];
            var values = new double[(long)kept.Count * t.Columns];
            var available = new bool[kept.Count];
            for (int k = 0; k < kept.Count; k++)
            {
                var row = values.AsSpan(k * t.Columns, t.Columns);
                available[k] = t.RowOfId.TryGetValue(labelIds[kept[k]], out int source);
                if (available[k]) t.Values.AsSpan(source * t.Columns, t.Columns).CopyTo(row);
                else row.Fill(double.NaN);
            }
            if (!available.Any(a => a))
                throw new InvalidDataException(
                    $"{Path.GetFileName(modalityFiles[m])}: no kept sample has values in this table (its IDs are not in " +
                    $"{Path.GetFileName(labelFile)}, or their rows are marked missing), so modality '{names[m]}' would be missing for every sample.");
            modalities[m] = Modality.FromRowMajor(names[m], values, kept.Count, t.Columns, t.FeatureNames, available);
        }
        var dataset = new MultimodalDataset(modalities, labels,
            classCount: classNames is null ? labels.Max() + 1 : classNames.Length, classNames: classNames,
            sampleIds: kept.Select(k => labelIds[k]).ToArray());
        return new IdTableLoadResult(dataset, dropped);
    }

    /// <summary>One modality table: every ID in file order, the row (in <see cref="Values"/>) of each ID that has values
    /// (an ID whose line is all missing-value markers has none), the feature names and the values of those rows.</summary>
    private sealed record Table(string[] Ids, Dictionary<string, int> RowOfId, string[] FeatureNames, double[] Values, int Columns);

    private static Table ReadModalityTable(string path, char delimiter)
    {
        var reader = DelimitedTextReader.Open(path, delimiter);
        if (!reader.TryReadLine(out var headerLine)) throw new InvalidDataException($"{reader.FileName} is empty.");
        var header = reader.SplitFields(headerLine);
        if (header.Count < 2) throw reader.Error("the header needs an ID column and at least one feature column");
        int columns = header.Count - 1;
        var ids = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rowOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<double>();
        while (reader.TryReadLine(out var line))
        {
            int cut = line.IndexOf(delimiter);
            if (cut < 0) throw reader.Error($"has 1 field but the header has {header.Count}");
            var id = ReadId(reader, line[..cut]);
            if (!seen.Add(id)) throw reader.Error($"sample ID '{id}' appears a second time");
            ids.Add(id);
            // A header ending in the delimiter (an empty last name) is what a writer that ends every line with one
            // leaves: the rows' empty last field is then judged against the named columns, as a trailing delimiter,
            // unless an earlier row held a value in that unnamed column (then it is a column, and an empty field missing).
            int named = header[^1].Length == 0 && rowOfId.Count == 0 ? columns - 1 : columns;
            int count = reader.ParseNumbersOrMissing(line[(cut + 1)..], values, columnOffset: 1, expectedFieldCount: named);
            if (count < 0) continue;   // every field a missing-value marker: this sample lacks the modality
            if (count != columns) throw reader.Error($"has {count + 1} fields but the header has {header.Count}");
            rowOfId.Add(id, rowOfId.Count);
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
            // A missing-value marker is no class name: read as one, it would add a class "NA" and turn every numeric
            // label into a class name (2 numbered after 10).
            if (MissingValueMarkers.IsMissing(fields[1]))
                throw reader.Error($"sample '{id}' has the missing-value marker '{fields[1]}' as its label; a label table lists labelled samples only: remove the line (the sample is then dropped, or predict it with a trained model)");
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
