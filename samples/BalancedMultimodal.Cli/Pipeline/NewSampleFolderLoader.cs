using System.Globalization;
using BalancedMultimodal.Core.Data;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Reads the new samples of <c>bmm predict</c> from a MOGONET-format folder: the test files <c>{m}_te.csv</c>
/// (m = 1..M, numeric CSV without header, one row per sample, as <see cref="MogonetFolderLoader"/> reads them), with
/// two extensions for missing modalities: a modality whose <c>{m}_te.csv</c> is absent is missing for every sample,
/// and a row whose fields are all empty, <c>NA</c> or <c>NaN</c> (<see cref="MissingValueMarkers"/>, the definition the
/// training loaders share) marks that sample as lacking that modality.
/// </summary>
/// <remarks>
/// <para>Checks against the model: a <c>{m}_te.csv</c> or <c>{m}_featname.csv</c> of a modality the model does not
/// have (e.g. <c>4_te.csv</c> for a three-modality model) is an error naming the file; an optional
/// <c>{m}_featname.csv</c> (one feature name per line, as <see cref="MogonetFolderLoader"/> reads it) must list the
/// model's feature names of modality m in the same order (an error names the file, the first differing feature with
/// both names, and says when the names are the model's in another order; columns are never reordered); it cannot be
/// checked against a model saved without names (<see cref="NewSamples.UncheckedFeatureNameFiles"/>). The names are also
/// attached to the modalities, so that <see cref="TrainedPipeline.Predict"/> compares them too.</para>
/// <para>Labels (<c>labels_te.csv</c>) are optional and only used to report accuracy; each must be a class index of
/// the model (0..C-1), else an error naming the line and the label. A sample marked missing in every modality (its row
/// all markers in every file read, and no file for the others) is an error naming the files and its line. Errors name
/// the file and the 1-based line (<see cref="InvalidDataException"/>) and, where one is known, the likely cause (a header
/// row, a ';'- or tab-separated line, a trailing comma), as <see cref="MogonetFolderLoader"/>'s do.</para>
/// </remarks>
public static class NewSampleFolderLoader
{
    /// <summary>The new samples (one entry per model modality, null when its file is absent) and the optional labels.</summary>
    /// <param name="Modalities">Per modality the raw values (with the feature names of <c>{m}_featname.csv</c>, if
    /// present), or null.</param>
    /// <param name="SampleCount">Number of new samples.</param>
    /// <param name="Labels">The labels of <c>labels_te.csv</c>, or null when the file is absent.</param>
    public sealed record NewSamples(IReadOnlyList<Modality?> Modalities, int SampleCount, IReadOnlyList<int>? Labels)
    {
        /// <summary>The <c>{m}_featname.csv</c> files found equal to the model's feature names.</summary>
        public IReadOnlyList<string> CheckedFeatureNameFiles { get; init; } = [];

        /// <summary>The <c>{m}_featname.csv</c> files read but not compared, because the model has no feature names for
        /// that modality (a model saved before names were stored, or trained without them) or none were given.</summary>
        public IReadOnlyList<string> UncheckedFeatureNameFiles { get; init; } = [];
    }

    /// <summary>Reads the new samples of <paramref name="model"/>: its modalities, feature counts and feature names,
    /// and labels within its classes (see the class remarks).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="model">The model that will predict them.</param>
    /// <returns>The new samples.</returns>
    public static NewSamples Load(string folder, TrainedPipeline model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Load(folder, model.ModalityNames, model.FeatureCounts, model.FeatureNames, model.ClassNames);
    }

    /// <summary>Reads <c>{m}_te.csv</c> for the given modalities; feature-name files are read and attached but not
    /// compared, labels are not checked against classes (<see cref="Load(string, TrainedPipeline)"/> does both).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="modalityNames">The model's modality names (modality m + 1 is read from <c>{m+1}_te.csv</c>).</param>
    /// <param name="featureCounts">The model's feature count per modality.</param>
    /// <returns>The new samples.</returns>
    public static NewSamples Load(string folder, IReadOnlyList<string> modalityNames, IReadOnlyList<int> featureCounts) =>
        Load(folder, modalityNames, featureCounts, null, null);

