using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Cli.Plotting;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Training;

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
    public string Summary => "train the balanced multimodal pipeline and score the test split, if any (writes metrics.json)";

    /// <inheritdoc />
    public string Usage => """
        usage: bmm train [--data DIR] [--seed N] [--out DIR] [--config file.json] [--save DIR] [--plots] [--checkpoint DIR]

          --data DIR      MOGONET-format folder ({m}_tr.csv, {m}_te.csv, labels_tr.csv, labels_te.csv); default: bundled ROSMAP.
                          Without any {m}_te.csv and labels_te.csv (one labelled cohort) every row trains: no test
                          scores, only the out-of-fold ones (metrics.json: test scores null); with --save the model
                          predicts new samples later (bmm predict)
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
                          confusion_matrix, fused_similarity (see docs/plots.md; the last computes the SNF
                          matrix even when the run needs no graph, and is left out, with a note, for
                          incomplete samples that cannot carry one; confusion_matrix, of the test predictions,
                          is left out, with a note, without a test split)

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

        var options = PipelineConfigFile.Load(configFile);
        if (seedText is not null)
        {
            int seed = CliArguments.ParseInt(seedText, "option --seed", minimum: 0);
            options.Seed = seed;
            // System.Random uses |seed|: -1 would repeat seed 1's splits.
            if (seed < 0) throw new CliUsageException($"option --seed must be non-negative, got {seed}");
        }
        CliPaths.RequireInputFolder(data, "data", "data");

        var dataset = MogonetFolderLoader.Load(data);
        TrainingPipeline.Validate(options, dataset);
        // Every output folder is made and tried now, after every check and before training: a place that cannot be
        // written fails here, not after minutes of training.
        CliPaths.CreateOutputFolder(outFolder, "out");
        if (saveFolder is not null) CliPaths.CreateOutputFolder(saveFolder, "save");
        if (checkpointFolder is not null) CliPaths.CreateOutputFolder(checkpointFolder, "checkpoint");
        int incomplete = dataset.SampleCount - CompleteSamples.Rows(dataset).Length;
        string lacking = incomplete == 0 ? "" : $", {incomplete} lacking a modality";
        string noTest = dataset.TestIndices.Length == 0 ? ", no test split" : "";
        output.WriteLine($"data: {Path.GetFullPath(data)} ({dataset.SampleCount} samples, {dataset.ModalityCount} modalities, {dataset.ClassCount} classes{lacking}{noTest})");
        var result = RunCancellable(new TrainingPipeline(options) { KeepTrainedModel = saveFolder is not null, CheckpointFolder = checkpointFolder }, dataset, output);
        if (result.Model is { } model)
        {
            using (model) model.Save(saveFolder!);
            output.WriteLine($"model: {Path.GetFullPath(saveFolder!)}");
        }

        var metricsPath = Path.Combine(outFolder, "metrics.json");
        File.WriteAllText(metricsPath, MetricsReport.ToJson(result, options, Path.GetFullPath(data)));
        SummaryTable.Write(output, result);
        output.WriteLine($"metrics: {Path.GetFullPath(metricsPath)}");
        if (plots)
        {
            var earlier = TrainingPlots.PlotFilesIn(outFolder);
            var written = TrainingPlots.WriteAll(result, dataset, options, outFolder);
            foreach (var plot in written)
                output.WriteLine($"plot: {plot}");
            if (!result.HasTestSplit) output.WriteLine($"note: {TrainingPlots.NoTestSplitPlotNote}");
            if (TrainingPlots.SkippedPlotNote(dataset, options) is { } note) output.WriteLine($"note: {note}");
            foreach (var removed in earlier.Except(written).Where(path => !File.Exists(path)))
                output.WriteLine($"note: removed {removed}, an earlier run's plot that this run does not draw");
        }
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
}
