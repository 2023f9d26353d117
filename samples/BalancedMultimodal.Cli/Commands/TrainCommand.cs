using System.Globalization;
using System.Text.Json;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Cli.Plotting;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Training;
using Microsoft.Extensions.Configuration;

namespace BalancedMultimodal.Cli.Commands;

/// <summary><c>bmm train</c>: the balanced two-phase pipeline on a MOGONET-format folder (default: bundled ROSMAP).</summary>
public sealed class TrainCommand : ICliCommand
{
    /// <summary>Exit code of a run cancelled with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int CancelledExitCode = CliApp.Cancelled;

    private readonly CancellationToken _externalCancellation;

    /// <summary>Creates the command; <paramref name="cancellation"/> (default none) stops training between epochs
    /// like Ctrl+C does (tests and hosts use it).</summary>
    public TrainCommand(CancellationToken cancellation = default) => _externalCancellation = cancellation;

    /// <inheritdoc />
    public string Name => "train";

    /// <inheritdoc />
    public string Summary => "train the balanced multimodal pipeline and score the test split (writes metrics.json)";

    /// <inheritdoc />
    public string Usage => """
        usage: bmm train [--data DIR] [--seed N] [--out DIR] [--config file.json] [--save DIR] [--plots] [--checkpoint DIR]

          --data DIR      MOGONET-format folder ({m}_tr.csv, {m}_te.csv, labels_tr.csv, labels_te.csv); default: bundled ROSMAP
          --seed N        seed of every stage, non-negative (default 0, or the config's Seed)
          --out DIR       folder for metrics.json (default: out)
          --config FILE   JSON file binding PipelineOptions (see docs/getting-started.md); every section is checked
                          before any work, also those the run does not use (e.g. Encoder with EncoderKind Mlp);
                          a JSON list replaces the default list ([] is an empty list), null is accepted only by
                          options that may be null (e.g. MlpEncoder.AlternativeNegativeSlope)
          --save DIR      also save the trained model to DIR (for bmm predict; format: docs/persistence.md)
          --checkpoint DIR  keep a phase-1 checkpoint per fold in DIR; rerunning the same command after an
                          interruption resumes each fold after phase 1 (identical result)
          --plots         also write PNG plots into --out: training_curves, modality_weights,
                          confusion_matrix, fused_similarity (see docs/plots.md)

        On a terminal a live progress line is redrawn in place; redirected output gets plain lines.
        Ctrl+C stops training between epochs (exit code 130, one line on stderr): no metrics, plots or model are
        written; with --checkpoint, the phase-1 checkpoints of the folds that got that far are kept, and rerunning
        the command resumes from them.
        """;

    /// <inheritdoc />
    public int Run(CliArguments args, TextWriter output)
    {
        var data = args.GetString("data") ?? CliApp.BundledDataFolder;
        var configFile = args.GetString("config");
        var outFolder = args.GetString("out", "out")!;
        var seedText = args.GetString("seed");
        var saveFolder = args.GetString("save");
        bool plots = args.GetBool("plots", false);
        var checkpointFolder = args.GetString("checkpoint");
        args.EnsureAllConsumed();
        CliPaths.RequireOutputFolder(outFolder, "out");
        if (saveFolder is not null) CliPaths.RequireOutputFolder(saveFolder, "save");
        if (checkpointFolder is not null) CliPaths.RequireOutputFolder(checkpointFolder, "checkpoint");

        var options = LoadOptions(configFile);
        if (seedText is not null)
        {
            options.Seed = int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
                ? seed : throw new CliUsageException($"option --seed expects an integer, got '{seedText}'");
            // System.Random uses |seed|: -1 would repeat seed 1's splits.
            if (seed < 0) throw new CliUsageException($"option --seed must be non-negative, got {seed}");
        }
        CliPaths.RequireInputFolder(data, "data", "data");

        var dataset = MogonetFolderLoader.Load(data);
        TrainingPipeline.Validate(options, dataset);
        output.WriteLine($"data: {Path.GetFullPath(data)} ({dataset.SampleCount} samples, {dataset.ModalityCount} modalities, {dataset.ClassCount} classes)");
        var result = RunCancellable(new TrainingPipeline(options) { KeepTrainedModel = saveFolder is not null, CheckpointFolder = checkpointFolder }, dataset, output);
        if (result.Model is { } model)
        {
            using (model) model.Save(saveFolder!);
            output.WriteLine($"model: {Path.GetFullPath(saveFolder!)}");
        }

        Directory.CreateDirectory(outFolder);
        var metricsPath = Path.Combine(outFolder, "metrics.json");
        File.WriteAllText(metricsPath, MetricsReport.ToJson(result, options, Path.GetFullPath(data)));
        SummaryTable.Write(output, result);
        output.WriteLine($"metrics: {Path.GetFullPath(metricsPath)}");
        if (plots)
            foreach (var plot in TrainingPlots.WriteAll(result, dataset, options, outFolder))
                output.WriteLine($"plot: {plot}");
        return 0;
    }