    private static NewSamples Load(string folder, IReadOnlyList<string> modalityNames, IReadOnlyList<int> featureCounts,
        IReadOnlyList<IReadOnlyList<string>?>? featureNames, IReadOnlyList<string>? classNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(modalityNames);
        ArgumentNullException.ThrowIfNull(featureCounts);
        if (featureCounts.Count != modalityNames.Count)
            throw new ArgumentException($"{modalityNames.Count} modality names but {featureCounts.Count} feature counts were given.", nameof(featureCounts));
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Data folder '{folder}' does not exist.");
        RejectOtherModalities(folder, modalityNames.Count);
        var modalities = new Modality?[modalityNames.Count];
        var availability = new bool[]?[modalityNames.Count];
        var (checkedFiles, uncheckedFiles) = (new List<string>(), new List<string>());
        int rows = -1;
        string? firstFile = null;
        for (int m = 0; m < modalityNames.Count; m++)
        {
            var names = ReadFeatureNames(folder, m, modalityNames[m], featureCounts[m], featureNames?[m], checkedFiles, uncheckedFiles);
            var file = $"{m + 1}_te.csv";
            var path = Path.Combine(folder, file);
            if (!File.Exists(path)) continue;
            var (values, available) = ReadMatrix(path, file, featureCounts[m]);
            if (rows >= 0 && values.GetLength(0) != rows)
                throw new InvalidDataException($"{file} has {values.GetLength(0)} rows but {firstFile} has {rows}; every file needs one row per new sample.");
            rows = values.GetLength(0);
            firstFile ??= file;
            availability[m] = available;
            if (!available.Any(a => a)) continue;
            modalities[m] = new Modality(modalityNames[m], values, names, available);
        }
        if (rows < 0)
            throw new FileNotFoundException($"Folder '{folder}' holds none of {string.Join(", ", Enumerable.Range(1, modalityNames.Count).Select(m => $"{m}_te.csv"))}.");
        RejectSamplesMissingEverywhere(availability, rows);
        var labels = ReadLabels(Path.Combine(folder, "labels_te.csv"), classNames);
        if (labels is not null && labels.Length != rows)
            throw new InvalidDataException($"labels_te.csv has {labels.Length} labels but {firstFile} has {rows} rows.");
        return new NewSamples(modalities, rows, labels) { CheckedFeatureNameFiles = checkedFiles, UncheckedFeatureNameFiles = uncheckedFiles };
    }

    /// <summary>A new sample whose row is marked missing in every file read (and whose other modalities have no file) has
    /// no data to predict from; the error names the files and the 1-based line, as the training loader's does.</summary>
    private static void RejectSamplesMissingEverywhere(bool[]?[] availability, int rows)
    {
        for (int i = 0; i < rows; i++)
        {
            if (availability.Any(available => available is not null && available[i])) continue;
            var files = Enumerable.Range(0, availability.Length).Where(m => availability[m] is not null).Select(m => $"{m + 1}_te.csv").ToArray();
            var absent = Enumerable.Range(0, availability.Length).Where(m => availability[m] is null).Select(m => $"{m + 1}_te.csv").ToArray();
            var absentNote = absent.Length == 0 ? "" : $" ({string.Join(", ", absent)} {(absent.Length == 1 ? "is" : "are")} absent: missing for every sample)";
            throw new InvalidDataException(
                $"{string.Join(", ", files)}, line {i + 1}: the new sample is marked missing in every modality{absentNote}; each sample needs " +
                $"at least one modality (give it the data of one, or remove line {i + 1} from these files and from labels_te.csv, if present).");
        }
    }

