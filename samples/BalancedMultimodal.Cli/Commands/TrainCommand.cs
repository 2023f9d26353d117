using System.Globalization;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using Microsoft.Extensions.Configuration;

namespace BalancedMultimodal.Cli.Commands;

/// <summary><c>bmm train</c>: the balanced two-phase pipeline on a MOGONET-format folder (default: bundled ROSMAP).</summary>
public sealed class TrainCommand : ICliCommand
{
    /// <inheritdoc />
    public string Name => "train";

    /// <inheritdoc />
    public string Summary => "train the balanced multimodal pipeline and score the test split (writes metrics.json)";

    /// <inheritdoc />
    public string Usage => """
        usage: bmm train [--data DIR] [--seed N] [--out DIR] [--config file.json] [--save DIR]

          --data DIR      MOGONET-format folder ({m}_tr.csv, {m}_te.csv, labels_tr.csv, labels_te.csv); default: bundled ROSMAP
          --seed N        seed of every stage (default 0, or the config's Seed)
          --out DIR       folder for metrics.json (default: out)
          --config FILE   JSON file binding PipelineOptions (see docs/getting-started.md)
          --save DIR      also save the trained model to DIR (for bmm predict; format: docs/persistence.md)
        """;

    /// <inheritdoc />
    public int Run(CliArguments args, TextWriter output)
    {
        var data = args.GetString("data") ?? CliApp.BundledDataFolder;
        var configFile = args.GetString("config");
        var outFolder = args.GetString("out", "out")!;
        var seedText = args.GetString("seed");
        var saveFolder = args.GetString("save");
        args.EnsureAllConsumed();

        var options = LoadOptions(configFile);
        if (seedText is not null)
            options.Seed = int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
                ? seed : throw new CliUsageException($"option --seed expects an integer, got '{seedText}'");
        if (!Directory.Exists(data)) throw new CliUsageException($"data folder '{data}' does not exist");

        var dataset = MogonetFolderLoader.Load(data);
        output.WriteLine($"data: {Path.GetFullPath(data)} ({dataset.SampleCount} samples, {dataset.ModalityCount} modalities, {dataset.ClassCount} classes)");
        var result = new TrainingPipeline(options) { KeepTrainedModel = saveFolder is not null }.Run(dataset, new ConsoleTrainingProgress(output));
        if (result.Model is { } model)
        {
            using (model) model.Save(saveFolder!);
            output.WriteLine($"model: {Path.GetFullPath(saveFolder!)}");
        }

        Directory.CreateDirectory(outFolder);
        var metricsPath = Path.Combine(outFolder, "metrics.json");
        File.WriteAllText(metricsPath, MetricsReport.ToJson(result, options.Seed, Path.GetFullPath(data)));
        SummaryTable.Write(output, result);
        output.WriteLine($"metrics: {Path.GetFullPath(metricsPath)}");
        return 0;
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
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new CliUsageException($"config file '{configFile}': {e.Message.Split('\n')[0]}");
        }
        return options;
    }
}
