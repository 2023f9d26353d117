using System.Globalization;
using BalancedMultimodal.Core.Data;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Reads the new samples of <c>bmm predict</c> from a MOGONET-format folder: the test files <c>{m}_te.csv</c>
/// (m = 1..M, numeric CSV without header, one row per sample, as <see cref="MogonetFolderLoader"/> reads them), with
/// two extensions for missing modalities: a modality whose <c>{m}_te.csv</c> is absent is missing for every sample,
/// and a row whose fields are all empty, <c>NA</c> or <c>NaN</c> marks that sample as lacking that modality.
/// </summary>
/// <remarks>Labels (<c>labels_te.csv</c>) are optional and only used to report accuracy. Errors name the file and the
/// 1-based line (<see cref="InvalidDataException"/>).</remarks>
public static class NewSampleFolderLoader
{
    /// <summary>The new samples (one entry per model modality, null when its file is absent) and the optional labels.</summary>
    /// <param name="Modalities">Per modality the raw values, or null.</param>
    /// <param name="SampleCount">Number of new samples.</param>
    /// <param name="Labels">The labels of <c>labels_te.csv</c>, or null when the file is absent.</param>
    public sealed record NewSamples(IReadOnlyList<Modality?> Modalities, int SampleCount, IReadOnlyList<int>? Labels);

    /// <summary>Reads <c>{m}_te.csv</c> for the model's modalities.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="modalityNames">The model's modality names (modality m + 1 is read from <c>{m+1}_te.csv</c>).</param>
    /// <param name="featureCounts">The model's feature count per modality.</param>
    /// <returns>The new samples.</returns>
    public static NewSamples Load(string folder, IReadOnlyList<string> modalityNames, IReadOnlyList<int> featureCounts)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(modalityNames);
        ArgumentNullException.ThrowIfNull(featureCounts);
        if (featureCounts.Count != modalityNames.Count)
            throw new ArgumentException($"{modalityNames.Count} modality names but {featureCounts.Count} feature counts were given.", nameof(featureCounts));
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Data folder '{folder}' does not exist.");
        var modalities = new Modality?[modalityNames.Count];
        int rows = -1;
        string? firstFile = null;
        for (int m = 0; m < modalityNames.Count; m++)
        {
            var file = $"{m + 1}_te.csv";
            var path = Path.Combine(folder, file);
            if (!File.Exists(path)) continue;
            var (values, available) = ReadMatrix(path, file, featureCounts[m]);
            if (rows >= 0 && values.GetLength(0) != rows)
                throw new InvalidDataException($"{file} has {values.GetLength(0)} rows but {firstFile} has {rows}; every file needs one row per new sample.");
            rows = values.GetLength(0);
            firstFile ??= file;
            if (!available.Any(a => a)) continue;
            modalities[m] = new Modality(modalityNames[m], values, availability: available);
        }
        if (rows < 0)
            throw new FileNotFoundException($"Folder '{folder}' holds none of {string.Join(", ", Enumerable.Range(1, modalityNames.Count).Select(m => $"{m}_te.csv"))}.");
        var labelPath = Path.Combine(folder, "labels_te.csv");
        int[]? labels = null;
        if (File.Exists(labelPath))
        {
            var lines = File.ReadAllLines(labelPath).Where(l => l.Trim().Length > 0).ToArray();
            labels = new int[lines.Length];
            for (int i = 0; i < lines.Length; i++)
            {
                if (!double.TryParse(lines[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0 || v != Math.Floor(v) || v > int.MaxValue)
                    throw new InvalidDataException($"labels_te.csv, line {i + 1}: '{lines[i].Trim()}' is not a whole number >= 0.");
                labels[i] = (int)v;
            }
            if (labels.Length != rows)
                throw new InvalidDataException($"labels_te.csv has {labels.Length} labels but {firstFile} has {rows} rows.");
        }
        return new NewSamples(modalities, rows, labels);
    }

    private static (double[,] Values, bool[] Available) ReadMatrix(string path, string file, int featureCount)
    {
        var lines = File.ReadAllLines(path);
        int last = lines.Length;
        while (last > 0 && lines[last - 1].Trim().Length == 0) last--;
        if (last == 0) throw new InvalidDataException($"{file} is empty.");
        var values = new double[last, featureCount];
        var available = new bool[last];
        for (int i = 0; i < last; i++)
        {
            var fields = lines[i].Split(',');
            if (fields.All(IsMissing))
            {
                for (int j = 0; j < featureCount; j++) values[i, j] = double.NaN;
                continue;
            }
            if (fields.Length != featureCount)
                throw new InvalidDataException($"{file}, line {i + 1}: has {fields.Length} values but the model was trained on {featureCount} features.");
            for (int j = 0; j < featureCount; j++)
            {
                if (!double.TryParse(fields[j].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw new InvalidDataException($"{file}, line {i + 1}: column {j + 1}: '{fields[j].Trim()}' is not a finite number (a sample lacking this modality has every field empty, NA or NaN).");
                values[i, j] = v;
            }
            available[i] = true;
        }
        return (values, available);
    }

    private static bool IsMissing(string field)
    {
        var f = field.Trim();
        return f.Length == 0 || f.Equals("NA", StringComparison.OrdinalIgnoreCase) || f.Equals("NaN", StringComparison.OrdinalIgnoreCase);
    }
}