    /// <summary>A <c>{k}_te.csv</c> or <c>{k}_featname.csv</c> whose k is not one of the model's 1..M modalities would be
    /// silently left out; it is an error instead.</summary>
    private static void RejectOtherModalities(string folder, int modalityCount)
    {
        foreach (var file in Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            var prefix = file!.EndsWith("_te.csv", StringComparison.Ordinal) ? file[..^"_te.csv".Length]
                : file.EndsWith("_featname.csv", StringComparison.Ordinal) ? file[..^"_featname.csv".Length] : null;
            if (prefix is null || prefix.Length == 0 || !prefix.All(char.IsAsciiDigit)) continue;
            if (int.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k >= 1 && k <= modalityCount
                && prefix == k.ToString(CultureInfo.InvariantCulture))
                continue;
            throw new InvalidDataException($"{file} is not a file of the model's {modalityCount} modalities (1_te.csv .. {modalityCount}_te.csv): the new samples have a modality the model was not trained on; remove the file or use a model trained on it.");
        }
    }

    /// <summary>The names of <c>{m+1}_featname.csv</c>, or null when it is absent; compared with the model's names when
    /// it has them.</summary>
    private static string[]? ReadFeatureNames(string folder, int m, string modalityName, int featureCount, IReadOnlyList<string>? expected,
        List<string> checkedFiles, List<string> uncheckedFiles)
    {
        var file = $"{m + 1}_featname.csv";
        var path = Path.Combine(folder, file);
        if (!File.Exists(path)) return null;
        // Read as the training loader reads it: strict UTF-8, lines ending in LF, CRLF or a lone CR, blank lines only at
        // the end (checked before the quotes go: "" is an empty name, as in training), one pair of enclosing quotes removed.
        var names = ReadLines(path, file).Select(Unquoted).ToArray();
        if (names.Length != featureCount)
            throw new InvalidDataException($"{file} lists {names.Length} feature names but the model was trained on {featureCount} features of modality '{modalityName}'" +
                (names.Length == featureCount + 1 ? $"; one more name than features: does the file have a header line ('{Echo(names[0])}')? Remove it, the file lists one name per line." : "."));
        if (expected is null)
        {
            uncheckedFiles.Add(file);
            return names;
        }
        var mismatch = TrainedPipeline.DescribeFeatureNameMismatch(expected, names,
            j => string.Create(CultureInfo.InvariantCulture, $"feature {j + 1} (line {j + 1})"));
        if (mismatch is not null)
            throw new InvalidDataException($"{file} does not match the feature names of the model's modality '{modalityName}': {mismatch}.");
        checkedFiles.Add(file);
        return names;
    }

