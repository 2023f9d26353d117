using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Graphs;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Writes and reads the folder format of <see cref="TrainedPipeline"/> (docs/persistence.md): JSON for the options,
/// statistics, feature names and per-fold outcomes, TorchSharp state dicts (<c>Module.save</c>) for every tensor, and a
/// <c>manifest.json</c> with the format and library versions, the model's shape and the SHA-256 of every file.
/// </summary>
/// <remarks>
/// Loading checks, in order: the manifest (present, valid JSON, known format version), every listed file present,
/// every JSON file parseable, every tensor file loadable into the model the options and manifest describe (TorchSharp
/// checks each entry's name, dtype and shape), and every file's SHA-256, so a file that is truncated, corrupt, or taken
/// from a model of another shape gives an <see cref="InvalidDataException"/> naming it.
/// </remarks>
internal static class TrainedPipelineFolder
{
    public const string ManifestFile = "manifest.json";
    public const string OptionsFile = "options.json";
    public const string StandardizerFile = "standardizer.json";
    public const string QuantilesFile = "quantiles.json";
    public const string FeatureNamesFile = "feature_names.json";
    public const string CohortFile = "cohort.bin";
    public const string CohortAvailabilityFile = "cohort_availability.json";
    public const string GraphFile = "graph.bin";

    public static string AutoencoderFile(int m) => $"autoencoder_{m}.bin";

    public static string FoldWeightsFile(int k) => $"fold_{k}.bin";

    public static string FoldFile(int k) => $"fold_{k}.json";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    private sealed record StandardizerRecord(string[] ModalityNames, double[][] Means, double[][] Scales);

    private sealed record QuantilesRecord(string[] ModalityNames, double[][][] Quantiles);

    /// <summary>Per modality its feature names in training order, or null for a modality trained without names.</summary>
    private sealed record FeatureNamesRecord(string[] ModalityNames, string[]?[] FeatureNames);

    /// <summary>Per modality the cohort rows lacking it (null: none), for a cohort trained on incomplete samples (format 3).</summary>
    private sealed record CohortAvailabilityRecord(string[] ModalityNames, int[]?[] MissingRows);

    private sealed record FoldRecord(int Fold, int[] ValidationRows, double[] FinalWeights, double FusedValidationScore, int BestJointEpoch, DistillationPlan? Plan,
        double[]? PoolingWeights = null);

