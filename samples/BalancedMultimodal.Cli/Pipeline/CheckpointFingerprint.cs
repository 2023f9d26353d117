using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BalancedMultimodal.Core.Data;
using Microsoft.Extensions.Logging;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// What a checkpoint folder (<see cref="TrainingPipeline.CheckpointFolder"/>) was written for: the SHA-256 of the run's
/// effective options and the SHA-256 of its data, kept in <c>fingerprint.json</c> next to the phase-1 checkpoints, so
/// that a run resumes only from checkpoints written with the same options and data (docs/pipeline.md).
/// </summary>
/// <remarks>
/// <para>Options: every <see cref="PipelineOptions"/> setting, serialised as <c>options.json</c> of a saved model is,
/// with the stage seeds the pipeline overwrites (<c>Training.Seed</c>, <c>Training.Assessment.Seed</c>,
/// <c>Autoencoder.Seed</c>) set to <see cref="PipelineOptions.Seed"/> as the run sets them, and without
/// <see cref="PipelineOptions.Threads"/> (it changes how fast a run is, not what it computes) and, on complete data,
/// <see cref="PipelineOptions.IncompleteSampleGraph"/> (it applies to samples lacking modalities only), and never
/// <see cref="PipelineOptions.PatientGraph"/> (the graph is built whenever an encoder reads it; otherwise it changes
/// diagnostics only) or <see cref="PipelineOptions.FoldStratification"/> (its effect, the folds' rows, is in the data
/// hash).</para>
/// <para>Data: every modality's name, width, availability and feature values of every row (the test rows too: they
/// are nodes of the patient graph), the labels of the labelled rows (training and validation; the test labels are read
/// only when the test rows are scored), the train/validation/test split and the folds' training and validation
/// rows.</para>
/// </remarks>
internal sealed class CheckpointFingerprint
{
    /// <summary>The file written into the checkpoint folder.</summary>
    public const string FileName = "fingerprint.json";

    /// <summary>Version of the file's content (1).</summary>
    public const int FileFormatVersion = 1;

    private const int MaxListedDifferences = 6;

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    private sealed record FileRecord(int FormatVersion, string OptionsSha256, string DataSha256, JsonObject Options);

    private CheckpointFingerprint(JsonObject options, string optionsSha256, string dataSha256)
    {
        Options = options;
        OptionsSha256 = optionsSha256;
        DataSha256 = dataSha256;
    }

    /// <summary>The effective options as hashed (JSON, <see cref="PipelineOptions.Threads"/> left out).</summary>
    public JsonObject Options { get; }

    /// <summary>SHA-256 of <see cref="Options"/> (compact JSON, UTF-8), lower-case hex.</summary>
    public string OptionsSha256 { get; }

    /// <summary>SHA-256 of the data (see the class remarks), lower-case hex.</summary>
    public string DataSha256 { get; }