    /// <summary>
    /// Runs the pipeline with live progress on a terminal (plain lines otherwise) and Ctrl+C wired to cancellation;
    /// throws <see cref="CliCancelledException"/> (one line on stderr, exit code 130) when the run was cancelled.
    /// </summary>
    private PipelineResult RunCancellable(TrainingPipeline pipeline, MultimodalDataset dataset, TextWriter output)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_externalCancellation);
        void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
        {
            // A second Ctrl+C while waiting for the epoch to end terminates the process as usual.
            if (cancellation.IsCancellationRequested) return;
            e.Cancel = true;
            cancellation.Cancel();
        }
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        using var live = terminal ? new LiveTrainingProgress(output, pipeline.FoldModelCount(dataset)) : null;
        IProgress<TrainingProgress> progress = live is not null ? live : new ConsoleTrainingProgress(output, pipeline.FoldModelCount(dataset));
        Console.CancelKeyPress += OnCancelKeyPress;
        try
        {
            var result = pipeline.Run(dataset, progress, cancellation.Token);
            live?.Complete();
            return result;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            live?.Complete();
            var kept = pipeline.CheckpointFolder is { } folder && Directory.Exists(folder)
                && Directory.EnumerateFiles(folder, "*.ckpt", SearchOption.AllDirectories).Any()
                ? $"; the phase-1 checkpoints in '{folder}' are kept (rerun the command to resume)" : "";
            throw new CliCancelledException($"cancelled between epochs; no metrics or plots were written{kept}");
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }
    }

    /// <summary>
    /// Binds <see cref="PipelineOptions"/> from a JSON file (or returns the defaults). Unknown keys are an error; a JSON
    /// list replaces the default list (<c>[]</c> gives an empty list); <c>null</c> is allowed only for the options that
    /// may be null (<see cref="MlpEncoderSettings.AlternativeNegativeSlope"/>, the relational-GCN
    /// <c>NumBases</c>/<c>NumBlocks</c>/<c>ClassCount</c>); a list, an object or a single value where another is expected
    /// is an error naming the key.
    /// </summary>
    /// <exception cref="CliUsageException">The file is missing, is not valid JSON or does not fit the options; the
    /// message names the file and the key.</exception>
    public static PipelineOptions LoadOptions(string? configFile)
    {
        var options = new PipelineOptions();
        if (configFile is null) return options;
        if (Directory.Exists(configFile)) throw new CliUsageException($"option --config: '{configFile}' is a folder, not a file");
        if (!File.Exists(configFile)) throw new CliUsageException($"config file '{configFile}' does not exist");
        using var json = ParseJson(configFile);
        try
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(configFile), optional: false).Build();
            // The shapes are checked before binding, whose own messages for them are vague or missing.
            Walk(options, json.RootElement, configuration, "", apply: false);
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
            Walk(options, json.RootElement, configuration, "", apply: true);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException)
        {
            // The JSON parser's message (line and position) and the binder's cause are the inner exception's.
            var cause = e.InnerException is { } inner ? " " + CliApp.OneLine(inner) : "";
            throw new CliUsageException($"config file '{configFile}': {CliApp.OneLine(e)}{cause}");
        }
        return options;
    }

    /// <summary>Parses the file as the configuration's JSON provider does (comments and trailing commas allowed); a syntax
    /// error names the line and position (the provider's own message does not).</summary>
    private static JsonDocument ParseJson(string configFile)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(configFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var message = e.Message;
            int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (position >= 0) message = message[..position];
            throw new CliUsageException(string.Create(CultureInfo.InvariantCulture,
                $"config file '{configFile}' is not valid JSON: line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {message}"));
        }
    }

    /// <summary>
    /// Walks the JSON object <paramref name="element"/> beside the options object <paramref name="target"/> it binds to.
    /// Without <paramref name="apply"/> it checks the shapes: <c>null</c> only for a nullable option, a list (of single
    /// values) for a list option, an object for a nested options object, a single value otherwise. With
    /// <paramref name="apply"/> (after binding) it sets what the configuration binder gets wrong: it appends a JSON list
    /// to a list's default (binding [16] onto the default [32] gave [32, 16]) and skips an empty list and JSON nulls,
    /// so every list the file sets is bound again to replace the default, and every null is set.
    /// </summary>
    private static void Walk(object target, JsonElement element, IConfiguration section, string path, bool apply)
    {
        foreach (var member in element.EnumerateObject())
        {
            var property = target.GetType().GetProperty(member.Name,
                System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            // Unknown keys are reported by the binder (ErrorOnUnknownConfiguration).
            if (property is null || !property.CanRead || property.GetIndexParameters().Length > 0) continue;
            var key = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            var value = member.Value;
            var child = section.GetSection(member.Name);
            if (value.ValueKind == JsonValueKind.Null)
            {
                if (!property.CanWrite || !IsNullable(property)) throw new InvalidDataException($"config key '{key}' cannot be null");
                if (apply) property.SetValue(target, null);
            }
            else if (ListElementType(property.PropertyType) is { } elementType)
            {
                if (value.ValueKind != JsonValueKind.Array)
                    throw new InvalidDataException($"config key '{key}' expects a list such as [32], got {Describe(value)}");
                int index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.Null or JsonValueKind.Object or JsonValueKind.Array)
                        throw new InvalidDataException($"config key '{key}[{index}]' expects a single value, got {Describe(item)}");
                    index++;
                }
                if (apply && property.CanWrite) property.SetValue(target, BindList(property.PropertyType, elementType, child, index, key));
            }
            else if (property.PropertyType.IsClass && property.PropertyType != typeof(string))
            {
                if (value.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"config key '{key}' expects an object {{ ... }} of options, got {Describe(value)}");
                if (property.GetValue(target) is { } nested) Walk(nested, value, child, key, apply);
            }
            else if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                throw new InvalidDataException($"config key '{key}' expects a single value, got {Describe(value)}");
            }
        }
    }

    /// <summary>True for a <see cref="Nullable{T}"/> property and a reference property declared nullable (<c>T?</c>).</summary>
    private static bool IsNullable(System.Reflection.PropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || (!property.PropertyType.IsValueType && new System.Reflection.NullabilityInfoContext().Create(property).WriteState == System.Reflection.NullabilityState.Nullable);

    /// <summary>The element type of an array or generic list property (T[], List&lt;T&gt;, IList&lt;T&gt;, ...), else null.</summary>
    private static Type? ListElementType(Type type)
    {
        if (type == typeof(string)) return null;
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType || type.GetGenericArguments().Length != 1) return null;
        var elementType = type.GetGenericArguments()[0];
        return typeof(List<>).MakeGenericType(elementType).IsAssignableTo(type) && typeof(IEnumerable<>).MakeGenericType(elementType).IsAssignableFrom(type)
            ? elementType : null;
    }

    /// <summary>The file's list for a property of type <paramref name="type"/>: a new array or List&lt;T&gt;, empty for [].</summary>
    private static object BindList(Type type, Type elementType, IConfiguration child, int count, string key)
    {
        var concrete = type.IsArray ? type : typeof(List<>).MakeGenericType(elementType);
        if (count == 0) return type.IsArray ? Array.CreateInstance(elementType, 0) : Activator.CreateInstance(concrete)!;
        return child.Get(concrete) ?? throw new InvalidDataException($"config key '{key}' could not be read as a list");
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Null => "null",
        _ => value.GetRawText().Length <= 40 ? value.GetRawText() : value.ValueKind.ToString().ToLowerInvariant(),
    };
}
