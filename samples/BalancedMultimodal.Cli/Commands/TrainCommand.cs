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
    public const int CancelledExitCode = 130;

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
                          before any work, also those the run does not use (e.g. Encoder with EncoderKind Mlp)
          --save DIR      also save the trained model to DIR (for bmm predict; format: docs/persistence.md)
          --checkpoint DIR  keep a phase-1 checkpoint per fold in DIR; rerunning the same command after an
                          interruption resumes each fold after phase 1 (identical result)
          --plots         also write PNG plots into --out: training_curves, modality_weights,
                          confusion_matrix, fused_similarity (see docs/plots.md)

        On a terminal a live progress line is redrawn in place; redirected output gets plain lines.
        Ctrl+C stops training between epochs (exit code 130, nothing written).
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
        if (!Directory.Exists(data)) throw new CliUsageException($"data folder '{data}' does not exist");

        var dataset = MogonetFolderLoader.Load(data);
        TrainingPipeline.Validate(options, dataset);
        output.WriteLine($"data: {Path.GetFullPath(data)} ({dataset.SampleCount} samples, {dataset.ModalityCount} modalities, {dataset.ClassCount} classes)");
        var result = RunCancellable(new TrainingPipeline(options) { KeepTrainedModel = saveFolder is not null, CheckpointFolder = checkpointFolder }, dataset, options, output);
        if (result is null) return CancelledExitCode;
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
    /// returns null, after a one-line message, when the run was cancelled.
    /// </summary>
    private PipelineResult? RunCancellable(TrainingPipeline pipeline, MultimodalDataset dataset, PipelineOptions options, TextWriter output)
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
        using var live = terminal ? new LiveTrainingProgress(output, pipeline.FoldModelCount) : null;
        IProgress<TrainingProgress> progress = live is not null ? live : new ConsoleTrainingProgress(output, pipeline.FoldModelCount);
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
            output.WriteLine("bmm train: cancelled between epochs; no metrics or plots were written");
            return null;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }
    }

    /// <summary>Binds <see cref="PipelineOptions"/> from a JSON file (or returns the defaults).</summary>
    public static PipelineOptions LoadOptions(string? configFile)
    {
        var options = new PipelineOptions();
        if (configFile is null) return options;
        if (!File.Exists(configFile)) throw new CliUsageException($"config file '{configFile}' does not exist");
        try
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(configFile), optional: false).Build();
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
            ReplaceArrays(options, configuration);
            using var json = JsonDocument.Parse(File.ReadAllText(configFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            ApplyNulls(options, json.RootElement);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new CliUsageException($"config file '{configFile}': {e.Message.Split('\n')[0]}");
        }
        return options;
    }

    /// <summary>
    /// The configuration binder appends a JSON list to an array property's default (binding [16] onto the default [32]
    /// gives [32, 16]); every array property the file sets is therefore re-bound here so that the file's list replaces
    /// the default, recursively through nested option objects.
    /// </summary>
    /// <summary>The binder skips JSON nulls, so a file could not switch off an option whose default is set (e.g.
    /// <c>"MlpEncoder": {"AlternativeNegativeSlope": null}</c>); this sets every nullable property the file sets to null.</summary>
    private static void ApplyNulls(object target, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) return;
        foreach (var member in element.EnumerateObject())
        {
            var property = target.GetType().GetProperty(member.Name,
                System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            if (property is null || !property.CanRead || property.GetIndexParameters().Length > 0) continue;
            bool nullable = !property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null;
            if (member.Value.ValueKind == JsonValueKind.Null && nullable && property.CanWrite)
                property.SetValue(target, null);
            else if (member.Value.ValueKind == JsonValueKind.Object && property.GetValue(target) is { } nested)
                ApplyNulls(nested, member.Value);
        }
    }

    private static void ReplaceArrays(object target, IConfiguration section)
    {
        foreach (var property in target.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (!property.CanRead || property.GetIndexParameters().Length > 0) continue;
            var child = section.GetSection(property.Name);
            if (!child.Exists()) continue;
            if (property.PropertyType.IsArray && property.CanWrite)
                property.SetValue(target, child.Get(property.PropertyType) ?? Array.CreateInstance(property.PropertyType.GetElementType()!, 0));
            else if (property.PropertyType.IsClass && property.PropertyType != typeof(string) && property.GetValue(target) is { } nested)
                ReplaceArrays(nested, child);
        }
    }
}