    /// <summary>The fingerprint of a run of <paramref name="options"/> on <paramref name="dataset"/>.</summary>
    /// <param name="options">The run's options (not changed).</param>
    /// <param name="dataset">The run's data.</param>
    /// <param name="labelledRows">The rows whose labels the run may use.</param>
    /// <param name="folds">The folds the run trains: index, training rows, validation rows.</param>
    public static CheckpointFingerprint Compute(PipelineOptions options, MultimodalDataset dataset, IReadOnlyCollection<int> labelledRows,
        IReadOnlyList<(int Fold, int[] Train, int[] Validation)> folds)
    {
        var effective = JsonSerializer.Deserialize<PipelineOptions>(JsonSerializer.Serialize(options, TrainedPipelineFolder.Json), TrainedPipelineFolder.Json)
            ?? throw new InvalidOperationException("The pipeline options could not be copied.");
        effective.Training.Seed = effective.Seed;
        effective.Training.Assessment.Seed = effective.Seed;
        effective.Autoencoder.Seed = effective.Seed;
        var json = JsonSerializer.SerializeToNode(effective, TrainedPipelineFolder.Json)!.AsObject();
        json.Remove(nameof(PipelineOptions.Threads));
        json.Remove(nameof(PipelineOptions.PatientGraph));
        // The folds' rows are part of the data hash, so what they were stratified by needs no place of its own here (and a
        // checkpoint written before the option existed, twenty-fifth session, still resumes).
        json.Remove(nameof(PipelineOptions.FoldStratification));
        // On complete data the incomplete-sample graph rule changes nothing, so it is left out there (a checkpoint written
        // before the option existed, twenty-third session, then still resumes).
        if (dataset.Modalities.All(m => !m.HasMissingRows)) json.Remove(nameof(PipelineOptions.IncompleteSampleGraph));
        var optionsSha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json.ToJsonString(Compact))));
        return new CheckpointFingerprint(json, optionsSha, DataHash(dataset, labelledRows, folds));
    }

    private static string DataHash(MultimodalDataset dataset, IReadOnlyCollection<int> labelledRows, IReadOnlyList<(int Fold, int[] Train, int[] Validation)> folds)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[8];
        void Number(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
            hash.AppendData(buffer);
        }
        void Text(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Number(bytes.Length);
            hash.AppendData(bytes);
        }
        void Rows(IReadOnlyCollection<int> rows)
        {
            Number(rows.Count);
            foreach (var row in rows) Number(row);
        }

        Number(dataset.SampleCount);
        Number(dataset.ClassCount);
        Number(dataset.ModalityCount);
        foreach (var modality in dataset.Modalities)
        {
            Text(modality.Name);
            Number(modality.FeatureCount);
            for (int i = 0; i < modality.SampleCount; i++)
            {
                // A missing row's stored values are meaningless (the pipeline never reads them): only its mark counts.
                bool available = modality.IsAvailable(i);
                Number(available ? 1 : 0);
                if (!available) continue;
                foreach (var value in modality.GetRow(i))
                {
                    BinaryPrimitives.WriteInt64LittleEndian(buffer, BitConverter.DoubleToInt64Bits(value));
                    hash.AppendData(buffer);
                }
            }
        }
        var labelled = labelledRows.ToHashSet();
        for (int i = 0; i < dataset.SampleCount; i++) Number(labelled.Contains(i) ? dataset.Labels[i] : -1);
        Rows(dataset.TrainIndices);
        Rows(dataset.ValidationIndices);
        Rows(dataset.TestIndices);
        Number(folds.Count);
        foreach (var (fold, train, validation) in folds)
        {
            Number(fold);
            Rows(train);
            Rows(validation);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Ties <paramref name="folder"/> to this fingerprint before any training: a folder without checkpoints gets (or has
    /// replaced) its <c>fingerprint.json</c>; a folder with checkpoints must hold this fingerprint.
    /// </summary>
    /// <param name="folder">The checkpoint folder (created if needed).</param>
    /// <param name="logger">Receives a line when a stale fingerprint of a folder without checkpoints is replaced.</param>
    /// <exception cref="InvalidDataException">The folder holds checkpoints written with other options or other data,
    /// or checkpoints without a readable fingerprint; the message names the folder and what differs.</exception>
    public void Prepare(string folder, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(logger);
        Directory.CreateDirectory(folder);
        var full = Path.GetFullPath(folder);
        var path = Path.Combine(folder, FileName);
        var checkpoints = Directory.GetFiles(folder, "*.ckpt", SearchOption.AllDirectories);
        const string Remedy = "Delete the folder or use another checkpoint folder.";
        if (!File.Exists(path))
        {
            if (checkpoints.Length > 0)
                throw new InvalidDataException($"Checkpoint folder '{full}' holds checkpoints ({Path.GetRelativePath(folder, checkpoints[0])}, ...) but no {FileName}, so it cannot be told which options and data they were written with (a folder of an older bmm, or the file was removed); nothing was trained. {Remedy}");
            Write(path);
            return;
        }
        FileRecord? saved;
        string? problem = null;
        try
        {
            saved = JsonSerializer.Deserialize<FileRecord>(File.ReadAllText(path), TrainedPipelineFolder.Json);
            if (saved is null || saved.OptionsSha256 is null || saved.DataSha256 is null || saved.Options is null) (saved, problem) = (null, "fields missing");
        }
        catch (JsonException e)
        {
            (saved, problem) = (null, e.Message);
        }
        var differences = new List<string>();
        if (saved is null)
        {
            differences.Add($"an unreadable {FileName} ({problem})");
        }
        else
        {
            if (!string.Equals(saved.OptionsSha256, OptionsSha256, StringComparison.OrdinalIgnoreCase))
            {
                var changes = new List<string>();
                CompareOptions(saved.Options, Options, "", changes);
                differences.Add("other options" + (changes.Count == 0 ? "" : " (" + string.Join("; ", changes.Take(MaxListedDifferences))
                    + (changes.Count > MaxListedDifferences ? $"; and {changes.Count - MaxListedDifferences} more" : "") + ")"));
            }
            if (!string.Equals(saved.DataSha256, DataSha256, StringComparison.OrdinalIgnoreCase))
                differences.Add("other data (feature values, labels of the labelled rows, the split or the folds differ)");
        }
        if (differences.Count == 0) return;
        if (checkpoints.Length == 0)
        {
            // Nothing to resume from: the folder simply starts over for this run.
            logger.LogInformation("Checkpoint folder {Folder} holds no checkpoint yet; its {File} is replaced for this run", full, FileName);
            Write(path);
            return;
        }
        throw new InvalidDataException($"Checkpoint folder '{full}' holds checkpoints written by a run with {string.Join(" and ", differences)}; resuming from them would not reproduce this run, so nothing was trained. {Remedy}");
    }

    private void Write(string path)
    {
        var record = new FileRecord(FileFormatVersion, OptionsSha256, DataSha256, Options.DeepClone().AsObject());
        File.WriteAllText(path, JsonSerializer.Serialize(record, TrainedPipelineFolder.Json));
    }

    /// <summary>Lists the settings whose values differ, as "path: saved in the checkpoint folder, now current".</summary>
    private static void CompareOptions(JsonNode? saved, JsonNode? current, string path, List<string> changes)
    {
        if (saved is JsonObject a && current is JsonObject b)
        {
            foreach (var name in a.Select(p => p.Key).Union(b.Select(p => p.Key), StringComparer.Ordinal))
                CompareOptions(a[name], b[name], path.Length == 0 ? name : $"{path}.{name}", changes);
            return;
        }
        string Show(JsonNode? node) => node is null ? "null" : node.ToJsonString(Compact);
        if (!JsonNode.DeepEquals(saved, current))
            changes.Add($"{path} {Show(saved)} in the checkpoint folder, {Show(current)} now");
    }
}
