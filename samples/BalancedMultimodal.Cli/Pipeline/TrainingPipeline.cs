using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// The end-to-end job: standardise (training rows), optionally compress each modality with an autoencoder, build
/// per-modality affinities, fuse them with SNF, keep a top-k patient graph, and run the two-phase balanced schedule
/// with one encoder per modality (<see cref="PipelineOptions.EncoderKind"/>: MLP by default, or the relational GCN over
/// the graph) on every cross-fitted fold; then score the test rows with the fold-averaged final probabilities.
/// </summary>
public sealed class TrainingPipeline
{
    private readonly PipelineOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the pipeline.</summary>
    public TrainingPipeline(PipelineOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.ValidationFraction > 0 && options.ValidationFraction < 1))
            throw new ArgumentException($"ValidationFraction must lie in (0, 1), got {options.ValidationFraction}.");
        if (options.GraphNeighbours < 1)
            throw new ArgumentException($"GraphNeighbours must be at least 1, got {options.GraphNeighbours}.");
        if (options.DType is not ("float32" or "float64"))
            throw new ArgumentException($"DType must be float32 or float64, got '{options.DType}'.");
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>When true, <see cref="Run"/> also returns the trained model in <see cref="PipelineResult.Model"/>
    /// (for prediction on new samples and <see cref="TrainedPipeline.Save"/>). Default false.</summary>
    public bool KeepTrainedModel { get; init; }

    /// <summary>
    /// Folder for phase-1 checkpoints (one file per fold, <c>fold{k}.ckpt</c>; with an
    /// <see cref="MlpEncoderSettings.AlternativeNegativeSlope"/>, one subfolder per slope, <c>slope-{s}</c>), or null for
    /// none. A fold whose file exists resumes after phase 1 from it (same seed and data: the result is identical to an
    /// uninterrupted run); otherwise the fold's checkpoint is written as soon as its phase 1 ends, even if the run is
    /// cancelled later. Before any training the folder is tied to the run's options and data
    /// (<see cref="CheckpointFingerprint"/>, <c>fingerprint.json</c>): checkpoints written with other options or data are
    /// refused with an <see cref="InvalidDataException"/> naming the folder and what differs.
    /// </summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>True for the per-slope runs of the encoder selection, whose parent checked the checkpoint folder.</summary>
    private bool CheckpointFolderChecked { get; init; }

    /// <summary>
    /// The number of fold models <see cref="Run"/> trains, one after another, each announced to an
    /// <see cref="IFoldProgress"/> callback and reporting its phases from phase 1 on (only those after phase 1 when resumed from a
    /// checkpoint): <c>CrossFitFolds x CrossFitRepeats</c> (one, whatever the repeats, when <c>CrossFitFolds</c> = 1 and
    /// the data bring their own validation rows), twice that when the MLP encoder's slope is selected on validation
    /// (<see cref="MlpEncoderSettings.AlternativeNegativeSlope"/>: one run per slope). For progress displays ("fold k/K").
    /// </summary>
    /// <param name="dataset">The data the run will train on.</param>
    public int FoldModelCount(MultimodalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int perRun = UsesDataValidationSplit(_options, dataset) ? 1 : _options.CrossFitFolds * _options.CrossFitRepeats;
        return perRun * (AlternativeSlopeToSelect(_options) is null ? 1 : 2);
    }

    /// <summary>True when a single fold takes the data's own validation rows (no carving, no repeats).</summary>
    private static bool UsesDataValidationSplit(PipelineOptions o, MultimodalDataset dataset) =>
        o.CrossFitFolds == 1 && dataset.ValidationIndices.Length > 0;

    /// <summary>The alternative slope to train beside the primary one, or null when no selection runs.</summary>
    private static double? AlternativeSlopeToSelect(PipelineOptions o) =>
        o.EncoderKind != ModalityEncoderKind.RelationalGcn && o.MlpEncoder?.AlternativeNegativeSlope is double alternative
        && alternative != o.MlpEncoder.NegativeSlope ? alternative : null;

    /// <summary>Runs the pipeline on a dataset whose test rows are scored at the end (their labels are read only then).
    /// A dataset without test rows (one labelled cohort) is trained on all the same: the result then has no test scores
    /// (<see cref="PipelineResult.HasTestSplit"/> false) and its out-of-fold scores are the run's estimate.</summary>
    public PipelineResult Run(MultimodalDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var clock = Stopwatch.StartNew();
        var o = _options;
        Validate(o, dataset);
        if (CheckpointFolder is not null && !CheckpointFolderChecked) CheckCheckpointFolder(dataset);
        if (AlternativeSlopeToSelect(o) is double alternative)
            return RunWithSlopeSelection(dataset, alternative, clock, progress, cancellationToken);
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        o.Training.Seed = o.Seed;
        o.Training.Assessment.Seed = o.Seed;
        o.Autoencoder.Seed = o.Seed;

        var labelledRows = LabelledRows(dataset);
        var folds = MakeFolds(dataset, labelledRows);
        var (quantileNormalizer, standardizer, standardized) = FittedScaling.Fit(dataset, labelledRows, o.Scaling);
        var dtype = o.DType == "float64" ? ScalarType.Float64 : ScalarType.Float32;
        var names = standardized.Modalities.Select(m => m.Name).ToArray();

        using var scope = NewDisposeScope();
        var features = new List<Tensor>();
        var keptAutoencoders = new List<ModalityAutoencoder>();
        var keptFolds = new List<KeptFold>();
        // The kept autoencoders and the kept folds' state copies live outside every dispose scope: until the kept model
        // owns them, a failed or cancelled later step (another modality's fit, the graph, a later fold) disposes those
        // made so far.
        using var untilKept = new DisposedUnlessKept(keptAutoencoders, keptFolds);
        // Per modality, which rows have it (null: all); a sample lacking a modality is trained on as METHOD.md's
        // extension for incomplete samples describes (docs/pipeline.md, "Incomplete samples").
        var availability = standardized.Modalities.Select(m => m.HasMissingRows ? m.Availability.ToArray() : null).ToArray();
        for (int m = 0; m < standardized.ModalityCount; m++)
        {
            var x = standardized.ToTensor(m, dtype: dtype);
            RepresentableFeatures.Require(x, names[m], dataset.SampleIds, standardized.Modalities[m].FeatureNames, availability[m]);
            features.Add(ModelInput(x, availability[m], labelledRows, o, names[m], KeepTrainedModel ? keptAutoencoders : null, cancellationToken));
        }

        // The graph is built from features only (no labels), over all rows: transductive, as MOGONET's test graph; only
        // when an encoder reads it (or PatientGraph = Always): else an edgeless graph of the samples stands in.
        bool buildGraph = BuildsPatientGraph(o);
        using var graph = !buildGraph ? EdgelessGraph(dataset.SampleCount, features[0].device, features[0].dtype)
            : availability.All(a => a is null) ? BuildPatientGraph(features, o, cancellationToken)
            : o.IncompleteSampleGraph == IncompleteSampleGraph.FuseAvailableModalities ? BuildPatientGraphOverAvailable(features, availability, o, cancellationToken)
            : BuildIncompletePatientGraph(features, availability, o, cancellationToken);
        // METHOD.md section 3 checks the fused graph: with per-modality relations beside it, their edges could hide a
        // disconnected fused relation, so that relation is analysed alone (a view sharing its tensors, not disposed).
        var connectivity = !buildGraph ? null : GraphConnectivity.Analyze(
            graph.RelationCount == 1 ? graph : new RelationalGraph(graph.NodeCount, [graph.Relations[0]]), _logger);
        if (connectivity is null)
            _logger.LogInformation("Patient graph: not built (EncoderKind = {Kind} reads none; PatientGraph = Always builds it for its diagnostics)", o.EncoderKind);
        else
            _logger.LogInformation("Patient graph: {Nodes} nodes, {Edges} edges, {Components} component(s)", graph.NodeCount, graph.EdgeCount, connectivity.ComponentCount);

        var factory = CreateEncoderFactory(graph, o);
        double imbalance = LabelledImbalance(dataset);
        var training = EffectiveTraining(o, dataset.ClassCount, imbalance);
        if (training.ClassWeighting != o.Training.ClassWeighting)
            _logger.LogInformation("Class weighting: {Weighting} (the labelled rows' largest class is {Ratio:F2} times the smallest, >= {Threshold})",
                training.ClassWeighting, imbalance, o.ClassWeightingImbalanceRatio);
        var trainer = new BalancedTrainer(factory, new KsgEstimator(), training, _logger);
        var labels = standardized.LabelsTensor();
        var probabilities = zeros(dataset.SampleCount, dataset.ClassCount, dtype: ScalarType.Float64);
        var outOfFold = zeros(dataset.SampleCount, dataset.ClassCount, dtype: ScalarType.Float64);
        var outOfFoldCount = new int[dataset.SampleCount];
        // Each head's probabilities (fused first), summed over the folds: the heads scored alone on the test rows.
        var headProbabilities = zeros(dataset.ModalityCount + 1, dataset.SampleCount, dataset.ClassCount, dtype: ScalarType.Float64);
        var outcomes = new List<FoldOutcome>();
        // Numbers as Scalars freed after use (an implicit one is left to the finalizer; docs/native-runtime.md).
        using var one = 1.0.ToScalar();
        foreach (var (fold, train, validation) in folds)
        {
            // Everything a fold leaves behind (its outputs, index tensors, temporaries) is freed before the next fold.
            using var foldScope = NewDisposeScope();
            var data = new BalancedTrainingData(names, features, labels, standardized.ClassCount, train, validation, availability);
            using var result = FitFold(trainer, data, fold, progress, cancellationToken);
            var predicted = result.PredictedProbabilities.to(ScalarType.Float64).cpu();
            probabilities.PlusInPlace(predicted);
            headProbabilities.PlusInPlace(stack(new[] { result.FusedProbabilities }.Concat(result.ModalityProbabilities)
                .Select(p => p.to(ScalarType.Float64).cpu()).ToArray(), 0));
            var heldOut = tensor(validation.Select(r => (long)r).ToArray());
            var heldOutProbabilities = predicted.index_select(0, heldOut);
            outOfFold.index_add_(0, heldOut, heldOutProbabilities, one);
            foreach (var row in validation) outOfFoldCount[row]++;
            outcomes.Add(new FoldOutcome(fold, validation, result.PretrainingScores.ToArray(), result.DistilledScores.ToArray(),
                result.FinalModalityScores.ToArray(), result.FusedValidationScore, result.FinalWeights.ToArray(), result.Plan,
                result.BestJointEpoch, result.History.ToArray(), result.PoolingWeights?.ToArray(),
                heldOutProbabilities.ToMatrix()));
            _logger.LogInformation("Fold {Fold}: fused validation macro-F1 {Score:F4}", fold, result.FusedValidationScore);
            if (KeepTrainedModel) keptFolds.Add(KeepFold(fold, validation, result));
        }
        using var foldCount = folds.Count.ToScalar();
        probabilities.div_(foldCount);

        var validated = folds.SelectMany(f => f.Validation).Distinct().Order().ToArray();
        var outOfFoldValues = outOfFold.data<double>().ToArray();
        var outOfFoldProbabilities = new double[validated.Length, dataset.ClassCount];
        for (int i = 0; i < validated.Length; i++)
            for (int c = 0; c < dataset.ClassCount; c++)
                outOfFoldProbabilities[i, c] = outOfFoldValues[validated[i] * dataset.ClassCount + c] / outOfFoldCount[validated[i]];
        var validatedLabels = validated.Select(r => dataset.Labels[r]).ToArray();
        double outOfFoldF1 = ClassificationMetrics.MacroF1(validatedLabels, ClassificationMetrics.ArgMax(outOfFoldProbabilities));
        double? outOfFoldAuc = dataset.ClassCount == 2
            && RocAuc.TryBinary(validatedLabels, Enumerable.Range(0, validated.Length).Select(i => outOfFoldProbabilities[i, 1]).ToArray(), out var oofAuc)
            ? oofAuc : null;
        double outOfFoldLogLoss = -Enumerable.Range(0, validated.Length).Average(i => Math.Log(Math.Max(outOfFoldProbabilities[i, validatedLabels[i]], 1e-12)));
        var test = dataset.TestIndices;
        var testLabels = test.Select(r => dataset.Labels[r]).ToArray();
        var values = probabilities.data<double>().ToArray();
        int classes = dataset.ClassCount;
        var testProbabilities = new double[test.Length, classes];
        for (int i = 0; i < test.Length; i++)
            for (int c = 0; c < classes; c++)
                testProbabilities[i, c] = values[test[i] * classes + c];
        var predictions = ClassificationMetrics.ArgMax(testProbabilities);
        // Without test rows (a train-only cohort) there is nothing to score: the test scores are NaN
        // (PipelineResult.HasTestSplit false) and the out-of-fold scores above are the run's estimate.
        var report = test.Length == 0 ? null : ClassificationReport.Compute(testLabels, predictions, classes);
        // Undefined (null, "n/a") when the test rows hold one class only, e.g. a one-sample test split.
        double? auc = classes == 2
            && RocAuc.TryBinary(testLabels, Enumerable.Range(0, test.Length).Select(i => testProbabilities[i, 1]).ToArray(), out var testAuc)
            ? testAuc : null;
        double? macroAuc = classes > 2 && RocAuc.TryOneVsRestMacro(testLabels, testProbabilities, out var oneVsRest) ? oneVsRest : null;
        var headScores = HeadScoresOnTest(headProbabilities.div_(foldCount), standardized, test, testLabels, classes);
        var model = KeepTrainedModel ? KeepModel(dataset, quantileNormalizer, standardizer, keptAutoencoders, features, availability, graph, keptFolds) : null;
        untilKept.Kept = true;
        clock.Stop();
        return new PipelineResult(names, report?.Accuracy ?? double.NaN, report?.MacroF1 ?? double.NaN, report?.WeightedF1 ?? double.NaN, auc, clock.Elapsed.TotalSeconds,
            outOfFoldF1, outcomes, connectivity, test, testLabels, predictions, testProbabilities)
        {
            Model = model, HeadTestScores = headScores, OutOfFoldAuc = outOfFoldAuc, OutOfFoldLogLoss = outOfFoldLogLoss, MacroAucOneVsRest = macroAuc,
            ClassWeighting = training.ClassWeighting,
            SamplesLacking = dataset.Modalities.Select(m => m.SampleCount - m.AvailableCount).ToArray(),
            OutOfFoldRows = validated, OutOfFoldProbabilities = outOfFoldProbabilities,
        };
    }

    /// <summary>Runs the pipeline once per slope (validation decides, <see cref="EncoderSelection"/>) and returns the
    /// kept run, its model (if any) built with the kept slope; the other run's model is disposed.</summary>
    private PipelineResult RunWithSlopeSelection(MultimodalDataset dataset, double alternative, Stopwatch clock,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        double primary = _options.MlpEncoder.NegativeSlope, margin = _options.MlpEncoder.SelectionMargin;
        PipelineResult RunWith(double slope, string label)
        {
            var options = CloneOptions(_options);
            options.MlpEncoder.NegativeSlope = slope;
            options.MlpEncoder.AlternativeNegativeSlope = null;
            _logger.LogInformation("Encoder selection: run with LeakyReLU slope {Slope} ({Label})", slope, label);
            var pipeline = new TrainingPipeline(options, _logger)
            {
                KeepTrainedModel = KeepTrainedModel,
                CheckpointFolder = CheckpointFolder is null ? null : Path.Combine(CheckpointFolder, string.Create(CultureInfo.InvariantCulture, $"slope-{slope:R}")),
                CheckpointFolderChecked = true,
            };
            return pipeline.Run(dataset, progress, cancellationToken);
        }

        var first = RunWith(primary, "primary");
        PipelineResult second;
        try { second = RunWith(alternative, "alternative"); }
        catch { first.Model?.Dispose(); throw; }
        bool keepAlternative = second.OutOfFoldMacroF1 > first.OutOfFoldMacroF1 + margin;
        var (kept, dropped, keptSlope) = keepAlternative ? (second, first, alternative) : (first, second, primary);
        dropped.Model?.Dispose();
        _logger.LogInformation("Encoder selection: out-of-fold macro-F1 {Primary:F4} (slope {PrimarySlope}) vs {Alternative:F4} (slope {AlternativeSlope}), margin {Margin}: kept slope {Kept}",
            first.OutOfFoldMacroF1, primary, second.OutOfFoldMacroF1, alternative, margin, keptSlope);
        return kept with
        {
            Seconds = clock.Elapsed.TotalSeconds,
            EncoderSelection = new EncoderSelection(primary, first.OutOfFoldMacroF1, alternative, second.OutOfFoldMacroF1, margin, keptSlope),
        };
    }

    /// <summary>A deep copy of <paramref name="options"/> (through their JSON form, as saved with a model).</summary>
    internal static PipelineOptions CloneOptions(PipelineOptions options) =>
        JsonSerializer.Deserialize<PipelineOptions>(JsonSerializer.Serialize(options, TrainedPipelineFolder.Json), TrainedPipelineFolder.Json)
        ?? throw new InvalidOperationException("The pipeline options could not be copied.");

    /// <summary>Before any training: ties the checkpoint folder to these options and this data, refusing checkpoints
    /// written with others (<see cref="CheckpointFingerprint.Prepare"/>); with the encoder selection, for both slopes'
    /// subfolders at once.</summary>
    private void CheckCheckpointFolder(MultimodalDataset dataset)
    {
        var labelledRows = LabelledRows(dataset);   // Validate has checked their classes and folds
        CheckpointFingerprint.Compute(_options, dataset, labelledRows, MakeFolds(dataset, labelledRows)).Prepare(CheckpointFolder!, _logger);
    }

    private BalancedTrainingResult FitFold(BalancedTrainer trainer, BalancedTrainingData data, int fold, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        // A resumed fold reports no phase-1 progress, so its start is announced explicitly.
        var folds = progress as IFoldProgress;
        if (CheckpointFolder is null)
        {
            folds?.FoldStarting(null);
            return trainer.Fit(data, progress, cancellationToken);
        }
        Directory.CreateDirectory(CheckpointFolder);
        var path = Path.Combine(CheckpointFolder, $"fold{fold}.ckpt");
        bool existed = File.Exists(path);
        using var checkpoint = existed ? TrainingCheckpoint.Load(path) : new TrainingCheckpoint();
        if (existed) _logger.LogInformation("Fold {Fold}: resuming after phase 1 from {Path}", fold, path);
        folds?.FoldStarting(existed ? Path.GetFullPath(path) : null);
        try
        {
            return trainer.Fit(data, checkpoint, progress, cancellationToken);
        }
        finally
        {
            if (!existed && checkpoint.IsFilled) checkpoint.SaveTo(path);
        }
    }

    /// <summary>The (fold, training rows, validation rows) triples: k stratified folds of the labelled rows per repeat
    /// (repeat r's folds numbered r k .. r k + k - 1; repeat 0 split with <see cref="PipelineOptions.Seed"/>, repeat r &gt; 0
    /// with the r-th draw of System.Random(Seed)); with one fold, one carved validation split per repeat (same seeds), or
    /// the data's own validation split (once: a fixed split cannot be redrawn).</summary>
    private IReadOnlyList<(int Fold, int[] Train, int[] Validation)> MakeFolds(MultimodalDataset dataset, int[] labelledRows) =>
        MakeFolds(_options, dataset, labelledRows);

    /// <summary>Rows whose labels may be used: the training split (and a validation split the data may bring).</summary>
    private static int[] LabelledRows(MultimodalDataset dataset) => [.. dataset.TrainIndices, .. dataset.ValidationIndices];

    /// <summary>The folds of <see cref="MakeFolds(PipelineOptions, MultimodalDataset, int[])"/>; a class with fewer
    /// labelled samples than <see cref="PipelineOptions.CrossFitFolds"/> is an error that names the option.</summary>
    private static IReadOnlyList<(int Fold, int[] Train, int[] Validation)> FoldsNamingTheOption(PipelineOptions o, MultimodalDataset dataset)
    {
        try
        {
            return MakeFolds(o, dataset, LabelledRows(dataset));
        }
        catch (ArgumentException e) when (e.ParamName == "foldCount" && o.CrossFitFolds >= 2)
        {
            throw new ArgumentException(
                $"CrossFitFolds = {o.CrossFitFolds}: {CliApp.OneLine(e)} Use fewer folds (CrossFitFolds; 1 carves one validation split) or add samples.", e);
        }
    }

    private static IReadOnlyList<(int Fold, int[] Train, int[] Validation)> MakeFolds(PipelineOptions o, MultimodalDataset dataset, int[] labelledRows)
    {
        if (UsesDataValidationSplit(o, dataset))
            return [(0, dataset.TrainIndices, dataset.ValidationIndices)];
        var seeds = new Random(o.Seed);
        var folds = new List<(int, int[], int[])>();
        var attributes = AvailabilityAttributes(o, dataset);
        for (int r = 0; r < o.CrossFitRepeats; r++)
        {
            int seed = r == 0 ? o.Seed : seeds.Next();
            if (o.CrossFitFolds == 1)
            {
                var carved = StratifiedSplitter.CarveValidation(dataset, o.ValidationFraction, seed, attributes);
                folds.Add((r, carved.TrainIndices, carved.ValidationIndices));
                continue;
            }
            folds.AddRange(StratifiedSplitter.KFold(dataset.Labels, o.CrossFitFolds, seed, labelledRows, attributes)
                .Select(f => (r * o.CrossFitFolds + f.Index, f.Train, f.Test)));
        }
        return folds;
    }

    /// <summary>
    /// The k-fold attributes of the rows under <see cref="FoldStratification.ClassAndAvailability"/>: which modalities
    /// each row has (<c>[row, modality]</c>), spread over the folds by <see cref="StratifiedSplitter"/>'s iterative
    /// stratification under the class counts of the folds by class. Null (none) on complete data or under
    /// <see cref="FoldStratification.Class"/>.
    /// </summary>
    /// <param name="options">The options (their <see cref="PipelineOptions.FoldStratification"/>).</param>
    /// <param name="dataset">The data.</param>
    public static bool[,]? AvailabilityAttributes(PipelineOptions options, MultimodalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataset);
        return options.FoldStratification == FoldStratification.ClassAndAvailability ? AvailabilityAttributes(dataset) : null;
    }

    /// <summary>The availability attributes of <see cref="AvailabilityAttributes(PipelineOptions, MultimodalDataset)"/>
    /// whatever the options (the baselines of <c>bmm compare</c> draw their folds with them too); null on complete data.</summary>
    /// <param name="dataset">The data.</param>
    public static bool[,]? AvailabilityAttributes(MultimodalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Modalities.All(m => !m.HasMissingRows)) return null;
        var attributes = new bool[dataset.SampleCount, dataset.ModalityCount];
        for (int row = 0; row < dataset.SampleCount; row++)
            for (int m = 0; m < dataset.ModalityCount; m++)
                attributes[row, m] = dataset.Modalities[m].IsAvailable(row);
        return attributes;
    }

    /// <summary>
    /// The training options a run on <paramref name="classCount"/> classes uses: <see cref="PipelineOptions.Training"/>
    /// itself, or, when its ClassWeighting is None and <paramref name="labelledImbalance"/> reaches
    /// <see cref="PipelineOptions.ClassWeightingImbalanceRatio"/>, a copy with ClassWeighting InverseFrequency. A copy, not
    /// an edit of the options, so that options reused on other data get that data's setting. (The performance gate's
    /// chance level needs nothing here: its default, null, is resolved by <see cref="BalancedTrainer"/> to 1/C, the
    /// chance level of the macro-F1 it gates with; METHOD.md section 8.)
    /// </summary>
    /// <param name="options">The pipeline options (not changed).</param>
    /// <param name="classCount">C, at least 2 (checked; the trainer reads the class count from the data).</param>
    /// <param name="labelledImbalance">n_max / n_min over the labelled rows' classes (<see cref="LabelledImbalance"/>),
    /// at least 1.</param>
    /// <returns>The options to train with.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> below 2, or
    /// <paramref name="labelledImbalance"/> not a finite number &gt;= 1.</exception>
    public static BalancedTrainingOptions EffectiveTraining(PipelineOptions options, int classCount, double labelledImbalance)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        if (!(double.IsFinite(labelledImbalance) && labelledImbalance >= 1))
            throw new ArgumentOutOfRangeException(nameof(labelledImbalance), labelledImbalance, "The class imbalance n_max / n_min must be a finite number >= 1.");
        bool weighClasses = options.Training.ClassWeighting == ClassWeighting.None
            && options.ClassWeightingImbalanceRatio is double threshold && labelledImbalance >= threshold;
        if (!weighClasses) return options.Training;
        var training = CloneOptions(options).Training;
        training.ClassWeighting = ClassWeighting.InverseFrequency;
        return training;
    }

    /// <summary>n_max / n_min: how many times more labelled rows (training and validation splits) the largest class has
    /// than the smallest (<see cref="PipelineOptions.ClassWeightingImbalanceRatio"/>).</summary>
    /// <param name="dataset">The data; every class has at least one labelled row (<see cref="Validate"/> checks it).</param>
    /// <returns>A number &gt;= 1.</returns>
    /// <exception cref="ArgumentException">A class without labelled rows.</exception>
    public static double LabelledImbalance(MultimodalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var counts = new long[dataset.ClassCount];
        foreach (int row in LabelledRows(dataset)) counts[dataset.Labels[row]]++;
        int empty = Array.IndexOf(counts, 0L);
        if (empty >= 0)
            throw new ArgumentException($"Class {empty} has no labelled row, so its imbalance is undefined.", nameof(dataset));
        return (double)counts.Max() / counts.Min();
    }

    /// <summary>Whether the run builds the SNF patient graph: when an encoder reads it, or when
    /// <see cref="PipelineOptions.PatientGraph"/> is <see cref="PatientGraphConstruction.Always"/>.</summary>
    /// <param name="options">The options.</param>
    /// <returns>True when the graph is built.</returns>
    public static bool BuildsPatientGraph(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return EncoderReadsGraph(options) || options.PatientGraph == PatientGraphConstruction.Always;
    }

    /// <summary>Whether the encoders read the patient graph (the relational-GCN kinds; the MLP encoder reads none, so an
    /// MLP model neither needs the graph in training nor attaches new samples to it).</summary>
    internal static bool EncoderReadsGraph(PipelineOptions options) => options.EncoderKind != ModalityEncoderKind.Mlp;

    /// <summary>A graph of <paramref name="nodes"/> nodes with one edgeless "fused" relation (on the features' device,
    /// weights of their dtype): what stands in for the patient graph when no encoder reads it.</summary>
    internal static RelationalGraph EdgelessGraph(long nodes, Device device, ScalarType dtype) =>
        new(nodes, [new GraphRelation("fused", zeros(2, 0, dtype: ScalarType.Int64, device: device), zeros(0, dtype: dtype, device: device))]);

    /// <summary>The encoder factory of <see cref="PipelineOptions.EncoderKind"/>: relational GCNs over
    /// <paramref name="graph"/> or graph-free MLPs.</summary>
    internal static IModalityEncoderFactory CreateEncoderFactory(RelationalGraph graph, PipelineOptions options) =>
        options.EncoderKind switch
        {
            ModalityEncoderKind.RelationalGcn => new RelationalGcnEncoderFactory(graph, options.Encoder),
            ModalityEncoderKind.Mlp => new MlpEncoderFactory(options.MlpEncoder.ToOptions()),
            ModalityEncoderKind.RelationalGcnAndMlp => new ConcatenatedEncoderFactory(
                [new RelationalGcnEncoderFactory(graph, options.Encoder), new MlpEncoderFactory(options.MlpEncoder.ToOptions())]),
            _ => throw new ArgumentException($"EncoderKind must be {string.Join(" or ", Enum.GetNames<ModalityEncoderKind>())}, got {(int)options.EncoderKind}."),
        };

    /// <summary>
    /// The pipeline's patient graph over all rows of <paramref name="features"/> (no labels): per-modality affinities
    /// (in float64), similarity network fusion, the top-k graph of the fused matrix (and, with
    /// <see cref="PipelineOptions.ModalityGraphRelations"/>, of every affinity).
    /// </summary>
    /// <remarks>Everything but the graph (the float64 copies, the affinities, the fused matrix and the builders'
    /// temporaries) is freed before it returns, so the n x n matrices do not stay alive while the folds train; the
    /// graph's tensors belong to the caller's dispose scope, if any.</remarks>
    /// <param name="features">One (n, d_m) feature matrix per modality, rows aligned.</param>
    /// <param name="options">Affinity, fusion and graph options.</param>
    /// <param name="cancellationToken">Passed to the affinities (checked per modality) and to SNF (checked between
    /// iterations).</param>
    /// <returns>The graph; the caller disposes it.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception); the graph's temporaries are freed.</exception>
    public static RelationalGraph BuildPatientGraph(IReadOnlyList<Tensor> features, PipelineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(options);
        return FusedTopKGraph(features, null, options, cancellationToken);
    }

    /// <summary>
    /// The patient graph when some samples lack modalities: <see cref="BuildPatientGraph"/> over the samples that have
    /// every modality, then every other sample attached to it as <see cref="InductiveGraph.Attach"/> attaches new samples
    /// (incoming edges from its k most similar complete samples, by the normalised kernels of the modalities it has); node
    /// ids are the rows of <paramref name="features"/>.
    /// </summary>
    /// <param name="features">One (n, d_m) feature matrix per modality, rows aligned (unavailable rows are not read).</param>
    /// <param name="availability">Per modality, which rows have it (null: all).</param>
    /// <param name="options">Affinity, fusion and graph options.</param>
    /// <param name="cancellationToken">Passed to <see cref="BuildPatientGraph"/> over the complete samples.</param>
    /// <returns>The graph; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">Fewer complete samples than <see cref="PipelineOptions.GraphNeighbours"/> + 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception).</exception>
    public static RelationalGraph BuildIncompletePatientGraph(IReadOnlyList<Tensor> features, IReadOnlyList<bool[]?> availability, PipelineOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(availability);
        ArgumentNullException.ThrowIfNull(options);
        int n = (int)features[0].shape[0];
        var complete = CompleteSamples.Rows(availability, n);
        var incomplete = Enumerable.Range(0, n).Except(complete).ToArray();
        if (complete.Length <= options.GraphNeighbours)
            throw new ArgumentException(
                $"Only {complete.Length} samples have every modality; the patient graph is fused over them and needs more than GraphNeighbours = {options.GraphNeighbours}.");
        using var scope = NewDisposeScope();
        var device = features[0].device;
        var completeIndex = tensor(complete.Select(i => (long)i).ToArray(), device: device);
        var incompleteIndex = tensor(incomplete.Select(i => (long)i).ToArray(), device: device);
        var cohortFeatures = features.Select(f => f.index_select(0, completeIndex)).ToArray();
        var newFeatures = features.Select(f => f.index_select(0, incompleteIndex)).ToArray();
        var newAvailable = availability.Select(a => incomplete.Select(i => a is null || a[i]).ToArray()).ToArray();
        using var cohort = BuildPatientGraph(cohortFeatures, options, cancellationToken);
        using var union = InductiveGraph.Attach(cohort, cohortFeatures, newFeatures, newAvailable, options.Affinity, options.GraphNeighbours);
        // Union node u is complete[u] for u < n_c, incomplete[u - n_c] after.
        var original = tensor(complete.Concat(incomplete).Select(i => (long)i).ToArray(), device: device);
        var relations = union.Relations.Select(r => new GraphRelation(r.Name,
            original.index_select(0, r.EdgeIndex.reshape(-1)).reshape(r.EdgeIndex.shape).MoveToOuterDisposeScope(),
            r.EdgeWeight?.clone().MoveToOuterDisposeScope())).ToArray();
        return new RelationalGraph(n, relations);
    }

    /// <summary>
    /// The patient graph of <see cref="IncompleteSampleGraph.FuseAvailableModalities"/>: each modality's affinity over the
    /// samples that have it (<see cref="AffinityBuilder"/> with the mask; the other rows and columns are 0), SNF over all
    /// samples with the masks (<see cref="SimilarityNetworkFusion"/>: entry (i, j) is updated through the modalities both
    /// have), then the top-k graph of <see cref="BuildPatientGraph"/>; a per-modality relation keeps only the edges between
    /// samples that have the modality. Node ids are the rows of <paramref name="features"/>.
    /// </summary>
    /// <param name="features">One (n, d_m) feature matrix per modality, rows aligned (unavailable rows are not read).</param>
    /// <param name="availability">Per modality, which rows have it (null: all).</param>
    /// <param name="options">Affinity, fusion and graph options.</param>
    /// <param name="cancellationToken">Passed to the affinities (checked per modality) and to SNF (checked between
    /// iterations).</param>
    /// <returns>The graph; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">A modality on no more samples than <c>Affinity.K</c>, <c>Fusion.K</c> or
    /// <c>GraphNeighbours</c>, or a sample with no modality (the message names it).</exception>
    public static RelationalGraph BuildPatientGraphOverAvailable(IReadOnlyList<Tensor> features, IReadOnlyList<bool[]?> availability, PipelineOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(availability);
        ArgumentNullException.ThrowIfNull(options);
        if (availability.Count != features.Count)
            throw new ArgumentException($"{availability.Count} availability masks for {features.Count} modalities.", nameof(availability));
        int n = (int)features[0].shape[0];
        var masks = availability.Select(a => a ?? Enumerable.Repeat(true, n).ToArray()).ToArray();
        var (k, what) = AvailableSampleFloor(options);
        for (int m = 0; m < masks.Length; m++)
        {
            int count = masks[m].Count(a => a);
            if (count <= k)
                throw new ArgumentException(
                    $"Modality {m} is available on {count} of {n} samples; its affinity is computed over them and needs more than {what} = {k}.", nameof(availability));
        }
        return FusedTopKGraph(features, masks, options, cancellationToken);
    }

    /// <summary>Affinities (float64), SNF and the top-k graph (<see cref="BuildGraph"/>), with the availability masks when
    /// given (null: the complete-data path); the graph's tensors leave this method's dispose scope.</summary>
    private static RelationalGraph FusedTopKGraph(IReadOnlyList<Tensor> features, IReadOnlyList<bool[]>? masks, PipelineOptions options,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var affinities = new AffinityBuilder(options.Affinity).Build(features
            .Select((f, m) => (f ?? throw new ArgumentNullException(nameof(features), $"The features of modality {m} are null.")).to(ScalarType.Float64))
            .ToArray(), masks, cancellationToken);
        var fused = new SimilarityNetworkFusion(options.Fusion).Fuse(affinities, masks, cancellationToken);
        var graph = BuildGraph(fused, affinities, options, masks);
        foreach (var relation in graph.Relations)
        {
            relation.EdgeIndex.MoveToOuterDisposeScope();
            relation.EdgeWeight?.MoveToOuterDisposeScope();
        }
        return graph;
    }

    private static RelationalGraph BuildGraph(Tensor fused, IReadOnlyList<Tensor> affinities, PipelineOptions options, IReadOnlyList<bool[]>? masks = null)
    {
        var builder = new TopKGraphBuilder(options.GraphNeighbours);
        var fusedGraph = builder.Build(fused, "fused");
        if (!options.ModalityGraphRelations) return fusedGraph;
        var graphs = new List<RelationalGraph> { fusedGraph };
        try
        {
            for (int m = 0; m < affinities.Count; m++)
                graphs.Add(masks is null ? builder.Build(affinities[m], $"modality{m}") : builder.Build(affinities[m], masks[m], $"modality{m}"));
            return RelationalGraph.Combine(graphs.ToArray());
        }
        finally
        {
            foreach (var g in graphs) g.Dispose();
        }
    }

    /// <summary>The options and rows a modality's autoencoder is fitted with: the labelled rows (or, with
    /// <see cref="AutoencoderFitRows.All"/>, every row) that have the modality. For a modality some samples lack, "all rows"
    /// becomes those rows given as training rows (a copy of the options with <see cref="AutoencoderFitRows.Training"/>),
    /// so that no placeholder of a missing row is fitted on.</summary>
    private static (AutoencoderOptions Options, int[] Rows) AutoencoderFit(AutoencoderOptions options, bool[]? available, int[] labelledRows)
    {
        if (available is null) return (options, labelledRows);
        if (options.FitRows != AutoencoderFitRows.All) return (options, labelledRows.Where(r => available[r]).ToArray());
        var copy = JsonSerializer.Deserialize<AutoencoderOptions>(JsonSerializer.Serialize(options))!;
        copy.FitRows = AutoencoderFitRows.Training;
        return (copy, Enumerable.Range(0, available.Length).Where(r => available[r]).ToArray());
    }

    /// <summary>
    /// A modality's model input from its scaled features (n, d): a missing row's placeholder (NaN, say) first becomes
    /// the modality's column means over the rows that have it (the autoencoder refuses non-finite input; the trainer
    /// imputes the same way), then, with <see cref="PipelineOptions.UseAutoencoder"/>, the seeded autoencoder's codes
    /// (fitted as <see cref="AutoencoderFit"/> says; kept in <paramref name="keep"/> when given). Shared by the run and
    /// the fused-similarity plot, so both see the same matrix.
    /// </summary>
    internal static Tensor ModelInput(Tensor x, bool[]? available, int[] labelledRows, PipelineOptions o, string name, List<ModalityAutoencoder>? keep,
        CancellationToken cancellationToken = default)
    {
        if (available is not null) x = ColumnMeanImputation.Apply(x, available, name);
        if (!o.UseAutoencoder) return x;
        var (options, rows) = AutoencoderFit(o.Autoencoder, available, labelledRows);
        if (keep is null) return new AutoencoderCompressor(options).FitTransform(x, rows, name, cancellationToken);
        var autoencoder = new AutoencoderCompressor(options).Fit(x, rows, name, cancellationToken);
        keep.Add(autoencoder);
        using var noGrad = no_grad();
        return autoencoder.Encode(x).detach();
    }

    /// <summary>Disposes the autoencoders and the folds' state copies of a run unless <see cref="Kept"/> is set (the kept
    /// model owns them), so that an exception or a cancellation after some modalities' fits or some folds does not leak
    /// them.</summary>
    private sealed class DisposedUnlessKept(List<ModalityAutoencoder> autoencoders, List<KeptFold> folds) : IDisposable
    {
        public bool Kept { get; set; }

        public void Dispose()
        {
            if (Kept) return;
            foreach (var autoencoder in autoencoders) autoencoder.Dispose();
            autoencoders.Clear();
            foreach (var fold in folds)
                foreach (var tensor in fold.State.Values) tensor.Dispose();
            folds.Clear();
        }
    }

    /// <summary>One fold's trained state, copied out of the run (its network is rebuilt over the kept graph later).</summary>
    private sealed record KeptFold(int Fold, int[] Validation, Dictionary<string, Tensor> State, BalancedTrainingResult Outcome);

    private static KeptFold KeepFold(int fold, int[] validation, BalancedTrainingResult result)
    {
        using var noGrad = no_grad();
        var state = result.Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
        return new KeptFold(fold, validation, state, result);
    }

    /// <summary>The trained model: copies of the statistics, features and graph, and the fold networks rebuilt over the copied graph.</summary>
    private TrainedPipeline KeepModel(MultimodalDataset dataset, QuantileNormalizer? quantileNormalizer, Standardizer standardizer, List<ModalityAutoencoder> autoencoders,
        List<Tensor> features, bool[]?[] availability, RelationalGraph graph, List<KeptFold> folds)
    {
        var names = dataset.Modalities.Select(m => m.Name).ToArray();
        // The cohort's model inputs as the trainer saw them: a modality's missing rows hold its column means.
        var cohort = features.Select((f, m) => (availability[m] is { } flags ? ColumnMeanImputation.Apply(f.detach(), flags, names[m]) : f.detach().clone())
            .DetachFromDisposeScope()).ToArray();
        // Nothing owns these copies until the trained pipeline does: a failure on the way (an allocation, a state that
        // does not load) frees what was made so far.
        RelationalGraph? keptGraph = null;
        var networks = new List<BalancedMultimodalNetwork>();
        try
        {
            keptGraph = graph.To(graph.Device).DetachFromDisposeScope();   // the trained pipeline outlives every scope
            var inputDims = cohort.Select(f => f.shape[1]).ToArray();
            var kept = new TrainedFold[folds.Count];
            for (int i = 0; i < folds.Count; i++)
            {
                var f = folds[i];
                var network = TrainedPipeline.CreateLongLivedNetwork(keptGraph, _options, names, inputDims, dataset.ClassCount, cohort[0].dtype);
                networks.Add(network);
                using (no_grad())
                    foreach (var (name, value) in network.state_dict()) value.copy_(f.State[name]);
                foreach (var t in f.State.Values) t.Dispose();
                var o = f.Outcome;
                kept[i] = new TrainedFold(f.Fold, f.Validation, network, o.Plan, o.FinalWeights, o.FusedValidationScore, o.BestJointEpoch, o.PoolingWeights);
            }
            var classNames = dataset.ClassNames ?? Enumerable.Range(0, dataset.ClassCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            return new TrainedPipeline(_options, names, dataset.Modalities.Select(m => m.FeatureCount).ToArray(), classNames, standardizer,
                _options.UseAutoencoder ? autoencoders : null, cohort, keptGraph, kept, quantileNormalizer,
                dataset.Modalities.Select(m => m.FeatureNames).ToArray(), availability);
        }
        catch
        {
            foreach (var network in networks) network.Dispose();
            keptGraph?.Dispose();
            foreach (var tensor in cohort) tensor.Dispose();
            throw;
        }
    }

    /// <summary>The largest <see cref="PipelineOptions.Threads"/> accepted: far above any machine's core count, it catches
    /// a typo (e.g. 10000) instead of letting libtorch start thousands of threads.</summary>
    public const int MaxThreads = 1024;

    /// <summary>
    /// Checks every setting against <paramref name="dataset"/> before any work, as <see cref="Run"/> does first: the
    /// top-level options, every nested section whatever the encoder kind (<c>Training</c>, <c>Affinity</c>, <c>Fusion</c>,
    /// <c>Autoencoder</c>, <c>MlpEncoder</c> and the relational-GCN <c>Encoder</c>, per modality), the neighbour counts
    /// against the number of samples, and the data's shape (two modalities, every class in the training rows; test rows
    /// are not required). Each message names the option by its path in the configuration file (e.g. <c>MlpEncoder.Dropout</c>).
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="dataset">The data the pipeline would run on.</param>
    /// <exception cref="ArgumentException">An option or the data is invalid; the message lists every failure on one line.</exception>
    public static void Validate(PipelineOptions options, MultimodalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataset);
        ValidateData(dataset);
        var failures = OptionFailures(options, dataset);
        if (failures.Count > 0) throw new ArgumentException(string.Join(" ", failures));
        var folds = FoldsNamingTheOption(options, dataset);   // cheap; a class too small for the folds fails here, before any work
        CheckIncompleteSamples(options, dataset, folds);
        CheckDistillationGateRows(options, dataset, folds);
    }

    /// <summary>
    /// The checks of <see cref="Validate"/> that concern the data alone, whatever the options (also run before the
    /// baselines of <c>bmm compare</c>): at least two modalities, every class among the training (and validation) rows,
    /// and, when samples lack modalities, every modality on some labelled row. Test rows are not required: without them
    /// <see cref="Run"/> reports the out-of-fold scores only (<c>bmm compare</c>, which scores on the test rows, refuses
    /// such data itself).
    /// </summary>
    /// <param name="dataset">The data.</param>
    /// <exception cref="ArgumentException">The data cannot be trained on and scored.</exception>
    public static void ValidateData(MultimodalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.ModalityCount < 2)
            throw new ArgumentException($"The pipeline needs at least two modalities; the dataset has {dataset.ModalityCount}.");
        var labelled = LabelledRows(dataset);
        CheckTrainingClasses(dataset, labelled);
        CheckLabelledVariance(dataset, labelled);
    }

    /// <summary>With samples lacking modalities, before any work: every fold needs each modality on one of its training
    /// and one of its validation rows (the trainer's rule), the graph more samples than its neighbour counts, and the
    /// autoencoder two labelled rows of each modality (the distillation gate's rows: <see cref="CheckDistillationGateRows"/>).</summary>
    private static void CheckIncompleteSamples(PipelineOptions options, MultimodalDataset dataset, IReadOnlyList<(int Fold, int[] Train, int[] Validation)> folds)
    {
        var incomplete = dataset.Modalities.Where(m => m.HasMissingRows).ToArray();
        if (incomplete.Length == 0) return;
        foreach (var modality in incomplete)
            foreach (var (fold, train, validation) in folds)
            {
                // The remedy names how many labelled rows have the modality: by class and availability (the default)
                // the rarest modality misses a fold only on fewer labelled rows than folds; by class alone, one on many more can.
                string Remedy() => $" It is on {LabelledRows(dataset).Count(modality.IsAvailable)} labelled row(s); " +
                    (options.CrossFitFolds >= 2 ? "use fewer folds (CrossFitFolds; 1 carves one validation split), " : "") +
                    (options.FoldStratification == FoldStratification.Class ? $"use FoldStratification = {FoldStratification.ClassAndAvailability}, " : "") +
                    "or leave the modality out.";
                if (!train.Any(modality.IsAvailable))
                    throw new ArgumentException($"Modality '{modality.Name}' is missing on every training row of fold {fold}; each fold must train every modality." + Remedy());
                if (!validation.Any(modality.IsAvailable))
                    throw new ArgumentException($"Modality '{modality.Name}' is missing on every validation row of fold {fold}; each fold must score every modality." + Remedy());
            }
        // The graph's floors apply only when the run builds the graph (PipelineOptions.PatientGraph).
        if (BuildsPatientGraph(options) && PatientGraphFloorFailure(options, dataset) is { } failure)
            throw new ArgumentException(failure);
        if (options.UseAutoencoder && options.Autoencoder is { FitRows: AutoencoderFitRows.Training })
            foreach (var modality in incomplete)
            {
                int rows = LabelledRows(dataset).Count(modality.IsAvailable);
                if (rows < 2)
                    throw new ArgumentException($"Modality '{modality.Name}' has {rows} labelled row(s); its autoencoder is fitted on the labelled rows that have it and needs at least two.");
            }
    }

    /// <summary>Before any work, on complete and incomplete data alike: every fold holds enough held-out rows (validation
    /// rows under the complementarity criterion) for the distillation gate's estimator, for every pair of modalities on
    /// the rows having both; the trainer would otherwise refuse the first such fold after the earlier ones trained.</summary>
    private static void CheckDistillationGateRows(PipelineOptions options, MultimodalDataset dataset, IReadOnlyList<(int Fold, int[] Train, int[] Validation)> folds)
    {
        var incomplete = dataset.Modalities.Where(m => m.HasMissingRows).ToArray();
        // The distillation gate compares each pair of modalities on the held-out rows having both (the trainer checks each
        // fold before its phase 1; here every fold is checked before the first one trains).
        if (options.Training is { EnableDistillation: true } training)
        {
            int minimum = BalancedTrainer.MinimumAssessmentRows(training, new KsgEstimator(), dataset.ClassCount);
            bool validationOnly = training.Assessment.RequireComplementarity;
            foreach (var (fold, train, validation) in folds)
            {
                var fitted = new HashSet<int>(train);
                var heldOut = validationOnly ? validation : Enumerable.Range(0, dataset.SampleCount).Where(r => !fitted.Contains(r)).ToArray();
                for (int a = 0; a < dataset.ModalityCount; a++)
                    for (int b = a + 1; b < dataset.ModalityCount; b++)
                    {
                        var (first, second) = (dataset.Modalities[a], dataset.Modalities[b]);
                        int rows = heldOut.Count(r => first.IsAvailable(r) && second.IsAvailable(r));
                        if (rows >= minimum) continue;
                        string kind = validationOnly ? "validation" : "held-out";
                        if (incomplete.Length == 0)
                            throw new ArgumentException(
                                $"Fold {fold} has {rows} {kind} row(s); the distillation gate estimates mutual information on them and needs at least {minimum}. " +
                                "Use fewer folds (CrossFitFolds), add samples, or set Training.EnableDistillation = false.");
                        throw new ArgumentException(
                            $"Fold {fold} has {rows} {kind} row(s) having both '{first.Name}' and '{second.Name}'; the distillation gate compares " +
                            $"each pair of modalities on such rows and needs at least {minimum}. Add samples having both, use fewer folds, or set Training.EnableDistillation = false.");
                    }
                // With the complementarity criterion, I(student; labels) on each modality's own validation rows: two classes,
                // and some class twice (the continuous-discrete label estimator drops classes seen once).
                if (validationOnly)
                    foreach (var modality in incomplete.Length > 0 ? incomplete : dataset.Modalities.Take(1))
                    {
                        var rowLabels = validation.Where(modality.IsAvailable).Select(r => dataset.Labels[r]).ToArray();
                        var classes = rowLabels.Distinct().ToArray();
                        if (classes.Length < 2)
                            throw new ArgumentException(
                                $"Fold {fold}: modality '{modality.Name}' has validation rows of {(classes.Length == 0 ? "no class" : $"class {classes[0]} only")}; with " +
                                "Training.Assessment.RequireComplementarity the distillation gate estimates I(student; labels) on them and needs two classes. " +
                                "Use fewer folds, set Training.Assessment.RequireComplementarity = false, or set Training.EnableDistillation = false.");
                        if (classes.Length == rowLabels.Length)
                            throw new ArgumentException(
                                $"Fold {fold}{(incomplete.Length > 0 ? $": modality '{modality.Name}''s" : "'s")} {rowLabels.Length} validation rows hold every class once; with " +
                                "Training.Assessment.RequireComplementarity the distillation gate estimates I(student; labels) on them with the continuous-discrete " +
                                "estimator, which needs a class with two or more rows. Use fewer folds, set Training.Assessment.RequireComplementarity = false, " +
                                "or set Training.EnableDistillation = false.");
                    }
            }
        }
    }

    /// <summary>Each head (fused first) scored alone on the test rows from its fold-averaged probabilities (H, n, C); a
    /// modality head on the test rows that have its modality. Empty without test rows.</summary>
    private static HeadTestScore[] HeadScoresOnTest(Tensor headProbabilities, MultimodalDataset dataset, int[] test, int[] testLabels, int classes)
    {
        if (test.Length == 0) return [];
        var values = headProbabilities.data<double>().ToArray();
        int n = dataset.SampleCount;
        var scores = new HeadTestScore[dataset.ModalityCount + 1];
        for (int h = 0; h < scores.Length; h++)
        {
            var rows = Enumerable.Range(0, test.Length).Where(i => h == 0 || dataset.Modalities[h - 1].IsAvailable(test[i])).ToArray();
            var p = new double[rows.Length, classes];
            for (int i = 0; i < rows.Length; i++)
                for (int c = 0; c < classes; c++)
                    p[i, c] = values[((long)h * n + test[rows[i]]) * classes + c];
            var truth = rows.Select(i => testLabels[i]).ToArray();
            var predicted = ClassificationMetrics.ArgMax(p);
            double? auc = rows.Length > 0 && RocAuc.TryForClasses(truth, p, out var value) ? value : null;
            scores[h] = new HeadTestScore(h == 0 ? HeadPrediction.FusedHeadName : dataset.Modalities[h - 1].Name, rows.Length,
                rows.Length == 0 ? null : ClassificationMetrics.Accuracy(truth, predicted),
                rows.Length == 0 ? null : ClassificationMetrics.MacroF1(truth, predicted), auc);
        }
        return scores;
    }

    /// <summary>
    /// Why the SNF patient graph cannot be built on <paramref name="dataset"/>'s incomplete samples under
    /// <paramref name="options"/>, or null when it can (always for complete data, whose neighbour counts
    /// <see cref="Validate"/> checks against the sample count): with <see cref="IncompleteSampleGraph.FuseAvailableModalities"/>
    /// every modality must be on more samples than Affinity.K, Fusion.K and GraphNeighbours; with
    /// <see cref="IncompleteSampleGraph.AttachToCompleteSamples"/> the complete samples must outnumber them. Checked
    /// before any work when the run builds the graph (<see cref="BuildsPatientGraph"/>), and by <c>--plots</c>, which
    /// draws the fused matrix, before it computes it.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="dataset">The data.</param>
    /// <returns>The refusal's message, or null.</returns>
    public static string? PatientGraphFloorFailure(PipelineOptions options, MultimodalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataset);
        var incomplete = dataset.Modalities.Where(m => m.HasMissingRows).ToArray();
        if (incomplete.Length == 0) return null;
        if (options.IncompleteSampleGraph == IncompleteSampleGraph.FuseAvailableModalities)
        {
            var (k, what) = AvailableSampleFloor(options);
            var sparse = incomplete.FirstOrDefault(m => m.AvailableCount <= k);
            return sparse is null ? null
                : $"Modality '{sparse.Name}' is on {sparse.AvailableCount} of {dataset.SampleCount} samples; with IncompleteSampleGraph = FuseAvailableModalities its affinity is computed over them and needs more than {what} = {k}. " +
                  "Lower them, or leave the modality out.";
        }
        int complete = CompleteSamples.Rows(dataset).Length;
        foreach (var (name, floor, what) in new (string, int, string)[]
                 {
                     ("GraphNeighbours", options.GraphNeighbours, "the patient graph is fused over them and needs more than"),
                     ("Affinity.K", options.Affinity?.K ?? 0, "the patient graph's affinities are computed over them and need more than"),
                     ("Fusion.K", options.Fusion?.K ?? 0, "the patient graph is fused (SNF) over them and needs more than"),
                 })
            if (complete <= floor)
                return $"Only {complete} of the {dataset.SampleCount} samples have every modality; {what} {name} = {floor}. " +
                       $"Lower {name}, set IncompleteSampleGraph = FuseAvailableModalities, or leave out the modality measured on the fewest samples ({RarestModality(dataset)}).";
        return null;
    }

    /// <summary>With <see cref="IncompleteSampleGraph.FuseAvailableModalities"/>, a modality's samples must outnumber
    /// Affinity.K and Fusion.K (its affinity and SNF neighbourhoods are taken among them) and GraphNeighbours (a sample
    /// having that modality alone finds its k graph neighbours among them); returns the largest and the option(s)
    /// holding it.</summary>
    private static (int K, string Options) AvailableSampleFloor(PipelineOptions options)
    {
        var floors = new (string Name, int Value)[]
        {
            ("Affinity.K", options.Affinity?.K ?? 0), ("Fusion.K", options.Fusion?.K ?? 0), ("GraphNeighbours", options.GraphNeighbours),
        };
        int k = floors.Max(f => f.Value);
        return (k, string.Join(" and ", floors.Where(f => f.Value == k).Select(f => f.Name)));
    }

    /// <summary>"'name', on k of n samples" for the modality the fewest samples have (a remedy in refusals).</summary>
    private static string RarestModality(MultimodalDataset dataset)
    {
        var rarest = dataset.Modalities.MinBy(m => m.AvailableCount)!;
        return $"'{rarest.Name}', on {rarest.AvailableCount} of {rarest.SampleCount} samples";
    }

    /// <summary>Every modality must vary over the labelled rows that have it (in at least one column): the
    /// standardisation and the encoders are fitted on those rows, so a modality constant there carries no information
    /// the model could learn, whatever its test rows hold.</summary>
    private static void CheckLabelledVariance(MultimodalDataset dataset, IReadOnlyList<int> labelled)
    {
        foreach (var modality in dataset.Modalities)
        {
            var rows = labelled.Where(modality.IsAvailable).ToArray();
            if (rows.Length < 2) continue;   // the loaders and the standardizer name this case themselves
            bool varies = false;
            for (int j = 0; j < modality.FeatureCount && !varies; j++)
            {
                double first = modality[rows[0], j];
                for (int i = 1; i < rows.Length && !varies; i++) varies = modality[rows[i], j] != first;
            }
            if (!varies)
                throw new ArgumentException(
                    $"Modality '{modality.Name}' is constant over its {rows.Length} labelled (training) rows in every one of its {modality.FeatureCount} columns: it carries nothing to learn from.");
        }
    }

    /// <summary>Every failure of <paramref name="o"/> on <paramref name="dataset"/>, each naming its option's configuration path.</summary>
    private static List<string> OptionFailures(PipelineOptions o, MultimodalDataset dataset)
    {
        var failures = new List<string>();
        int n = dataset.SampleCount;
        if (o.Seed < 0)
            failures.Add($"Seed must be non-negative, got {o.Seed} (System.Random uses |seed|, so a negative seed would repeat the positive one's splits).");
        if (!(o.ValidationFraction > 0 && o.ValidationFraction < 1))
            failures.Add($"ValidationFraction must lie in (0, 1), got {o.ValidationFraction}.");
        if (o.ClassWeightingImbalanceRatio is double ratio && !(double.IsFinite(ratio) && ratio >= 1))
            failures.Add($"ClassWeightingImbalanceRatio must be null or a finite number >= 1, got {ratio}.");
        if (o.Threads < 0) failures.Add($"Threads must be 0 (libtorch default) or positive, got {o.Threads}.");
        if (o.Threads > MaxThreads) failures.Add($"Threads must be at most {MaxThreads}, got {o.Threads}.");
        if (o.CrossFitFolds < 1)
            failures.Add($"CrossFitFolds must be at least 1, got {o.CrossFitFolds}.");
        if (o.CrossFitRepeats < 1)
            failures.Add($"CrossFitRepeats must be at least 1, got {o.CrossFitRepeats}.");
        if (o.GraphNeighbours < 1)
            failures.Add($"GraphNeighbours must be at least 1, got {o.GraphNeighbours}.");
        else if (o.GraphNeighbours >= n)
            failures.Add($"GraphNeighbours = {o.GraphNeighbours} must be below the number of samples ({n}).");
        if (o.DType is not ("float32" or "float64"))
            failures.Add($"DType must be float32 or float64, got '{o.DType}'.");
        if (!Enum.IsDefined(o.EncoderKind))
            failures.Add($"EncoderKind must be {string.Join(" or ", Enum.GetNames<ModalityEncoderKind>())}, got {(int)o.EncoderKind}.");
        if (!Enum.IsDefined(o.Scaling))
            failures.Add($"Scaling must be {string.Join(" or ", Enum.GetNames<FeatureScaling>())}, got {(int)o.Scaling}.");
        if (!Enum.IsDefined(o.PatientGraph))
            failures.Add($"PatientGraph must be {string.Join(" or ", Enum.GetNames<PatientGraphConstruction>())}, got {(int)o.PatientGraph}.");
        if (!Enum.IsDefined(o.FoldStratification))
            failures.Add($"FoldStratification must be {string.Join(" or ", Enum.GetNames<FoldStratification>())}, got {(int)o.FoldStratification}.");
        if (!Enum.IsDefined(o.IncompleteSampleGraph))
            failures.Add($"IncompleteSampleGraph must be {string.Join(" or ", Enum.GetNames<IncompleteSampleGraph>())}, got {(int)o.IncompleteSampleGraph}.");

        if (Section(failures, o.Affinity, nameof(o.Affinity)) is { } affinity)
        {
            AddFailures(failures, nameof(o.Affinity), new AffinityOptionsValidator().Validate(null, affinity));
            if (affinity.K >= n) failures.Add($"Affinity.K = {affinity.K} must be below the number of samples ({n}).");
        }
        if (Section(failures, o.Fusion, nameof(o.Fusion)) is { } fusion)
        {
            AddFailures(failures, nameof(o.Fusion), new SimilarityNetworkFusionOptionsValidator().Validate(null, fusion));
            if (fusion.K >= n) failures.Add($"Fusion.K = {fusion.K} must be below the number of samples ({n}).");
        }
        if (Section(failures, o.Training, nameof(o.Training)) is { } training)
            AddFailures(failures, nameof(o.Training), new BalancedTrainingOptionsValidator().Validate(null, training));
        if (Section(failures, o.Autoencoder, nameof(o.Autoencoder)) is { } autoencoder)
            AddFailures(failures, nameof(o.Autoencoder), new AutoencoderOptionsValidator().Validate(null, autoencoder));
        if (Section(failures, o.MlpEncoder, nameof(o.MlpEncoder)) is { } mlp)
        {
            if (mlp.HiddenSizes is null) failures.Add("MlpEncoder.HiddenSizes must not be null.");
            else AddFailures(failures, nameof(o.MlpEncoder), new MlpEncoderOptionsValidator().Validate(null, mlp.ToOptions()));
            if (mlp.AlternativeNegativeSlope is double alternative && !(alternative >= 0 && double.IsFinite(alternative)))
                failures.Add($"MlpEncoder.AlternativeNegativeSlope must be finite and non-negative, got {alternative}.");
            if (!(mlp.SelectionMargin >= 0 && mlp.SelectionMargin < 1))
                failures.Add($"MlpEncoder.SelectionMargin must lie in [0, 1), got {mlp.SelectionMargin}.");
        }
        if (Section(failures, o.Encoder, nameof(o.Encoder)) is { } encoder)
        {
            // Checked per modality (the input width is the modality's); a failure that does not depend on it is listed once.
            int relations = 1 + (o.ModalityGraphRelations ? dataset.ModalityCount : 0);
            var encoderFailures = new List<string>();
            foreach (var modality in dataset.Modalities)
            {
                int inputSize = o.UseAutoencoder && o.Autoencoder is not null ? o.Autoencoder.LatentDim : modality.FeatureCount;
                var check = new RelationalGcnOptionsValidator().Validate(null, new RelationalGcnOptions
                {
                    InputSize = inputSize, HiddenSizes = encoder.HiddenSizes?.ToArray()!, RelationCount = relations, NumBases = encoder.NumBases,
                    NumBlocks = encoder.NumBlocks, Bias = encoder.Bias, Activation = encoder.Activation, NegativeSlope = encoder.NegativeSlope,
                    Dropout = encoder.Dropout, ClassCount = null, Head = encoder.Head,
                });
                // The width and the relation count are not keys of the file (set below from the data): name what sets them.
                // The keys become config paths first, so a failure that starts with the width is not put under Encoder
                // ("Encoder.Autoencoder.LatentDim"); one the autoencoder's own check already lists is not repeated.
                string width = o.UseAutoencoder && o.Autoencoder is not null
                    ? $"{nameof(o.Autoencoder)}.{nameof(AutoencoderOptions.LatentDim)}"
                    : $"the input width of modality '{modality.Name}'";
                if (check.Failed)
                    foreach (var failure in check.Failures)
                    {
                        var message = ConfigPath(nameof(o.Encoder), failure)
                            .Replace($"{nameof(o.Encoder)}.{nameof(RelationalGcnOptions.InputSize)}", width, StringComparison.Ordinal)
                            .Replace($"{nameof(o.Encoder)}.{nameof(RelationalGcnOptions.RelationCount)}",
                                $"the patient graph's relation count (1, plus one per modality with {nameof(o.ModalityGraphRelations)})", StringComparison.Ordinal);
                        if (!encoderFailures.Contains(message) && !failures.Contains(message)) encoderFailures.Add(message);
                    }
            }
            failures.AddRange(encoderFailures);
            // The pipeline sets these from the data; a value in the file would be ignored, so it is an error instead.
            if (encoder.InputSize != 0) failures.Add($"Encoder.InputSize must not be set (the pipeline uses each modality's width), got {encoder.InputSize}.");
            if (encoder.RelationCount != 1) failures.Add($"Encoder.RelationCount must not be set (the pipeline derives it from ModalityGraphRelations), got {encoder.RelationCount}.");
            if (encoder.ClassCount is not null) failures.Add($"Encoder.ClassCount must not be set (the pipeline's heads take the data's classes), got {encoder.ClassCount}.");
        }
        return failures;
    }

    private static T? Section<T>(List<string> failures, T? section, string name) where T : class
    {
        if (section is null) failures.Add($"{name} must not be null.");
        return section;
    }

    private static void AddFailures(List<string> failures, string section, ValidateOptionsResult result)
    {
        if (result.Failed) failures.AddRange(result.Failures.Select(f => ConfigPath(section, f)));
    }

    // The validators of nested option classes name their class ("PerformanceGatedWeighterOptions.Beta ..."); the
    // property of the enclosing section that holds each of them.
    private static readonly Dictionary<string, string> NestedSections = new(StringComparer.Ordinal)
    {
        ["PerformanceGatedWeighterOptions"] = "PerformanceGated",
        ["OgmGeWeighterOptions"] = "OgmGe",
        ["UncertaintyWeighterOptions"] = "Uncertainty",
    };

    /// <summary>
    /// A component validator's failure with each option's path in the configuration file in place of its class-qualified
    /// name: "MlpEncoderOptions.Dropout must ..." in section MlpEncoder gives "MlpEncoder.Dropout must ...",
    /// "AffinityOptions.K must ..." in section Affinity gives "Affinity.K must ...", "RelationalGcnOptions.NumBases and
    /// RelationalGcnOptions.NumBlocks cannot ..." in section Encoder gives "Encoder.NumBases and Encoder.NumBlocks cannot ...",
    /// and the training validator's "Distillation: DistillationLossOptions.Temperature must ..." gives
    /// "Training.Distillation.Temperature must ...". A failure without a class-qualified name gets the section in front.
    /// </summary>
    internal static string ConfigPath(string section, string failure)
    {
        var nested = Regex.Match(failure, @"^(Distillation|Assessment|Weighting): (.*)$", RegexOptions.Singleline);
        if (nested.Success) return ConfigPath($"{section}.{nested.Groups[1].Value}", nested.Groups[2].Value);
        var typed = Regex.Match(failure, @"^(\w+Options)\.", RegexOptions.Singleline);
        if (!typed.Success) return $"{section}.{failure}";
        string type = typed.Groups[1].Value;
        if (NestedSections.TryGetValue(type, out var property)) section = $"{section}.{property}";
        return Regex.Replace(failure, $@"\b{type}\.", _ => $"{section}.");
    }

    private static void CheckTrainingClasses(MultimodalDataset dataset, int[] labelledRows)
    {
        var counts = dataset.CountClasses(labelledRows);
        for (int c = 0; c < counts.Length; c++)
            if (counts[c] == 0)
                throw new ArgumentException($"Class {c} has no training row; every class must be present in the training split.");
    }
}