    public static void Save(TrainedPipeline pipeline, string folder)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var files = new List<PipelineFile>();
        WriteJson(folder, OptionsFile, pipeline.Options, files);
        WriteJson(folder, StandardizerFile, new StandardizerRecord(pipeline.ModalityNames.ToArray(),
            pipeline.Standardizer.Means.Select(a => a.ToArray()).ToArray(), pipeline.Standardizer.Scales.Select(a => a.ToArray()).ToArray()), files);
        if (pipeline.QuantileNormalizer is { } quantiles)
            WriteJson(folder, QuantilesFile, new QuantilesRecord(quantiles.ModalityNames.ToArray(),
                quantiles.Quantiles.Select(t => t.Select(c => c.ToArray()).ToArray()).ToArray()), files);
        // Optional in every format version: a reader that does not know the file only verifies its checksum.
        if (pipeline.FeatureNames.Any(n => n is not null))
            WriteJson(folder, FeatureNamesFile, new FeatureNamesRecord(pipeline.ModalityNames.ToArray(),
                pipeline.FeatureNames.Select(n => n?.ToArray()).ToArray()), files);
        if (pipeline.Autoencoders is { } autoencoders)
            for (int m = 0; m < autoencoders.Count; m++) WriteModule(folder, AutoencoderFile(m), autoencoders[m], files);
        using (var cohort = new TensorBundle(pipeline.CohortFeatures.Select((f, m) => Entry($"features{m}", f))))
            WriteModule(folder, CohortFile, cohort, files);
        bool incompleteCohort = pipeline.CohortAvailability.Any(a => a is not null);
        if (incompleteCohort)
            WriteJson(folder, CohortAvailabilityFile, new CohortAvailabilityRecord(pipeline.ModalityNames.ToArray(),
                pipeline.CohortAvailability.Select(a => a is null ? null : Enumerable.Range(0, a.Length).Where(r => !a[r]).ToArray()).ToArray()), files);
        var relations = pipeline.Graph.Relations;
        using (var graph = new TensorBundle(relations.SelectMany((r, i) => r.EdgeWeight is null
                   ? new[] { Entry($"relation{i}_edges", r.EdgeIndex) }
                   : new[] { Entry($"relation{i}_edges", r.EdgeIndex), Entry($"relation{i}_weights", r.EdgeWeight) })))
            WriteModule(folder, GraphFile, graph, files);
        for (int k = 0; k < pipeline.Folds.Count; k++)
        {
            var fold = pipeline.Folds[k];
            WriteModule(folder, FoldWeightsFile(k), fold.Network, files);
            WriteJson(folder, FoldFile(k), new FoldRecord(fold.Fold, fold.ValidationRows.ToArray(), fold.FinalWeights.ToArray(),
                fold.FusedValidationScore, fold.BestJointEpoch, fold.Plan, fold.PoolingWeights?.ToArray()), files);
        }
        var manifest = new PipelineManifest
        {
            // A pipeline with a quantile normaliser needs a reader that applies it (format 2); others stay readable by format-1 readers.
            // A cohort trained on incomplete samples needs a reader that attaches new samples to its complete samples only (format 3),
            // or, with IncompleteSampleGraph = FuseAvailableModalities, to every cohort sample by the modalities both have (format 4).
            FormatVersion = incompleteCohort
                ? pipeline.Options.IncompleteSampleGraph == IncompleteSampleGraph.FuseAvailableModalities ? 4 : 3
                : pipeline.QuantileNormalizer is null ? TrainedPipeline.MinimumFormatVersion : 2,
            LibraryVersion = TrainedPipeline.LibraryVersion,
            CreatedUtc = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ModalityNames = pipeline.ModalityNames.ToArray(),
            FeatureCounts = pipeline.FeatureCounts.ToArray(),
            InputDims = pipeline.InputDims,
            ClassNames = pipeline.ClassNames.ToArray(),
            CohortSize = pipeline.CohortSize,
            DType = pipeline.DType.ToString(),
            HasAutoencoders = pipeline.Autoencoders is not null,
            HasQuantileNormalizer = pipeline.QuantileNormalizer is not null,
            FoldCount = pipeline.Folds.Count,
            GraphRelations = relations.Select(r => r.Name).ToArray(),
            Files = files.ToArray(),
        };
        File.WriteAllText(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, Json));
        RemoveStaleModelFiles(folder, files);
    }

    /// <summary>
    /// Deletes the files of an earlier model saved into <paramref name="folder"/> that this model does not have (the
    /// extra folds of a model with more folds, autoencoders, quantiles, a cohort availability or feature names), so the
    /// folder holds one model: the manifest lists only what was just written, and a stale <c>fold_3.bin</c> beside a
    /// two-fold manifest made the folder look like another model. Only this format's own file names are touched; any
    /// other file in the folder is left alone.
    /// </summary>
    private static void RemoveStaleModelFiles(string folder, IReadOnlyCollection<PipelineFile> written)
    {
        var current = new HashSet<string>(written.Select(f => f.Name), StringComparer.Ordinal) { ManifestFile };
        foreach (string path in Directory.EnumerateFiles(folder))
        {
            string name = Path.GetFileName(path);
            if (!current.Contains(name) && IsModelFileName(name))
                File.Delete(path);
        }
    }

    /// <summary>Whether <paramref name="name"/> is a file name of this folder format.</summary>
    private static bool IsModelFileName(string name) =>
        name is OptionsFile or StandardizerFile or QuantilesFile or FeatureNamesFile or CohortFile or CohortAvailabilityFile or GraphFile
        || FoldFileNumber(name) is not null
        || System.Text.RegularExpressions.Regex.IsMatch(name, @"^autoencoder_\d+\.bin$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static TrainedPipeline Load(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        try
        {
            return LoadChecked(folder);
        }
        catch (Exception e) when (e is NullReferenceException or IndexOutOfRangeException or KeyNotFoundException or InvalidCastException)
        {
            // A hand-edited file that still parses (its checksum updated too) can break an assumption the checks above
            // do not cover: report the folder as damaged rather than crash with a stack trace.
            throw new InvalidDataException($"The model folder '{folder}' is damaged or was edited ({e.GetType().Name}: {e.Message}); save the model again with bmm train --save.", e);
        }
    }

    private static TrainedPipeline LoadChecked(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Model folder '{folder}' does not exist.");
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath))
            throw new InvalidDataException($"{ManifestFile} is missing in '{folder}'; it is not a saved pipeline (write one with bmm train --save).");
        var manifest = ReadJson<PipelineManifest>(folder, ManifestFile);
        if (manifest.FormatVersion < TrainedPipeline.MinimumFormatVersion || manifest.FormatVersion > TrainedPipeline.FormatVersion)
            throw new InvalidDataException($"{ManifestFile}: format version {manifest.FormatVersion} (library {manifest.LibraryVersion}) cannot be read by this library (format versions {TrainedPipeline.MinimumFormatVersion}-{TrainedPipeline.FormatVersion}, library {TrainedPipeline.LibraryVersion}).");
        if (manifest.HasQuantileNormalizer && manifest.FormatVersion < 2)
            throw new InvalidDataException($"{ManifestFile}: a quantile normaliser needs format version 2, the manifest says {manifest.FormatVersion}.");
        CheckManifest(manifest);
        var listed = manifest.Files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var file in listed.Keys)
            if (!File.Exists(Path.Combine(folder, file)))
                throw new InvalidDataException($"{file} is listed in {ManifestFile} but missing from '{folder}'.");
        // Every file's SHA-256 first: an edited or swapped file is named as such, before anything is parsed from it.
        foreach (var file in manifest.Files) VerifyChecksum(folder, file);
        PipelineFile Listed(string name) => listed.TryGetValue(name, out var f) ? f
            : throw new InvalidDataException($"{ManifestFile} does not list {name}, which the model needs.");

        int count = manifest.ModalityNames.Length;
        var dtype = new TensorDescription("dtype", [], manifest.DType).ParseDType();
        var options = ReadJson<PipelineOptions>(folder, Listed(OptionsFile).Name);
        // A folder written before IncompleteSampleGraph existed (twenty-third session) was trained with the rule of its
        // time, AttachToCompleteSamples; its options.json has no such key, which would otherwise read as today's default.
        if (!OptionsDeclare(folder, Listed(OptionsFile).Name, nameof(PipelineOptions.IncompleteSampleGraph)))
            options.IncompleteSampleGraph = IncompleteSampleGraph.AttachToCompleteSamples;
        // Likewise a folder written before EncoderKind existed (first sessions) was trained with relational-GCN encoders,
        // the only kind of its time; today's default (Mlp) would build another network and refuse its weights.
        if (!OptionsDeclare(folder, Listed(OptionsFile).Name, nameof(PipelineOptions.EncoderKind)))
            options.EncoderKind = ModalityEncoderKind.RelationalGcn;
        var missing = new (string Name, object? Value)[]
        {
            (nameof(options.Training), options.Training), (nameof(options.MlpEncoder), options.MlpEncoder), (nameof(options.Encoder), options.Encoder),
            (nameof(options.Affinity), options.Affinity), (nameof(options.Fusion), options.Fusion), (nameof(options.Autoencoder), options.Autoencoder),
        }.Where(s => s.Value is null).Select(s => s.Name).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{OptionsFile}: the section(s) {string.Join(", ", missing)} are null; a saved model needs every section.");
        var standardizer = ReadStandardizer(folder, Listed(StandardizerFile).Name, manifest);
        if (manifest.HasQuantileNormalizer != (options.Scaling == FeatureScaling.QuantileNormal))
            throw new InvalidDataException($"{OptionsFile}: Scaling is {options.Scaling} but {ManifestFile} says the folder {(manifest.HasQuantileNormalizer ? "has" : "has no")} {QuantilesFile}.");
        var quantileNormalizer = manifest.HasQuantileNormalizer ? ReadQuantiles(folder, Listed(QuantilesFile).Name, manifest) : null;
        // Folders written before feature names were stored have no such file: their models have no names to check.
        var featureNames = listed.ContainsKey(FeatureNamesFile) ? ReadFeatureNames(folder, FeatureNamesFile, manifest) : null;
        var owned = new List<IDisposable>();
        try
        {
            ModalityAutoencoder[]? autoencoders = null;
            if (manifest.HasAutoencoders)
            {
                autoencoders = new ModalityAutoencoder[count];
                for (int m = 0; m < count; m++)
                {
                    var file = Listed(AutoencoderFile(m));
                    var autoencoder = Construct(file.Name, () => new ModalityAutoencoder(manifest.FeatureCounts[m], options.Autoencoder, dtype: dtype));
                    owned.Add(autoencoder);
                    LoadModule(folder, file, autoencoder);
                    if (autoencoder.LatentDim != manifest.InputDims[m])
                        throw new InvalidDataException($"{file.Name}: latent width {autoencoder.LatentDim} differs from the model input width {manifest.InputDims[m]} in {ManifestFile}.");
                    autoencoder.eval();
                    autoencoders[m] = autoencoder;
                }
            }
            var cohortFile = Listed(CohortFile);
            var features = LoadBundle(folder, cohortFile, Enumerable.Range(0, count)
                .Select(m => new TensorDescription($"features{m}", [manifest.CohortSize, manifest.InputDims[m]], manifest.DType)).ToArray());
            var cohort = Enumerable.Range(0, count).Select(m => features[$"features{m}"]).ToArray();
            foreach (var t in cohort) owned.Add(t);
            var graph = LoadGraph(folder, Listed(GraphFile), manifest);
            owned.Add(graph);
            var folds = new List<TrainedFold>();
            for (int k = 0; k < manifest.FoldCount; k++)
            {
                var weights = Listed(FoldWeightsFile(k));
                var network = Construct(weights.Name, () => TrainedPipeline.CreateLongLivedNetwork(graph, options, manifest.ModalityNames, manifest.InputDims, manifest.ClassNames.Length, dtype));
                owned.Add(network);
                CheckShapes(weights, TensorBundle.Describe(network));
                LoadModule(folder, weights, network);
                network.eval();
                var record = ReadJson<FoldRecord>(folder, Listed(FoldFile(k)).Name);
                if (record.ValidationRows is null || record.FinalWeights is null || record.FinalWeights.Length != count)
                    throw new InvalidDataException($"{FoldFile(k)}: expected validation rows and {count} final weights.");
                bool weighted = options.Training.Prediction == PredictionSource.AllHeadsValidationWeighted;
                if (weighted && (record.PoolingWeights is null || record.PoolingWeights.Length != count + 1))
                    throw new InvalidDataException($"{FoldFile(k)}: Training.Prediction is {PredictionSource.AllHeadsValidationWeighted}, which needs {count + 1} pooling weights.");
                if (!weighted && record.PoolingWeights is not null)
                    throw new InvalidDataException($"{FoldFile(k)}: has pooling weights, but Training.Prediction is {options.Training.Prediction}, whose weights are fixed.");
                folds.Add(new TrainedFold(record.Fold, record.ValidationRows, network, record.Plan, record.FinalWeights, record.FusedValidationScore, record.BestJointEpoch,
                    record.PoolingWeights));
            }
            var cohortAvailability = listed.ContainsKey(CohortAvailabilityFile) ? ReadCohortAvailability(folder, CohortAvailabilityFile, manifest,
                options.IncompleteSampleGraph == IncompleteSampleGraph.FuseAvailableModalities) : null;
            return new TrainedPipeline(options, manifest.ModalityNames, manifest.FeatureCounts, manifest.ClassNames, standardizer,
                autoencoders, cohort, graph, folds, quantileNormalizer, featureNames, cohortAvailability);
        }
        catch
        {
            foreach (var d in owned) d.Dispose();
            throw;
        }
    }

    private static void CheckManifest(PipelineManifest manifest)
    {
        int count = manifest.ModalityNames?.Length ?? 0;
        if (count < 2 || manifest.FeatureCounts?.Length != count || manifest.InputDims?.Length != count)
            throw new InvalidDataException($"{ManifestFile}: expected at least two modality names with as many feature counts and input widths.");
        if (manifest.ClassNames is null || manifest.ClassNames.Length < 2)
            throw new InvalidDataException($"{ManifestFile}: expected at least two class names.");
        if (manifest.CohortSize < 2 || manifest.FoldCount < 1 || manifest.Files is null || manifest.GraphRelations is null || manifest.GraphRelations.Length == 0)
            throw new InvalidDataException($"{ManifestFile}: cohort size, fold count, graph relations or file list missing.");
        if (manifest.FeatureCounts.Any(d => d < 1) || manifest.InputDims.Any(d => d < 1))
            throw new InvalidDataException($"{ManifestFile}: feature counts and input widths must be positive.");
        if (manifest.Files.Any(f => f is null || string.IsNullOrEmpty(f.Name) || f.Name != Path.GetFileName(f.Name)))
            throw new InvalidDataException($"{ManifestFile}: every listed file must be a plain file name inside the folder.");
        var duplicate = manifest.Files.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"{ManifestFile}: {duplicate.Key} is listed {duplicate.Count()} times.");
        var extraFold = manifest.Files.Select(f => f.Name).FirstOrDefault(name =>
            FoldFileNumber(name) is int k && k >= manifest.FoldCount);
        if (extraFold is not null)
            throw new InvalidDataException($"{ManifestFile}: lists {extraFold}, but FoldCount is {manifest.FoldCount} (folds 0..{manifest.FoldCount - 1}).");
    }

    /// <summary>k for <c>fold_{k}.bin</c> or <c>fold_{k}.json</c>, else null.</summary>
    private static int? FoldFileNumber(string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(name, @"^fold_(\d+)\.(bin|json)$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int k) ? k : null;
    }

    private static Standardizer ReadStandardizer(string folder, string file, PipelineManifest manifest)
    {
        var record = ReadJson<StandardizerRecord>(folder, file);
        if (record.ModalityNames is null || !record.ModalityNames.SequenceEqual(manifest.ModalityNames))
            throw new InvalidDataException($"{file}: its modalities differ from {ManifestFile} ({string.Join(", ", manifest.ModalityNames)}).");
        if (record.Means is null || record.Scales is null || record.Means.Length != manifest.FeatureCounts.Length || record.Scales.Length != manifest.FeatureCounts.Length)
            throw new InvalidDataException($"{file}: expected means and scales for each of the {manifest.FeatureCounts.Length} modalities.");
        for (int m = 0; m < manifest.FeatureCounts.Length; m++)
            if (record.Means?[m]?.Length != manifest.FeatureCounts[m] || record.Scales?[m]?.Length != manifest.FeatureCounts[m])
                throw new InvalidDataException($"{file}: modality '{manifest.ModalityNames[m]}' needs {manifest.FeatureCounts[m]} means and scales.");
        try
        {
            return new Standardizer(record.ModalityNames, record.Means!, record.Scales!);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }

    private static QuantileNormalizer ReadQuantiles(string folder, string file, PipelineManifest manifest)
    {
        var record = ReadJson<QuantilesRecord>(folder, file);
        if (record.ModalityNames is null || !record.ModalityNames.SequenceEqual(manifest.ModalityNames))
            throw new InvalidDataException($"{file}: its modalities differ from {ManifestFile} ({string.Join(", ", manifest.ModalityNames)}).");
        if (record.Quantiles is null || record.Quantiles.Length != manifest.FeatureCounts.Length)
            throw new InvalidDataException($"{file}: expected quantiles for each of the {manifest.FeatureCounts.Length} modalities.");
        for (int m = 0; m < manifest.FeatureCounts.Length; m++)
            if (record.Quantiles?[m]?.Length != manifest.FeatureCounts[m])
                throw new InvalidDataException($"{file}: modality '{manifest.ModalityNames[m]}' needs quantiles for {manifest.FeatureCounts[m]} columns.");
        try
        {
            return new QuantileNormalizer(record.ModalityNames, record.Quantiles!);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }

    private static bool[]?[] ReadCohortAvailability(string folder, string file, PipelineManifest manifest, bool fuseAvailable)
    {
        if (manifest.FormatVersion < 3)
            throw new InvalidDataException($"{file}: a cohort trained on incomplete samples needs format version 3, {ManifestFile} says {manifest.FormatVersion}.");
        if (fuseAvailable && manifest.FormatVersion < 4)
            throw new InvalidDataException($"{file}: a cohort trained on incomplete samples with IncompleteSampleGraph = FuseAvailableModalities needs format version 4, {ManifestFile} says {manifest.FormatVersion}.");
        var record = ReadJson<CohortAvailabilityRecord>(folder, file);
        if (record.ModalityNames is null || !record.ModalityNames.SequenceEqual(manifest.ModalityNames))
            throw new InvalidDataException($"{file}: its modalities differ from {ManifestFile} ({string.Join(", ", manifest.ModalityNames)}).");
        if (record.MissingRows is null || record.MissingRows.Length != manifest.ModalityNames.Length)
            throw new InvalidDataException($"{file}: expected one entry (a list of rows, or null) per modality of {ManifestFile}.");
        var result = new bool[]?[record.MissingRows.Length];
        for (int m = 0; m < result.Length; m++)
        {
            if (record.MissingRows[m] is not { } rows) continue;
            var flags = Enumerable.Repeat(true, (int)manifest.CohortSize).ToArray();
            foreach (var row in rows)
            {
                if (row < 0 || row >= manifest.CohortSize)
                    throw new InvalidDataException($"{file}: modality '{manifest.ModalityNames[m]}' lists row {row}, outside the cohort's [0, {manifest.CohortSize}).");
                flags[row] = false;
            }
            result[m] = flags;
        }
        return result;
    }

    private static string[]?[] ReadFeatureNames(string folder, string file, PipelineManifest manifest)
    {
        var record = ReadJson<FeatureNamesRecord>(folder, file);
        if (record.ModalityNames is null || !record.ModalityNames.SequenceEqual(manifest.ModalityNames))
            throw new InvalidDataException($"{file}: its modalities differ from {ManifestFile} ({string.Join(", ", manifest.ModalityNames)}).");
        if (record.FeatureNames is null || record.FeatureNames.Length != manifest.ModalityNames.Length)
            throw new InvalidDataException($"{file}: expected one entry (a list of names, or null) per modality of {ManifestFile}.");
        for (int m = 0; m < manifest.FeatureCounts.Length; m++)
            if (record.FeatureNames[m] is { } names && (names.Length != manifest.FeatureCounts[m] || names.Any(n => n is null)))
                throw new InvalidDataException($"{file}: modality '{manifest.ModalityNames[m]}' needs {manifest.FeatureCounts[m]} feature names (none null), got {names.Length}.");
        return record.FeatureNames;
    }

    private static RelationalGraph LoadGraph(string folder, PipelineFile file, PipelineManifest manifest)
    {
        // Edge counts are data, not architecture: take them from the manifest's record of the file, then let TorchSharp
        // check the file against it.
        var recorded = file.Tensors ?? throw new InvalidDataException($"{ManifestFile}: {file.Name} has no tensor list.");
        var tensors = LoadBundle(folder, file, recorded);
        var relations = new List<GraphRelation>();
        try
        {
            for (int r = 0; r < manifest.GraphRelations.Length; r++)
            {
                if (!tensors.TryGetValue($"relation{r}_edges", out var edges))
                    throw new InvalidDataException($"{file.Name}: relation {r} ('{manifest.GraphRelations[r]}') has no edges.");
                tensors.TryGetValue($"relation{r}_weights", out var weights);
                relations.Add(new GraphRelation(manifest.GraphRelations[r], edges, weights));
            }
            return new RelationalGraph(manifest.CohortSize, relations);
        }
        catch (ArgumentException e)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new InvalidDataException($"{file.Name}: not a valid graph over {manifest.CohortSize} nodes: {e.Message}", e);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    private static Dictionary<string, Tensor> LoadBundle(string folder, PipelineFile file, IReadOnlyList<TensorDescription> expected)
    {
        CheckShapes(file, expected);
        using var bundle = Construct(file.Name, () => TensorBundle.Empty(expected));
        LoadModule(folder, file, bundle);
        return expected.ToDictionary(d => d.Name, d => bundle.Take(d.Name), StringComparer.Ordinal);
    }

    /// <summary>Compares what the model needs with what the manifest says the file holds.</summary>
    private static void CheckShapes(PipelineFile file, IReadOnlyList<TensorDescription> expected)
    {
        if (file.Tensors is not { } recorded) throw new InvalidDataException($"{ManifestFile}: {file.Name} has no tensor list.");
        if (recorded.Length != expected.Count)
            throw new InvalidDataException($"{file.Name} holds {recorded.Length} tensors but the model described by {ManifestFile} and {OptionsFile} has {expected.Count}: it was written by a model of another shape (other modality count or layer count).");
        for (int i = 0; i < expected.Count; i++)
        {
            var (want, have) = (expected[i], recorded[i]);
            if (want.Name != have.Name || !want.Shape.SequenceEqual(have.Shape ?? []) || want.DType != have.DType)
                throw new InvalidDataException($"{file.Name} holds '{have.Name}' {Describe(have)} where the model described by {ManifestFile} and {OptionsFile} needs '{want.Name}' {Describe(want)}: it was written by a model of another shape (other hidden sizes, feature counts or dtype).");
        }
    }

    private static string Describe(TensorDescription d) => $"({string.Join(", ", d.Shape ?? [])}) {d.DType}";

    private static T Construct<T>(string file, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is ArgumentException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            throw new InvalidDataException($"{file}: the model described by {ManifestFile} and {OptionsFile} cannot be built: {e.Message}", e);
        }
    }

    private static void LoadModule(string folder, PipelineFile file, nn.Module module)
    {
        try
        {
            module.load(Path.Combine(folder, file.Name));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{file.Name} does not fit the model described by {ManifestFile} and {OptionsFile}; it was written by a model of another shape or is corrupt ({e.Message})", e);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or OverflowException or InvalidOperationException or OutOfMemoryException or System.Runtime.InteropServices.ExternalException)
        {
            throw new InvalidDataException($"{file.Name} is truncated or corrupt ({e.Message})", e);
        }
    }

    private static void VerifyChecksum(string folder, PipelineFile file)
    {
        var actual = Sha256(Path.Combine(folder, file.Name));
        if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{file.Name} is corrupt or was replaced: its SHA-256 {actual} differs from {file.Sha256} recorded in {ManifestFile}.");
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Whether the top-level JSON object in <paramref name="file"/> has the key <paramref name="key"/>
    /// (case-sensitive, as the options are read).</summary>
    private static bool OptionsDeclare(string folder, string file, string key)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, file)));
        return node is System.Text.Json.Nodes.JsonObject obj && obj.ContainsKey(key);
    }

    private static T ReadJson<T>(string folder, string file)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(folder, file)), Json)
                ?? throw new InvalidDataException($"{file} holds null.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{file} is not valid: {e.Message}", e);
        }
    }

    private static void WriteJson<T>(string folder, string file, T value, List<PipelineFile> files)
    {
        var path = Path.Combine(folder, file);
        File.WriteAllText(path, JsonSerializer.Serialize(value, Json));
        files.Add(new PipelineFile { Name = file, Sha256 = Sha256(path) });
    }

    private static void WriteModule(string folder, string file, nn.Module module, List<PipelineFile> files)
    {
        var path = Path.Combine(folder, file);
        module.save(path);
        files.Add(new PipelineFile { Name = file, Sha256 = Sha256(path), Tensors = TensorBundle.Describe(module).ToArray() });
    }

    private static KeyValuePair<string, Tensor> Entry(string name, Tensor value)
    {
        using var detached = value.detach();   // a new handle on the same storage: freed here, the clone is kept
        return new(name, detached.clone());
    }
}
