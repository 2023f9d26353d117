using System.Diagnostics;
using System.Globalization;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Metrics;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary>
/// <c>bmm bench data [--data DIR] [--repeats N]</c>: times loading a MOGONET folder (default: bundled ROSMAP),
/// standardisation, a stratified split, k-fold with and without availability attributes, the synthetic generator, the
/// quantile transform of a wide cohort and the metrics (median and max over N runs after a warm-up).
/// </summary>
public sealed class DataBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "data";

    /// <inheritdoc />
    public string Summary => "load ROSMAP, standardise, split, generate synthetic data, score metrics";

    /// <inheritdoc />
    public IReadOnlyList<string> Options { get; } =
    [
        "--data DIR         MOGONET-format folder to load (default: the bundled ROSMAP data)",
        "--repeats N        timed repetitions, >= 1 (default 20)",
    ];

    /// <inheritdoc />
    public void Run(CliArguments args, TextWriter output)
    {
        var folder = args.GetString("data", CliApp.BundledDataFolder)!;
        int repeats = args.GetInt("repeats", 20, minimum: 1);
        args.EnsureAllConsumed(allowPositionals: true);
        if (repeats < 1) throw new CliUsageException("option --repeats must be >= 1");
        CliPaths.RequireInputFolder(folder, "data", "data");

        var firstLoad = Stopwatch.StartNew();
        var dataset = MogonetFolderLoader.Load(folder);
        firstLoad.Stop();
        var random = new Random(0);
        var labels = Enumerable.Range(0, 100_000).Select(_ => random.Next(2)).ToArray();
        var predictions = labels.Select(y => random.NextDouble() < 0.8 ? y : 1 - y).ToArray();
        var scores = labels.Select(y => Math.Round(random.NextDouble() + 0.5 * y, 2)).ToArray();
        // 20,000 samples of three classes and four modalities: one on every sample, the others on about 60 %, 30 % and
        // 0.1 % of them.
        var cohortLabels = Enumerable.Range(0, 20_000).Select(_ => random.Next(3)).ToArray();
        double[] measured = [1, 0.6, 0.3, 0.001];
        var availability = new bool[cohortLabels.Length, measured.Length];
        for (int r = 0; r < cohortLabels.Length; r++)
            for (int m = 0; m < measured.Length; m++) availability[r, m] = random.NextDouble() < measured[m];

        // A wide cohort for the quantile transform: 1000 samples, three modalities of 1000 features each.
        var wide = new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions
        {
            SampleCount = 1000,
            Modalities = [new() { Name = "a", FeatureCount = 1000 }, new() { Name = "b", FeatureCount = 1000 }, new() { Name = "c", FeatureCount = 1000 }],
        }).Generate();
        var quantiles = QuantileNormalizer.Fit(wide);

        var steps = new (string Name, Action Work)[]
        {
            ($"MogonetFolderLoader.Load ({dataset.SampleCount} x {dataset.ModalityCount} x {dataset.Modalities[0].FeatureCount})", () => MogonetFolderLoader.Load(folder)),
            ("Standardizer.FitTransform (train rows)", () => Standardizer.FitTransform(dataset)),
            ("StratifiedSplitter.CarveValidation (0.2)", () => StratifiedSplitter.CarveValidation(dataset, 0.2, 0)),
            ("StratifiedSplitter.KFold (20k rows, 10 folds)", () => StratifiedSplitter.KFold(cohortLabels, 10, 0)),
            ("StratifiedSplitter.KFold with 4 availability attributes (20k rows, 10 folds)", () => StratifiedSplitter.KFold(cohortLabels, 10, 0, null, availability)),
            ("SyntheticMultiomicsGenerator (300 x 250 features)", () => SyntheticMultiomicsGenerator.Generate(0)),
            ("QuantileNormalizer.Transform (1000 x 3 x 1000 features)", () => quantiles.Transform(wide)),
            ("ClassificationReport (100k samples)", () => ClassificationReport.Compute(labels, predictions)),
            ("RocAuc.Binary (100k samples, ties)", () => RocAuc.Binary(labels, scores)),
        };

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first (cold) load of {folder}: {firstLoad.Elapsed.TotalMilliseconds:F1} ms"));
        output.WriteLine();
        output.WriteLine("| step | median ms | max ms |");
        output.WriteLine("|---|---:|---:|");
        foreach (var (name, work) in steps)
        {
            work();
            var times = new double[repeats];
            for (int r = 0; r < repeats; r++)
            {
                var watch = Stopwatch.StartNew();
                work();
                times[r] = watch.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {times[repeats / 2]:F2} | {times[^1]:F2} |"));
        }
    }
}
