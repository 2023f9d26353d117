using System.Globalization;
using System.Text.RegularExpressions;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Loads a dataset in the folder format released with MOGONET (Wang et al., Nature Communications 2021;
/// github.com/txWang/MOGONET, read there with <c>np.loadtxt(..., delimiter=',')</c>).
/// </summary>
/// <remarks>
/// <para>Files, for modalities m = 1, 2, ... (discovered while <c>{m}_tr.csv</c> exists; any <c>{k}_tr.csv</c>,
/// <c>{k}_te.csv</c> or <c>{k}_featname.csv</c> numbered above the M so found, e.g. <c>4_tr.csv</c> without
/// <c>3_tr.csv</c>, is an <see cref="InvalidDataException"/> naming the file rather than ignored):
/// <c>{m}_tr.csv</c> and <c>{m}_te.csv</c> (numeric CSV without a header, one row per sample),
/// optional <c>{m}_featname.csv</c> (one feature name per line), and <c>labels_tr.csv</c> / <c>labels_te.csv</c>
/// (one label per line; written as floats such as <c>1.000000000000000000e+00</c>, which must be whole numbers &gt;= 0).</para>
/// <para>The result holds the training rows first, then the test rows: <see cref="MultimodalDataset.TrainIndices"/> =
/// 0..n_tr-1, <see cref="MultimodalDataset.TestIndices"/> = n_tr..n_tr+n_te-1, no validation rows (carve them from the
/// training rows with <see cref="StratifiedSplitter.CarveValidation(MultimodalDataset, double, int)"/>).</para>
/// <para>Without a test split: when none of the test files exists (no <c>labels_te.csv</c> and no <c>{m}_te.csv</c> for
/// any modality), the folder is one labelled cohort and loads as its training rows only
/// (<see cref="MultimodalDataset.TestIndices"/> empty). When some but not all of them exist, a
/// <see cref="FileNotFoundException"/> (its <see cref="FileNotFoundException.FileName"/> the first missing one) names the
/// test files present and those missing: the test files must either all exist or all be absent.</para>
/// <para>Modalities are named "1", "2", ... unless names
/// are given; the class count is max(label) + 1, and every class 0..max(label) must have a sample (1-based labels are
/// reported, not renumbered). No sample IDs are invented.</para>
/// <para>Missing modalities: a line of <c>{m}_tr.csv</c> or <c>{m}_te.csv</c> whose fields are all missing-value markers
/// (empty, <c>NA</c> or <c>NaN</c> in any case, see <see cref="MissingValueMarkers"/>; any number of fields, e.g.
/// <c>NA</c> alone or <c>NA,NA,NA</c>) means that this sample lacks modality m: its row is unavailable
/// (<see cref="Modality.IsAvailable"/> false, <see cref="Modality.HasMissingRows"/> true) and holds NaN placeholders.
/// A line mixing markers and numbers is an error naming the file, line and column (a partly missing row is not
/// supported: a sample has the whole modality or none of it), and so are a sample marked missing in every modality
/// (naming the files and the line) and a modality whose every training line is marked missing. A wholly blank line is
/// not a marker row (blank lines are only allowed at the end of a file); write <c>NA</c>. Files without markers load
/// exactly as before, with every row available.</para>
/// <para>A malformed file gives an <see cref="InvalidDataException"/> naming the file and the 1-based line; a missing
/// folder or file gives a <see cref="DirectoryNotFoundException"/> / <see cref="FileNotFoundException"/>. The message
/// adds the likely cause where one is known: a header row (a field of line 1 that is not a number, or a
/// <c>{m}_featname.csv</c> with one name more than columns), another separator (a line holding ';' or a tab but no
/// ','), a trailing comma (an empty last field), or class names in a labels file (the labels are class indices 0..C-1;
/// names need <see cref="IdTableLoader"/>). A field echoed in a message is cut to 40 characters ("…").</para>
/// </remarks>
public static class MogonetFolderLoader
{
    /// <summary>Loads the MOGONET-format dataset in <paramref name="folder"/>.</summary>
    /// <param name="folder">The folder holding <c>1_tr.csv</c>, <c>1_te.csv</c>, ..., <c>labels_tr.csv</c>, <c>labels_te.csv</c>
    /// (the test files <c>{m}_te.csv</c> and <c>labels_te.csv</c> all, or none of them: see the remarks).</param>
    /// <param name="modalityNames">Optional names for modalities 1..M (default "1".."M"); must number exactly M, each
    /// non-empty and distinct.</param>
    /// <param name="classNames">Optional class names, none null: exactly C = max(label) + 1 of them (checked against the
    /// label files before the feature files are read).</param>
    /// <returns>The dataset (train rows then test rows) with the file's train/test split; no test rows when the folder
    /// holds no test file.</returns>
    /// <exception cref="ArgumentException">A null, empty or repeated modality name, a null class name (naming its index),
    /// the wrong number of modality names, or a number of class names other than C.</exception>
    /// <exception cref="InvalidDataException">A malformed file (naming it and the 1-based line), a partly missing row, a
    /// sample marked missing in every modality, or a modality with no available training row (see the remarks).</exception>
    /// <exception cref="FileNotFoundException">A training file is missing, or only some of the test files exist (the
    /// message names those present and those missing).</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static MultimodalDataset Load(string folder, IReadOnlyList<string>? modalityNames = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (modalityNames is not null)
            LoaderArguments.CheckNames(modalityNames, nameof(modalityNames), "Modality name");
        if (classNames is not null)
            for (int c = 0; c < classNames.Count; c++)
                if (classNames[c] is null)
                    throw new ArgumentException($"Class name {c} is null.", nameof(classNames));
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Data folder '{folder}' does not exist.");
        int modalityCount = 0;
        while (File.Exists(Path.Combine(folder, $"{modalityCount + 1}_tr.csv"))) modalityCount++;
        if (modalityCount == 0)
            throw new FileNotFoundException($"Folder '{folder}' holds no '1_tr.csv'; it is not in the MOGONET format.", Path.Combine(folder, "1_tr.csv"));
        RejectModalityFilesAfterGap(folder, modalityCount);
        if (modalityNames is not null && modalityNames.Count != modalityCount)
            throw new ArgumentException($"Folder '{folder}' holds {modalityCount} modalities but {modalityNames.Count} names were given.", nameof(modalityNames));

        bool hasTestSplit = HasTestSplit(folder, modalityCount);
        var trainLabels = ReadLabels(Path.Combine(folder, "labels_tr.csv"));
        int[] testLabels = hasTestSplit ? ReadLabels(Path.Combine(folder, "labels_te.csv")) : [];
        int nTrain = trainLabels.Length, nTest = testLabels.Length, n = nTrain + nTest;
        string labelFiles = hasTestSplit ? "labels_tr.csv and labels_te.csv hold" : "labels_tr.csv holds";
        RequireEveryClassIndexUsed(trainLabels, testLabels, labelFiles);
        if (classNames is not null)
        {
            int classCount = trainLabels.Concat(testLabels).Max() + 1;
            if (classNames.Count != classCount)
                throw new ArgumentException(
                    $"{classNames.Count} class names were given, but {labelFiles} {classCount} classes (0..{classCount - 1}).",
                    nameof(classNames));
        }

        var modalities = new Modality[modalityCount];
        for (int m = 1; m <= modalityCount; m++)
        {
            var train = ReadMatrix(Path.Combine(folder, $"{m}_tr.csv"), nTrain, "labels_tr.csv");
            if (train.Columns < 0)
                throw new InvalidDataException(
                    $"{m}_tr.csv marks every line missing, so modality {m} has no available training row; a modality needs at least " +
                    "one training sample that has it (give it training data, or leave the modality out).");
            var test = hasTestSplit ? ReadMatrix(Path.Combine(folder, $"{m}_te.csv"), nTest, "labels_te.csv") : null;
            int d = train.Columns;
            if (test is not null && test.Columns >= 0 && test.Columns != d)
                throw new InvalidDataException($"{m}_tr.csv has {d} columns but {m}_te.csv has {test.Columns}; both must hold the same features.");
            var values = new double[(long)n * d];
            var available = new bool[n];
            train.CopyTo(values, available, 0, d);
            test?.CopyTo(values, available, nTrain, d);
            var featureNames = ReadFeatureNames(Path.Combine(folder, $"{m}_featname.csv"), d);
            modalities[m - 1] = Modality.FromRowMajor(modalityNames is null ? m.ToString(CultureInfo.InvariantCulture) : modalityNames[m - 1],
                values, n, d, featureNames, available);
        }
        RejectSamplesMissingEverywhere(modalities, nTrain);

        var labels = new int[n];
        trainLabels.CopyTo(labels, 0);
        testLabels.CopyTo(labels, nTrain);
        return new MultimodalDataset(modalities, labels, classNames: classNames,
            trainIndices: Enumerable.Range(0, nTrain).ToArray(),
            validationIndices: [],
            testIndices: Enumerable.Range(nTrain, nTest).ToArray());
    }

    // The class count is max(label) + 1, so a class index no sample carries means the labels are not the format's
    // 0-based indices (typically 1-based ones); say so before any later check reports an empty class.
    private static void RequireEveryClassIndexUsed(int[] trainLabels, int[] testLabels, string labelFiles) =>
        LoaderArguments.RequireEveryIndexUsed(trainLabels.Concat(testLabels), labelFiles,
            "the MOGONET format numbers the classes 0..C-1 and every class needs a sample");

    /// <summary>
    /// Whether the folder holds a test split: true when <c>labels_te.csv</c> and every <c>{m}_te.csv</c> (m = 1..M)
    /// exist, false when none of them does (the folder is then training rows only). Some but not all of them is a
    /// <see cref="FileNotFoundException"/> (for the first missing file) naming the test files present and missing.
    /// </summary>
    private static bool HasTestSplit(string folder, int modalityCount)
    {
        var files = Enumerable.Range(1, modalityCount).Select(m => $"{m}_te.csv").Append("labels_te.csv").ToArray();
        var present = files.Where(file => File.Exists(Path.Combine(folder, file))).ToArray();
        if (present.Length == files.Length) return true;
        if (present.Length == 0) return false;
        var missing = files.Except(present).ToArray();
        throw new FileNotFoundException(
            $"Folder '{folder}' holds part of a test split: {string.Join(", ", present)} {(present.Length == 1 ? "exists" : "exist")}, but " +
            $"{string.Join(", ", missing)} {(missing.Length == 1 ? "is" : "are")} missing. The test files (labels_te.csv and {{m}}_te.csv for every " +
            $"modality m = 1..{modalityCount}) must either all exist or all be absent: add the missing ones, or remove the others to load the " +
            "training rows only (no test split).",
            Path.Combine(folder, missing[0]));
    }

    /// <summary>Modalities are numbered 1..M without gaps: a modality file numbered above M (e.g. <c>4_tr.csv</c> when
    /// <c>3_tr.csv</c> is missing) would otherwise be ignored silently, so it is an error naming the file.</summary>
    private static void RejectModalityFilesAfterGap(string folder, int modalityCount)
    {
        foreach (var path in Directory.EnumerateFiles(folder, "*.csv").Order(StringComparer.Ordinal))
        {
            var match = ModalityFileName.Match(Path.GetFileName(path));
            if (match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number > modalityCount)
                throw new InvalidDataException(
                    $"Folder '{folder}' holds '{Path.GetFileName(path)}', but modality files must be numbered 1, 2, ... without gaps and " +
                    $"'{modalityCount + 1}_tr.csv' is missing; rename the files or add modality {modalityCount + 1}.");
        }
    }

    private static readonly Regex ModalityFileName = new(@"^(\d+)_(tr|te|featname)\.csv$", RegexOptions.CultureInvariant);

    /// <summary>The format as the readers' hints name it ("... have no header row", "... are comma-separated").</summary>
    private const string Format = "MOGONET CSV files";

    private static int[] ReadLabels(string path)
    {
        var reader = DelimitedTextReader.Open(path, ',', Format);
        var labels = new List<int>();
        while (reader.TryReadLine(out var line))
        {
            if (line.Contains(',')) throw reader.Error("expected one label per line");
            if (!DelimitedTextReader.IsNumber(line) && reader.SeparatorHint() is null) throw LabelNotANumber(reader, line);
            double value = reader.ParseNumber(line, 0);
            if (value < 0 || value != Math.Floor(value))
                throw reader.Error($"label {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a whole number >= 0");
            if (value > int.MaxValue)
                throw reader.Error($"label {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is too large (labels are class indices 0..C-1)");
            labels.Add((int)value);
        }
        if (labels.Count == 0) throw new InvalidDataException($"{reader.FileName} holds no labels.");
        return labels.ToArray();
    }

    /// <summary>A label that is not a number: on line 1 followed by a number, a header row (remove it); else most likely a
    /// class name, which the format cannot hold (its labels are class indices; the ID-table format maps names).</summary>
    private static InvalidDataException LabelNotANumber(DelimitedTextReader reader, ReadOnlySpan<char> field)
    {
        var text = DelimitedTextReader.Echo(Unquoted(field.Trim()));
        var problem = $"label '{text}' is not a number; ";
        var className = reader.Error(problem + "labels must be integer class indices 0..C-1 (class names such as " +
            $"'{text}' need the ID-table format: IdTableLoader)");
        if (reader.LineNumber != 1) return className;
        var header = reader.Error(problem + $"{Format} have no header row: if line 1 is one, remove it");
        bool nextIsText = reader.TryReadLine(out var next) && !DelimitedTextReader.IsNumber(next);
        return nextIsText ? className : header;
    }

    /// <summary>A sample missing in every modality has no data at all; <see cref="MultimodalDataset"/> refuses it too,
    /// but here the error names the files and the line to remove.</summary>
    private static void RejectSamplesMissingEverywhere(Modality[] modalities, int nTrain)
    {
        int n = modalities[0].SampleCount;
        for (int i = 0; i < n; i++)
        {
            if (modalities.Any(modality => modality.IsAvailable(i))) continue;
            string part = i < nTrain ? "tr" : "te";
            int line = (i < nTrain ? i : i - nTrain) + 1;
            var files = string.Join(", ", Enumerable.Range(1, modalities.Length).Select(m => $"{m}_{part}.csv"));
            throw new InvalidDataException(
                $"{files}, line {line}: the sample is marked missing in every modality; each sample needs at least one modality " +
                $"(remove line {line} from these files and from labels_{part}.csv).");
        }
    }

    /// <summary>The rows of one modality file: the values of the available rows only (row-major, in file order), the
    /// availability of every row, and the column count (-1 when every row is a row of missing-value markers).</summary>
    private sealed record Matrix(double[] AvailableValues, bool[] Available, int Columns)
    {
        /// <summary>Writes the rows at <paramref name="firstRow"/>..: values of available rows, NaN for missing rows.</summary>
        public void CopyTo(double[] values, bool[] available, int firstRow, int columns)
        {
            int next = 0;
            for (int r = 0; r < Available.Length; r++)
            {
                var row = values.AsSpan((firstRow + r) * columns, columns);
                available[firstRow + r] = Available[r];
                if (Available[r])
                {
                    AvailableValues.AsSpan(next, columns).CopyTo(row);
                    next += columns;
                }
                else
                {
                    row.Fill(double.NaN);
                }
            }
        }
    }

    private static Matrix ReadMatrix(string path, int expectedRows, string labelFile)
    {
        var reader = DelimitedTextReader.Open(path, ',', Format);
        var values = new List<double>(expectedRows * 256);
        var available = new List<bool>(expectedRows);
        int columns = -1, columnsLine = 0;
        while (reader.TryReadLine(out var line))
        {
            int count = reader.ParseNumbersOrMissing(line, values, expectedFieldCount: columns >= 0 ? columns : null);
            available.Add(count >= 0);
            if (count < 0) continue;   // a row of missing-value markers: this sample lacks the modality
            if (columns < 0) (columns, columnsLine) = (count, reader.LineNumber);
            else if (count != columns)
                throw reader.Error($"has {count} values but line {columnsLine} has {columns}");
        }
        if (available.Count == 0) throw new InvalidDataException($"{reader.FileName} is empty.");
        if (available.Count != expectedRows)
            throw new InvalidDataException($"{reader.FileName} has {available.Count} rows but {labelFile} has {expectedRows} labels.");
        return new Matrix(values.ToArray(), available.ToArray(), columns);
    }

    private static ReadOnlySpan<char> Unquoted(ReadOnlySpan<char> name) =>
        name.Length >= 2 && name[0] == '"' && name[^1] == '"' ? name[1..^1] : name;

    private static string[]? ReadFeatureNames(string path, int expectedCount)
    {
        if (!File.Exists(path)) return null;
        var reader = DelimitedTextReader.Open(path, ',');
        var names = new List<string>(expectedCount);
        // Repeated names are kept: real omics name lists repeat gene symbols (several probes of one gene), and the names
        // are only compared position by position with a new sample folder's.
        // One pair of enclosing double quotes is removed, as from every other field (R's write.csv quotes every string).
        while (reader.TryReadLine(out var line)) names.Add(Unquoted(line.Trim()).ToString());
        // One name too many is most likely a header line ("gene", "feature", ...) above the names.
        if (names.Count != expectedCount)
            throw new InvalidDataException($"{reader.FileName} lists {names.Count} feature names but the data have {expectedCount} columns" +
                (names.Count == expectedCount + 1 ? $"; one more name than columns: does the file have a header line ('{DelimitedTextReader.Echo(names[0])}')? Remove it, the file lists one name per line." : "."));
        return names.ToArray();
    }
}
