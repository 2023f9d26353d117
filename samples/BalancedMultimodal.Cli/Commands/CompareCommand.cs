using System.Globalization;
using System.Text.Json;
using BalancedMultimodal.Cli.Baselines;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Commands;

/// <summary>
/// <c>bmm compare</c>: the full pipeline, its ablations (no distillation, uniform weights, the relational-GCN encoder
/// instead of the configured one, the fused head's prediction alone, other pooling rules) and the baselines (each
/// modality alone by logistic regression and by an MLP, late fusion by logistic regression, early fusion by an MLP) on
/// the same seeds and split (or, with <c>--resplit</c>, one stratified random split of all rows per seed);
/// prints a markdown table of mean +- std over seeds (the tables of docs/results.md).
/// </summary>
public sealed class CompareCommand : ICliCommand
{
    private static readonly string[] AllVariants = ["full", "no-distillation", "uniform-weights", "graph-encoder", "fused-head", "mean-heads", "equal-heads", "baselines"];

    /// <inheritdoc />
    public string Name => "compare";

    /// <inheritdoc />
    public string Summary => "the pipeline, its ablations and baselines over several seeds (markdown table)";

    /// <inheritdoc />
    public string Usage => """
        usage: bmm compare [--data DIR | --synthetic] [--seeds 0,1,2,3,4]
                           [--variants full,no-distillation,uniform-weights,graph-encoder,fused-head,mean-heads,equal-heads,baselines]
                           [--config file.json] [--out DIR] [--outer-folds K] [--resplit]

          --data DIR     MOGONET-format folder (default: bundled ROSMAP)
          --synthetic    a seeded synthetic set with one strong and two weak modalities instead
          --seeds LIST   seeds, non-negative and each once (default 0,1,2,3,4)
          --variants     which rows to run, each once (default: all; with --outer-folds all but baselines);
                         graph-encoder = the relational-GCN encoder over the patient graph, fused-head = the
                         fused classifier's probabilities alone, mean-heads = the heads' probabilities averaged
                         arithmetically, equal-heads = the heads pooled geometrically with equal weights
                         instead of validation-weighted
          --config FILE  PipelineOptions JSON used by every pipeline variant (read once; every variant's options are
                         checked against every seed's data before the first run)
          --out DIR      folder for compare.json (default: out); it is rewritten after every seed, so a run
                         that stops keeps the seeds it finished (rerun the others with --seeds)
          --outer-folds K  nested validation instead of the test split: the test rows are dropped, the labelled
                         rows split into K stratified outer folds, each pipeline variant trained on K - 1 and
                         scored on the held-out fold (accuracy, F1, AUC pooled over all labelled rows); the
                         baselines (scored on the test split) cannot be combined with it: the default variants
                         are then all but baselines, and --variants naming baselines is an error
          --resplit      for every seed a new stratified random split of all rows (training, validation and test
                         pooled; split seed = the seed) with the data's test fraction, instead of the data's own
                         split: mean +- std over seeds is then over random splits, which one fixed test split
                         cannot give

        Data without a test split (no {m}_te.csv, no labels_te.csv) are refused, except with --outer-folds.

        AUC is the binary ROC AUC for two classes and the one-vs-rest macro AUC for more.
        """;