    /// <summary>The labels of <c>labels_te.csv</c> (null when absent): whole numbers &gt;= 0 and, when the classes are
    /// known, below their count.</summary>
    private static int[]? ReadLabels(string path, IReadOnlyList<string>? classNames)
    {
        const string LabelFile = "labels_te.csv";
        if (!File.Exists(path)) return null;
        var lines = ReadLines(path, LabelFile);
        var labels = new List<int>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var text = Unquoted(lines[i]);
            if (!IsNumber(text))
                throw new InvalidDataException($"{LabelFile}, line {i + 1}: '{Echo(text)}' is not a number; " +
                    (i == 0 && (lines.Length == 1 || IsNumber(Unquoted(lines[1])))
                        ? HeaderHint
                        : $"labels must be integer class indices 0..C-1 of the model (class names such as '{Echo(text)}' are not read here)") + ".");
            double v = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (v < 0 || v != Math.Floor(v) || v > int.MaxValue)
                throw new InvalidDataException($"{LabelFile}, line {i + 1}: '{text}' is not a whole number >= 0.");
            if (classNames is not null && v >= classNames.Count)
                throw new InvalidDataException($"{LabelFile}, line {i + 1}: label {(int)v} is not a class of the model, whose {classNames.Count} classes are numbered 0..{classNames.Count - 1} ({string.Join(", ", classNames.Select((c, k) => $"{k} = '{c}'"))}).");
            labels.Add((int)v);
        }
        return labels.ToArray();
    }

    private static (double[,] Values, bool[] Available) ReadMatrix(string path, string file, int featureCount)
    {
        var lines = ReadLines(path, file);
        int last = lines.Length;
        if (last == 0) throw new InvalidDataException($"{file} is empty.");
        var values = new double[last, featureCount];
        var available = new bool[last];
        for (int i = 0; i < last; i++)
        {
            var fields = lines[i].Split(',').Select(Unquoted).ToArray();
            if (fields.All(field => MissingValueMarkers.IsMissing(field)))
            {
                for (int j = 0; j < featureCount; j++) values[i, j] = double.NaN;
                continue;
            }
            // Only a line that fails (wrong count, or a field that is no number) gets the separator hint: a valid
            // one-feature row may hold a tab (e.g. "0.5\t"), which the training loader reads as whitespace.
            string? separator = fields.Length == 1 ? SeparatorHint(lines[i]) : null;
            // The likely cause of a wrong count: a header row on line 1 (a field that is no number), a trailing comma.
            bool header = i == 0 && fields.Any(field => !IsNumber(field) && !MissingValueMarkers.IsMissing(field));
            if (fields.Length != featureCount && separator is not null)
                throw new InvalidDataException($"{file}, line {i + 1}: has 1 field ('{Echo(fields[0])}'): {separator}.");
            if (fields.Length != featureCount)
                throw new InvalidDataException($"{file}, line {i + 1}: has {fields.Length} values but the model was trained on {featureCount} features" +
                    (header ? "; " + HeaderHint
                        // An unquoted empty last field, as training's reader judges it (a quoted "" is a value left empty).
                        : fields.Length == featureCount + 1 && lines[i][(lines[i].LastIndexOf(',') + 1)..].Trim().Length == 0
                            ? "; the last field is empty: a trailing comma at the end of the line? Remove it"
                        : "") + ".");
            for (int j = 0; j < featureCount; j++)
            {
                if (!double.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw new InvalidDataException(separator is not null
                        ? $"{file}, line {i + 1}: has 1 field ('{Echo(fields[0])}'): {separator}."
                        : $"{file}, line {i + 1}: column {j + 1}: '{Echo(fields[j])}' is not a finite number " +
                        (header ? $"({HeaderHint})." : "(a sample lacking this modality has every field empty, NA or NaN)."));
                values[i, j] = v;
            }
            available[i] = true;
        }
        return (values, available);
    }

    /// <summary>The lines of a text file as the training loader reads them: strict UTF-8 (an invalid byte is refused,
    /// not replaced, so prediction cannot read a file differently from training), lines ending in LF, CRLF or a lone CR,
    /// trailing blank lines dropped and a blank line before content refused, naming the line.</summary>
    private static string[] ReadLines(string path, string file)
    {
        string text;
        try { text = File.ReadAllText(path, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true)); }
        catch (System.Text.DecoderFallbackException) { throw new InvalidDataException($"{file} is not valid UTF-8; save it as UTF-8."); }
        var lines = text.Split(["\r\n", "\r", "\n"], StringSplitOptions.None);
        int last = lines.Length;
        while (last > 0 && lines[last - 1].Trim().Length == 0) last--;
        for (int i = 0; i < last; i++)
            if (lines[i].Trim().Length == 0)
                throw new InvalidDataException($"{file}, line {i + 1}: is empty; blank lines are only allowed at the end of the file.");
        return lines[..last];
    }

    /// <summary>The hint for a line 1 that is not numbers (the format's files, like the training loader's, have none).</summary>
    private const string HeaderHint = "MOGONET CSV files have no header row: if line 1 is one, remove it";

    /// <summary>The longest field echoed in full in a message (the training loader's limit); longer ones end in "…".</summary>
    private const int EchoedFieldLength = 40;

    private static string Echo(string text) => text.Length <= EchoedFieldLength ? text : string.Concat(text.AsSpan(0, EchoedFieldLength), "…");

    private static bool IsNumber(string field) => double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>"the line holds ';' but no ','; ..." for a line separated by ';' or tabs, as the training loader says it; else null.</summary>
    private static string? SeparatorHint(string line)
    {
        if (line.Contains(',')) return null;
        foreach (var (separator, shown) in new[] { (';', "';'"), ('\t', "a tab"), ('|', "'|'") })
            if (line.Contains(separator)) return $"the line holds {shown} but no ','; MOGONET CSV files are comma-separated";
        return null;
    }

    /// <summary>A field trimmed, with one pair of enclosing double quotes removed (as the training loader reads fields).</summary>
    private static string Unquoted(string field)
    {
        var text = field.Trim();
        return text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : text;
    }
}