    /// <inheritdoc />
    public int Run(CliArguments args, TextWriter output)
    {
        var data = args.GetString("data");
        bool synthetic = args.GetBool("synthetic", false);
        var seeds = ParseSeeds(args.GetString("seeds", "0,1,2,3,4")!);
        var variantList = args.GetString("variants");
        var config = args.GetString("config");
        var outFolder = args.GetString("out", "out")!;
        int outerFolds = args.GetInt("outer-folds", 0, minimum: 0);
        bool resplit = args.GetBool("resplit", false);
        args.EnsureAllConsumed();
        CliPaths.RequireOutputFolder(outFolder, "out");
        if (outerFolds is < 0 or 1) throw new CliUsageException($"--outer-folds must be 0 (off) or at least 2, got {outerFolds}");
        // The baselines are scored on the test split, which nested validation drops: one table must not mix the two.
        var variants = ParseList(variantList ?? string.Join(",", outerFolds > 0 ? AllVariants.Where(v => v != "baselines") : AllVariants), "variants");
        if (outerFolds > 0 && variants.Contains("baselines"))
            throw new CliUsageException("--outer-folds scores the pipeline variants by nested validation, but the baselines variant is scored on the test split; leave baselines out of --variants");
        foreach (var v in variants)
            if (!AllVariants.Contains(v)) throw new CliUsageException($"unknown variant '{v}' (known: {string.Join(", ", AllVariants)})");
        if (synthetic && data is not null) throw new CliUsageException("give either --data or --synthetic, not both");
        if (!synthetic) CliPaths.RequireInputFolder(data ?? CliApp.BundledDataFolder, "data", "data");

        // The config is read once; every variant's options are built and validated against every seed's data (as each
        // run will see it) before the first run, and each run gets its own copy (a run writes seeds into its options).
        // compare refuses a config Seed and --seed alike: the advice for a stage seed is to drop it and pass --seeds.
        var configured = PipelineConfigFile.Load(config, "remove '{key}' from the config and pass the seeds with --seeds (compare takes every seed from --seeds)");
        if (configured.Seed != 0)
            throw new CliUsageException($"the config sets Seed = {configured.Seed}, but compare takes its seeds from --seeds; remove Seed from the config and pass --seeds {configured.Seed}");
        var pipelineVariants = variants.Where(v => v != "baselines").ToDictionary(v => v, v => VariantOptions(configured, v));
        var loaded = synthetic ? null : MogonetFolderLoader.Load(data ?? CliApp.BundledDataFolder);
        if (loaded is not null && loaded.TestIndices.Length == 0 && (outerFolds == 0 || resplit))
            throw new CliUsageException(NoTestSplitRefusal(data ?? CliApp.BundledDataFolder, resplit));
        var datasets = seeds.Select(seed =>
        {
            var dataset = loaded ?? SyntheticStrongWeakWeak(seed);
            return resplit ? RandomSplit(dataset, seed) : dataset;
        }).ToArray();
        for (int s = 0; s < seeds.Length; s++)
            foreach (var (variant, variantOptions) in pipelineVariants)
            {
                var options = RunOptions(variantOptions, seeds[s]);
                var runs = outerFolds > 0 ? NestedFolds(datasets[s], outerFolds, seeds[s]) : [datasets[s]];
                try
                {
                    foreach (var run in runs) TrainingPipeline.Validate(options, run);
                }
                catch (ArgumentException e)
                {
                    throw new CliUsageException($"variant {variant}, seed {seeds[s]}: {CliApp.OneLine(e)}");
                }
            }

        if (variants.Contains("baselines"))
            for (int s = 0; s < seeds.Length; s++)
            {
                try
                {
                    TrainingPipeline.ValidateData(datasets[s]);
                    _ = BaselineFolds(datasets[s], seeds[s]);   // a class too small for the folds fails here, before any run
                }
                catch (ArgumentException e)
                {
                    throw new CliUsageException($"variant baselines, seed {seeds[s]}: {CliApp.OneLine(e)}");
                }
            }

        // The output folder is made and tried now, after every check and before the first run: a folder that cannot be
        // written (e.g. under /proc) fails here, not after minutes of training.
        CliPaths.CreateOutputFolder(outFolder, "out");

        var rows = new List<Row>();
        for (int s = 0; s < seeds.Length; s++)
        {
            int seed = seeds[s];
            var dataset = datasets[s];
            if (resplit)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"seed {seed}: random split, {dataset.TrainIndices.Length} training and {dataset.TestIndices.Length} test rows"));
            foreach (var variant in variants)
            {
                if (variant == "baselines")
                {
                    rows.AddRange(Baselines(dataset, seed));
                    continue;
                }
                var options = RunOptions(pipelineVariants[variant], seed);
                if (outerFolds > 0)
                {
                    var nested = NestedValidation(dataset, options, outerFolds, seed);
                    rows.Add(nested with { Variant = variant + " (nested validation)" });
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"seed {seed} {variant} nested: acc {nested.Accuracy:F4} macro-F1 {nested.MacroF1:F4} AUC {Auc(nested.Auc)} ({nested.Seconds:F1} s){SlopeNote(nested.ChosenEncoderSlopes)}"));
                    continue;
                }
                var result = new TrainingPipeline(options).Run(dataset);
                var row = new Row(variant, seed, result.Accuracy, result.MacroF1, result.WeightedF1, result.Auc ?? result.MacroAucOneVsRest, result.Seconds, result.OutOfFoldMacroF1,
                    result.ModalityNames, result.PretrainingValidationScores, result.DistilledValidationScores, result.FinalValidationScores)
                { ChosenEncoderSlopes = result.EncoderSelection is { } selection ? [selection.ChosenSlope] : null };
                rows.Add(row);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"seed {seed} {variant}: acc {result.Accuracy:F4} macro-F1 {result.MacroF1:F4} AUC {Auc(row.Auc)} oof-F1 {result.OutOfFoldMacroF1:F4} ({result.Seconds:F1} s){SlopeNote(row.ChosenEncoderSlopes)}"));
            }
            if (s < seeds.Length - 1) SaveRows(outFolder, rows);   // a run stopped later keeps the seeds finished so far
        }

        WriteTable(output, rows);   // first: a failing write below must not lose the table
        SaveRows(outFolder, rows);
        return 0;
    }

    /// <summary>Writes <c>compare.json</c> with the rows so far: to a temporary file first, then moved over the old one,
    /// so that the file is always a complete JSON document (of the seeds finished when it was written).</summary>
    private static void SaveRows(string outFolder, List<Row> rows)
    {
        var target = Path.Combine(outFolder, "compare.json");
        var temporary = target + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, target, overwrite: true);
    }

    /// <summary>The AUC with 4 decimals, or "n/a" when it is undefined (a class without a scored row).</summary>
    private static string Auc(double? auc) => auc is double value ? value.ToString("F4", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>The refusal of data without a test split (no <c>{m}_te.csv</c>, no <c>labels_te.csv</c>): the variants
    /// and baselines are scored on the test rows, and <c>--resplit</c> takes its test fraction from them; nested
    /// validation (<c>--outer-folds</c>) needs none.</summary>
    internal static string NoTestSplitRefusal(string folder, bool resplit) =>
        $"the data in '{folder}' have no test split (no labels_te.csv or {{m}}_te.csv), but " +
        (resplit ? "--resplit takes the test fraction of its random splits from the data's test split" : "compare scores every variant on the test rows") +
        "; add {m}_te.csv for every modality and labels_te.csv, score by nested validation on the labelled rows with --outer-folds K" +
        (resplit ? " (without --resplit)" : "") +
        ", or train on every row with bmm train (it reports the out-of-fold scores, and --save keeps the model for bmm predict)";

    /// <summary>
    /// A stratified random split of all rows of <paramref name="dataset"/> (its training, validation and test rows
    /// pooled) with the same test fraction, n_test / n, and no validation part (the pipeline carves its own);
    /// <see cref="StratifiedSplitter.SplitDataset"/> with seed <paramref name="seed"/>.
    /// </summary>
    private static MultimodalDataset RandomSplit(MultimodalDataset dataset, int seed)
    {
        if (dataset.TestIndices.Length == 0)
            throw new CliUsageException("--resplit takes the test fraction from the data's test split, and the data has no test rows");
        return StratifiedSplitter.SplitDataset(dataset, 0, (double)dataset.TestIndices.Length / dataset.SampleCount, seed);
    }

    /// <summary>
    /// Nested validation of one configuration: only the labelled rows are kept (the test split never enters), they are
    /// split into <paramref name="outerFolds"/> stratified folds, and each fold is predicted by a full pipeline run
    /// (with its own inner cross-fitting, early stopping and checkpoint choice) trained on the other folds. Unlike the
    /// out-of-fold score, no choice inside the pipeline ever sees the rows it is scored on, so configurations with
    /// different inner fold counts can be compared.
    /// </summary>
    private static Row NestedValidation(MultimodalDataset dataset, PipelineOptions options, int outerFolds, int seed)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var truth = new List<int>();
        var predicted = new List<int>();
        var scores = new List<double[]>();
        var slopes = new List<double>();
        int classCount = dataset.ClassCount;
        foreach (var fold in NestedFolds(dataset, outerFolds, seed))
        {
            // Every outer fold's run gets its own copy: a run writes the seed into its options.
            var result = new TrainingPipeline(RunOptions(options, options.Seed)).Run(fold);
            if (result.EncoderSelection is { } selection) slopes.Add(selection.ChosenSlope);
            for (int k = 0; k < result.TestRows.Count; k++)
            {
                truth.Add(result.TestLabels[k]);
                predicted.Add(result.TestPredictions[k]);
                scores.Add(Enumerable.Range(0, classCount).Select(c => result.TestProbabilities[k, c]).ToArray());
            }
        }
        var report = ClassificationReport.Compute(truth, predicted, classCount);
        var probabilities = new double[scores.Count, classCount];
        for (int i = 0; i < scores.Count; i++)
            for (int c = 0; c < classCount; c++) probabilities[i, c] = scores[i][c];
        double? auc = RocAuc.TryForClasses(truth, probabilities, out var nestedAuc) ? nestedAuc : null;
        return new Row("nested", seed, report.Accuracy, report.MacroF1, report.WeightedF1, auc, clock.Elapsed.TotalSeconds, null, null, null, null, null, truth.Count)
        { ChosenEncoderSlopes = slopes.Count > 0 ? slopes : null };
    }

    /// <summary>The outer folds of nested validation: only the labelled rows of <paramref name="dataset"/> are kept, split
    /// into <paramref name="outerFolds"/> stratified folds (seed + 7919); one dataset per fold, whose test rows are the
    /// fold and whose training rows are the other folds.</summary>
    private static MultimodalDataset[] NestedFolds(MultimodalDataset dataset, int outerFolds, int seed)
    {
        var labelled = dataset.TrainIndices.Concat(dataset.ValidationIndices).OrderBy(r => r).ToArray();
        var cohort = dataset.SelectRows(labelled);
        var all = Enumerable.Range(0, cohort.SampleCount).ToArray();
        IReadOnlyList<CrossValidationFold> outer;
        try
        {
            outer = StratifiedSplitter.KFold(cohort.Labels, outerFolds, seed + 7919, all);
        }
        catch (ArgumentException e) when (e.ParamName == "foldCount")
        {
            // Checked before any run: a class too small for the outer folds names the option.
            throw new CliUsageException($"option --outer-folds {outerFolds}: {CliApp.OneLine(e)} Give fewer outer folds.");
        }
        return outer
            .Select(fold => cohort.WithSplits(fold.Train, [], fold.Test)).ToArray();
    }

    /// <summary>The configured options with <paramref name="variant"/>'s change (a copy).</summary>
    private static PipelineOptions VariantOptions(PipelineOptions configured, string variant)
    {
        var options = TrainingPipeline.CloneOptions(configured);
        if (variant == "no-distillation") options.Training.EnableDistillation = false;
        if (variant == "uniform-weights") options.Training.Weighting.Policy = ModalityWeightingPolicy.Uniform;
        if (variant == "graph-encoder") options.EncoderKind = ModalityEncoderKind.RelationalGcn;
        if (variant == "fused-head") options.Training.Prediction = PredictionSource.FusedHead;
        if (variant == "mean-heads") options.Training.Prediction = PredictionSource.AllHeads;
        if (variant == "equal-heads") options.Training.Prediction = PredictionSource.AllHeadsGeometricMean;
        return options;
    }

    /// <summary>A copy of <paramref name="options"/> for one run with <paramref name="seed"/>.</summary>
    private static PipelineOptions RunOptions(PipelineOptions options, int seed)
    {
        var copy = TrainingPipeline.CloneOptions(options);
        copy.Seed = seed;
        return copy;
    }

    private static string SlopeNote(IReadOnlyList<double>? keptSlopes) =>
        keptSlopes is null ? "" : " [encoder slope(s) kept: " + string.Join(", ", keptSlopes.Select(k => k.ToString(CultureInfo.InvariantCulture))) + "]";

    private static IEnumerable<Row> Baselines(MultimodalDataset dataset, int seed)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var train = dataset.TrainIndices.Concat(dataset.ValidationIndices).ToArray();
        var standardized = Standardizer.FitTransform(dataset, train);
        double standardizing = clock.Elapsed.TotalSeconds;
        using var scope = NewDisposeScope();
        var labels = standardized.LabelsTensor();
        var perModality = new List<Tensor>();
        var rows = new List<Row>();
        for (int m = 0; m < standardized.ModalityCount; m++)
        {
            // Each modality's row: the shared standardisation plus its own fit (the late fusion row: all of them).
            var fit = System.Diagnostics.Stopwatch.StartNew();
            var p = LogisticRegressionBaseline.FitPredict(Imputed(standardized, m), labels, standardized.ClassCount, Available(standardized, m, train));
            perModality.Add(p);
            rows.Add(Score($"LR {standardized.Modalities[m].Name} alone", seed, dataset, p, standardizing + fit.Elapsed.TotalSeconds));
        }
        var folds = BaselineFolds(dataset, seed);
        rows.Add(Score("LR late fusion", seed, dataset, AvailableMean(standardized, perModality), clock.Elapsed.TotalSeconds)
            with { OutOfFoldMacroF1 = LateFusionOutOfFoldMacroF1(standardized, labels, folds) });

        var modalityFeatures = Enumerable.Range(0, standardized.ModalityCount).Select(m => Imputed(standardized, m).to(ScalarType.Float32)).ToArray();
        rows.Add(CrossFittedMlp("early fusion MLP", cat(modalityFeatures, 1), labels, dataset, folds, seed));
        for (int m = 0; m < standardized.ModalityCount; m++)
            rows.Add(CrossFittedMlp($"MLP {standardized.Modalities[m].Name} alone", modalityFeatures[m], labels, dataset, folds, seed));
        return rows;
    }

    /// <summary>Standardised features of modality m (float64) with the rows lacking it set to 0, the training mean: the
    /// baselines' imputation (the MLPs and a modality's logistic regression alone predict such rows from it).</summary>
    private static Tensor Imputed(MultimodalDataset standardized, int m)
    {
        var x = standardized.ToTensor(m);
        var modality = standardized.Modalities[m];
        if (!modality.HasMissingRows) return x;
        using var zero = 0.0.ToScalar();
        return x.masked_fill(tensor(modality.Availability.ToArray()).logical_not().unsqueeze(1), zero);
    }

    /// <summary>The rows of <paramref name="rows"/> that have modality m (what its logistic regression is fitted on).</summary>
    private static int[] Available(MultimodalDataset standardized, int m, IReadOnlyList<int> rows) =>
        rows.Where(standardized.Modalities[m].IsAvailable).ToArray();

    /// <summary>The late fusion: per row, the mean of the probabilities of the modalities the row has (n, C).</summary>
    private static Tensor AvailableMean(MultimodalDataset standardized, IReadOnlyList<Tensor> perModality)
    {
        if (standardized.Modalities.All(m => !m.HasMissingRows)) return stack(perModality.ToArray()).mean([0]);
        var weights = stack(standardized.Modalities.Select(m => tensor(m.Availability.ToArray()).to(perModality[0].dtype)).ToArray());   // (M, n)
        return (stack(perModality.ToArray()) * weights.unsqueeze(2)).sum(dim: 0) / weights.sum(dim: 0).unsqueeze(1);
    }

    /// <summary>The baselines' 5 folds of the labelled (training and validation) rows, stratified as the pipeline's
    /// default folds are (by class and, with samples lacking modalities, by which modalities a sample has, so that every
    /// fold trains each modality's logistic regression).</summary>
    private static IReadOnlyList<CrossValidationFold> BaselineFolds(MultimodalDataset dataset, int seed)
    {
        int[] labelled = [.. dataset.TrainIndices, .. dataset.ValidationIndices];
        return StratifiedSplitter.KFold(dataset.Labels, 5, seed, labelled, TrainingPipeline.AvailabilityAttributes(dataset));
    }

    /// <summary>The MLP baseline on <paramref name="features"/>, one model per fold (validated on it), test probabilities averaged.</summary>
    private static Row CrossFittedMlp(string variant, Tensor features, Tensor labels, MultimodalDataset dataset, IReadOnlyList<CrossValidationFold> folds, int seed)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var probabilities = zeros(dataset.SampleCount, dataset.ClassCount, dtype: ScalarType.Float64);
        foreach (var fold in folds)
        {
            // FitPredict's result lives outside every dispose scope: freed here, once added.
            using var foldProbabilities = MlpBaseline.FitPredict(features, labels, dataset.ClassCount, fold.Train, fold.Test, seed * 100 + fold.Index);
            probabilities.PlusInPlace(foldProbabilities);
        }
        using var foldCount = folds.Count.ToScalar();   // an Int32, as the implicit conversion had it
        return Score(variant, seed, dataset, probabilities.div(foldCount), clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The late fusion's validation score on the pipeline's footing: each training row predicted by per-modality
    /// logistic regressions fitted on the other folds (the same stratified 5 folds and seed), probabilities averaged;
    /// macro-F1 over all training rows. (The standardisation uses all training rows, as the test-split baseline does.)
    /// </summary>
    private static double LateFusionOutOfFoldMacroF1(MultimodalDataset standardized, Tensor labels, IReadOnlyList<CrossValidationFold> folds)
    {
        var truth = new List<int>();
        var predicted = new List<int>();
        foreach (var fold in folds)
        {
            using var scope = NewDisposeScope();
            var average = AvailableMean(standardized, Enumerable.Range(0, standardized.ModalityCount)
                .Select(m => LogisticRegressionBaseline.FitPredict(Imputed(standardized, m), labels, standardized.ClassCount, Available(standardized, m, fold.Train)))
                .ToArray());
            foreach (int row in fold.Test)
            {
                truth.Add(standardized.Labels[row]);
                predicted.Add((int)average[row].argmax().item<long>());
            }
        }
        return ClassificationReport.Compute(truth, predicted, standardized.ClassCount).MacroF1;
    }

    private static Row Score(string variant, int seed, MultimodalDataset dataset, Tensor probabilities, double seconds)
    {
        var test = dataset.TestIndices;
        var labels = test.Select(r => dataset.Labels[r]).ToArray();
        var p = probabilities.to(ScalarType.Float64).cpu();
        var predictions = test.Select(r => (int)p[r].argmax().item<long>()).ToArray();
        var report = ClassificationReport.Compute(labels, predictions, dataset.ClassCount);
        var values = p.data<double>().ToArray();
        int classes = dataset.ClassCount;
        var testProbabilities = new double[test.Length, classes];
        for (int i = 0; i < test.Length; i++)
            for (int c = 0; c < classes; c++) testProbabilities[i, c] = values[test[i] * classes + c];
        double? auc = RocAuc.TryForClasses(labels, testProbabilities, out var testAuc) ? testAuc : null;
        return new Row(variant, seed, report.Accuracy, report.MacroF1, report.WeightedF1, auc, seconds, null, null, null, null, null);
    }

    /// <summary>One strong (signal 1.2) and two weak (0.35, 0.25) modalities, 3 classes, 400 samples; splits 60/20/20.</summary>
    public static MultimodalDataset SyntheticStrongWeakWeak(int seed) =>
        new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions
        {
            SampleCount = 400,
            ClassProportions = [0.4, 0.35, 0.25],
            Seed = seed,
            Modalities =
            [
                new SyntheticModalityOptions { Name = "strong", FeatureCount = 100, InformativeFeatureCount = 20, SignalStrength = 1.2 },
                new SyntheticModalityOptions { Name = "weak1", FeatureCount = 100, InformativeFeatureCount = 20, SignalStrength = 0.35 },
                new SyntheticModalityOptions { Name = "weak2", FeatureCount = 100, InformativeFeatureCount = 20, SignalStrength = 0.25 },
            ],
        }).Generate();

    /// <summary>
    /// Writes the summary tables: per variant (in the order of first appearance) the mean ± sample standard deviation
    /// (n - 1; 0 for a single row) of every score over its rows, "n/a" for a score no row has; then, for the pipeline
    /// rows, the same of each modality's validation macro-F1 after phase 1, after distillation and at the checkpoint.
    /// </summary>
    /// <param name="output">Receives the tables (Markdown), after a blank line each.</param>
    /// <param name="rows">The measured rows.</param>
    public static void WriteTable(TextWriter output, IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        static string MeanStd(IEnumerable<double> values)
        {
            var v = values.ToArray();
            if (v.Length == 0) return "n/a";
            double mean = v.Average();
            double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
            return string.Create(CultureInfo.InvariantCulture, $"{mean:F3} ± {std:F3}");
        }
        output.WriteLine();
        output.WriteLine("| variant | accuracy | macro-F1 | weighted-F1 | AUC | out-of-fold macro-F1 (validation) | seconds |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var group in rows.GroupBy(r => r.Variant))
            output.WriteLine($"| {group.Key} | {MeanStd(group.Select(r => r.Accuracy))} | {MeanStd(group.Select(r => r.MacroF1))} | {MeanStd(group.Select(r => r.WeightedF1))} | " +
                $"{MeanStd(group.Where(r => r.Auc is not null).Select(r => r.Auc!.Value))} | {MeanStd(group.Where(r => r.OutOfFoldMacroF1 is not null).Select(r => r.OutOfFoldMacroF1!.Value))} | {MeanStd(group.Select(r => r.Seconds))} |");
        var pipelines = rows.Where(r => r.ModalityNames is not null).ToArray();
        if (pipelines.Length == 0) return;
        output.WriteLine();
        output.WriteLine("| variant | modality | validation macro-F1 after phase 1 | after distillation | at the joint checkpoint |");
        output.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var group in pipelines.GroupBy(r => r.Variant))
            for (int m = 0; m < group.First().ModalityNames!.Count; m++)
                output.WriteLine($"| {group.Key} | {group.First().ModalityNames![m]} | {MeanStd(group.Select(r => r.Pretraining![m]))} | {MeanStd(group.Select(r => r.Distilled![m]))} | {MeanStd(group.Select(r => r.Final![m]))} |");
    }

    /// <summary>The comma-separated items of an option: no empty item, none twice (unless <paramref name="distinct"/>
    /// is false: the seeds are compared as numbers).</summary>
    private static string[] ParseList(string text, string option, bool distinct = true)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        if (items.All(i => i.Length == 0)) throw new CliUsageException($"option --{option} needs at least one value");
        if (items.Any(i => i.Length == 0)) throw new CliUsageException($"option --{option} has an empty item in '{text}'");
        var twice = distinct ? items.GroupBy(i => i, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) : null;
        if (twice is not null) throw new CliUsageException($"option --{option} lists '{twice.Key}' twice");
        return items;
    }

    /// <summary>The seeds of <c>--seeds</c>: non-negative integers, none twice (a repeated seed repeats its run and
    /// fakes a smaller spread; System.Random uses |seed|, so -1 would repeat 1's splits).</summary>
    private static int[] ParseSeeds(string text)
    {
        var seeds = ParseList(text, "seeds", distinct: false)
            .Select(item => CliArguments.ParseInt(item, "option --seeds", minimum: 0, expected: "comma-separated integers")).ToArray();
        foreach (var seed in seeds)
            if (seed < 0) throw new CliUsageException($"option --seeds: a seed must be non-negative, got {seed}");
        var twice = seeds.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new CliUsageException($"option --seeds lists {twice.Key} twice");
        return seeds;
    }

    /// <summary>One measured row of the comparison.</summary>
    public sealed record Row(
        string Variant,
        int Seed,
        double Accuracy,
        double MacroF1,
        double WeightedF1,
        double? Auc,
        double Seconds,
        double? OutOfFoldMacroF1,
        IReadOnlyList<string>? ModalityNames,
        IReadOnlyList<double>? Pretraining,
        IReadOnlyList<double>? Distilled,
        IReadOnlyList<double>? Final,
        int? ScoredRows = null)
    {
        /// <summary>The MLP-encoder slope(s) the encoder selection kept (one per pipeline run: one for a pipeline row, one per
        /// outer fold for a nested row), or null when no selection ran.</summary>
        public IReadOnlyList<double>? ChosenEncoderSlopes { get; init; }
    }
}
