using System.Globalization;
using System.Reflection;
using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// A trained pipeline, ready to predict new samples without retraining (inductively) and to be saved to a folder and
/// loaded back: the standardiser statistics, the autoencoders (if used), the training cohort's model-input features
/// and its fused graph, one <see cref="BalancedMultimodalNetwork"/> per cross-fitted fold, and the options.
/// </summary>
/// <remarks>
/// <para>Prediction (<see cref="Predict"/>): new samples are standardised with the saved statistics, compressed by the
/// saved autoencoders (a missing modality's model input is then the column means of the cohort's model inputs over the
/// cohort rows that have it, the input training gave samples lacking it),
/// attached to their k nearest cohort nodes by <see cref="InductiveGraph"/> (edges cohort -&gt; new only, the cohort
/// graph unchanged, as MOGONET attaches its test samples), and every fold network runs on the union graph; the final
/// probabilities of each fold (the fused head, or the fused head averaged with the modality heads, as
/// <c>Training.Prediction</c> says: <see cref="PredictionCombiner"/>, the rule training used) are averaged over the folds. A sample lacking a modality is attached by its other modalities'
/// similarities only, and that modality's encoder then sees the cohort's mean input at the new node, so with the
/// relational-GCN encoder its embedding also draws on the cohort neighbours' features of that modality (relational mean
/// aggregation, a neighbourhood imputation); with the graph-free MLP encoder it is the embedding of the mean input, and
/// the prediction rests on the other modalities. In the pooled prediction that modality's head
/// does not vote for the sample (the other heads' weights are renormalised, the fused head still reads the embedding),
/// the rule training on incomplete samples uses.</para>
/// <para>Folder format: docs/persistence.md (<see cref="Save"/>, <see cref="Load"/>).</para>
/// </remarks>
public sealed class TrainedPipeline : IDisposable
{
    /// <summary>Newest version of the folder format: <see cref="Save"/> writes 4 when the cohort was trained on incomplete
    /// samples with <see cref="IncompleteSampleGraph.FuseAvailableModalities"/> (new samples attach to every cohort sample
    /// by the modalities both have, which a format-3 reader would not do), 3 when it was trained on incomplete samples
    /// otherwise (<c>cohort_availability.json</c>: new samples attach to the complete cohort samples only, which an older
    /// reader would not know), else 2 when the pipeline carries a <see cref="QuantileNormalizer"/> (<c>quantiles.json</c>,
    /// which a version-1 reader would ignore), and 1 otherwise;
    /// <see cref="Load"/> reads versions <see cref="MinimumFormatVersion"/> to this one.</summary>
    public const int FormatVersion = 4;

    /// <summary>Oldest folder format version <see cref="Load"/> reads.</summary>
    public const int MinimumFormatVersion = 1;

    private readonly Tensor[] _cohortFeatures;
    private readonly TrainedFold[] _folds;
    private readonly ModalityAutoencoder[]? _autoencoders;

    /// <summary>Assembles a trained pipeline; it takes ownership of the tensors, graph, autoencoders and fold networks.</summary>
    /// <param name="options">The options it was trained with.</param>
    /// <param name="modalityNames">The M modality names.</param>
    /// <param name="featureCounts">Raw feature count d_m of every modality.</param>
    /// <param name="classNames">The C class names.</param>
    /// <param name="standardizer">The standardiser fitted on the labelled training rows.</param>
    /// <param name="autoencoders">One fitted autoencoder per modality, or null when none was used.</param>
    /// <param name="cohortFeatures">Per modality the cohort's model-input features (n_c, d'_m), one dtype.</param>
    /// <param name="graph">The cohort's patient graph (n_c nodes).</param>
    /// <param name="folds">One trained fold per cross-fitted fold (at least one), networks bound to <paramref name="graph"/>.</param>
    /// <param name="quantileNormalizer">The rank-Gauss transform applied before <paramref name="standardizer"/>
    /// (<see cref="FeatureScaling.QuantileNormal"/>), or null (<see cref="FeatureScaling.Standardize"/>); must match
    /// <see cref="PipelineOptions.Scaling"/>.</param>
    /// <param name="featureNames">Per modality the names of its d_m features in training order (e.g. from
    /// <c>{m}_featname.csv</c>, <see cref="Modality.FeatureNames"/>), or null for a modality trained without names; null
    /// (default) when no modality has names.</param>
    /// <param name="cohortAvailability">Per modality, which cohort rows (graph nodes) have it, null for a modality on every
    /// row; null (default) when every cohort sample is complete. A cohort trained on incomplete samples holds the imputed
    /// values at its missing rows, and new samples are attached to its complete samples only, as training attached its
    /// incomplete samples (docs/pipeline.md, "Incomplete samples").</param>
    public TrainedPipeline(PipelineOptions options, IReadOnlyList<string> modalityNames, IReadOnlyList<int> featureCounts,
        IReadOnlyList<string> classNames, Standardizer standardizer, IReadOnlyList<ModalityAutoencoder>? autoencoders,
        IReadOnlyList<Tensor> cohortFeatures, RelationalGraph graph, IReadOnlyList<TrainedFold> folds, QuantileNormalizer? quantileNormalizer = null,
        IReadOnlyList<IReadOnlyList<string>?>? featureNames = null, IReadOnlyList<IReadOnlyList<bool>?>? cohortAvailability = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(modalityNames);
        ArgumentNullException.ThrowIfNull(featureCounts);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(standardizer);
        ArgumentNullException.ThrowIfNull(cohortFeatures);
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(folds);
        int m = modalityNames.Count;
        if (m < 2) throw new ArgumentException($"A trained pipeline has at least two modalities, got {m}.", nameof(modalityNames));
        if (featureCounts.Count != m || cohortFeatures.Count != m || standardizer.ModalityNames.Count != m || (autoencoders is not null && autoencoders.Count != m))
            throw new ArgumentException($"Modality count mismatch: {m} names, {featureCounts.Count} feature counts, {cohortFeatures.Count} feature matrices, {standardizer.ModalityNames.Count} standardised modalities, {autoencoders?.Count.ToString(CultureInfo.InvariantCulture) ?? "no"} autoencoders.", nameof(featureCounts));
        if (classNames.Count < 2) throw new ArgumentException("At least two class names are needed.", nameof(classNames));
        if ((quantileNormalizer is not null) != (options.Scaling == FeatureScaling.QuantileNormal))
            throw new ArgumentException($"Scaling is {options.Scaling} but a quantile normaliser was {(quantileNormalizer is null ? "not " : "")}given.", nameof(quantileNormalizer));
        if (quantileNormalizer is not null && !quantileNormalizer.ModalityNames.SequenceEqual(modalityNames))
            throw new ArgumentException($"The quantile normaliser was fitted on {string.Join(", ", quantileNormalizer.ModalityNames)}, not {string.Join(", ", modalityNames)}.", nameof(quantileNormalizer));
        if (folds.Count == 0) throw new ArgumentException("At least one trained fold is needed.", nameof(folds));
        for (int i = 0; i < m; i++)
        {
            if (cohortFeatures[i].dim() != 2 || cohortFeatures[i].shape[0] != graph.NodeCount)
                throw new ArgumentException($"Modality '{modalityNames[i]}': cohort features ({string.Join(", ", cohortFeatures[i].shape)}) do not have one row per graph node ({graph.NodeCount}).", nameof(cohortFeatures));
            if (standardizer.Means[i].Count != featureCounts[i])
                throw new ArgumentException($"Modality '{modalityNames[i]}': the standardiser has {standardizer.Means[i].Count} columns but the modality {featureCounts[i]}.", nameof(standardizer));
            if (quantileNormalizer is not null && quantileNormalizer.Quantiles[i].Count != featureCounts[i])
                throw new ArgumentException($"Modality '{modalityNames[i]}': the quantile normaliser has {quantileNormalizer.Quantiles[i].Count} columns but the modality {featureCounts[i]}.", nameof(quantileNormalizer));
        }
        if (featureNames is not null && featureNames.Count != m)
            throw new ArgumentException($"{featureNames.Count} feature-name lists were given for {m} modalities.", nameof(featureNames));
        for (int i = 0; i < m && featureNames is not null; i++)
        {
            if (featureNames[i] is not { } names) continue;
            if (names.Count != featureCounts[i])
                throw new ArgumentException($"Modality '{modalityNames[i]}': {names.Count} feature names for {featureCounts[i]} features.", nameof(featureNames));
            if (names.Any(n => n is null))
                throw new ArgumentException($"Modality '{modalityNames[i]}': a feature name is null.", nameof(featureNames));
        }
        if (cohortAvailability is not null && cohortAvailability.Count != m)
            throw new ArgumentException($"{cohortAvailability.Count} cohort availability masks were given for {m} modalities.", nameof(cohortAvailability));
        for (int i = 0; i < m && cohortAvailability is not null; i++)
            if (cohortAvailability[i] is { } mask && (mask.Count != graph.NodeCount || !mask.Any(a => a)))
                throw new ArgumentException($"Modality '{modalityNames[i]}': the cohort availability mask needs {graph.NodeCount} entries with at least one true, got {mask.Count}.", nameof(cohortAvailability));
        var completeCohort = cohortAvailability is null ? Enumerable.Range(0, (int)graph.NodeCount).ToArray() : CompleteSamples.Rows(cohortAvailability, (int)graph.NodeCount);
        // With FuseAvailableModalities new samples attach to every cohort sample (each modality's kernel over the
        // cohort samples that have it), as that graph linked the cohort's incomplete samples.
        bool attachToAll = options.IncompleteSampleGraph == IncompleteSampleGraph.FuseAvailableModalities;
        // Only the graph encoders attach new samples (an MLP model's prediction reads no graph, TrainingPipeline.PatientGraph).
        if (!attachToAll && TrainingPipeline.EncoderReadsGraph(options) && completeCohort.Length <= options.GraphNeighbours)
            throw new ArgumentException($"Only {completeCohort.Length} cohort samples have every modality; attaching new samples needs more than GraphNeighbours = {options.GraphNeighbours}.", nameof(cohortAvailability));
        foreach (var fold in folds)
            if (fold.Network.ModalityCount != m || fold.Network.ClassCount != classNames.Count)
                throw new ArgumentException($"Fold {fold.Fold}: its network has {fold.Network.ModalityCount} modalities and {fold.Network.ClassCount} classes, expected {m} and {classNames.Count}.", nameof(folds));
        Options = TrainingPipeline.CloneOptions(options);   // its own copy, as for every other input: the caller may reuse theirs
        ModalityNames = modalityNames.ToArray();
        FeatureCounts = featureCounts.ToArray();
        ClassNames = classNames.ToArray();
        FeatureNames = Enumerable.Range(0, m).Select(i => featureNames?[i]?.ToArray()).ToArray();
        Standardizer = standardizer;
        QuantileNormalizer = quantileNormalizer;
        _autoencoders = autoencoders?.ToArray();
        _cohortFeatures = cohortFeatures.ToArray();
        Graph = graph;
        _folds = folds.ToArray();
        CohortAvailability = Enumerable.Range(0, m).Select(i => cohortAvailability?[i] is { } mask && mask.Any(a => !a) ? mask.ToArray() : null).ToArray();
        _completeCohort = CohortAvailability.All(a => a is null) || attachToAll ? null : completeCohort;
    }

    /// <summary>
    /// The graph <see cref="Predict"/> runs the fold networks on: the cohort graph with new samples attached by
    /// <see cref="InductiveGraph.Attach"/> under the model's rule. A cohort trained on incomplete samples with
    /// <see cref="IncompleteSampleGraph.FuseAvailableModalities"/> lets a new sample attach to every cohort sample, each
    /// modality's kernel over the cohort samples having it (<see cref="CohortAvailability"/>); with
    /// <see cref="IncompleteSampleGraph.AttachToCompleteSamples"/>, to the complete cohort samples only.
    /// </summary>
    /// <param name="features">Per modality the new samples' model inputs (n_new, d_m), on the cohort's device (a missing
    /// row's values are not read by the kernels).</param>
    /// <param name="available">Per modality, which new samples have it (every sample at least one).</param>
    /// <returns>The union graph, cohort nodes first; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">Inputs that do not match the cohort (see <see cref="InductiveGraph.Attach"/>).</exception>
    public RelationalGraph AttachToCohort(IReadOnlyList<Tensor> features, IReadOnlyList<bool[]> available)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(available);
        var cohortAvailable = Options.IncompleteSampleGraph == IncompleteSampleGraph.FuseAvailableModalities && CohortAvailability.Any(a => a is not null)
            ? CohortAvailability : null;
        return InductiveGraph.Attach(Graph, _cohortFeatures, features, available, Options.Affinity, Options.GraphNeighbours, _completeCohort, cohortAvailable);
    }

    /// <summary>Per modality, which cohort rows have it; null for a modality every cohort sample has.</summary>
    public IReadOnlyList<bool[]?> CohortAvailability { get; }

    /// <summary>The cohort samples new samples may be attached to (those having every modality), or null: all.</summary>
    private readonly int[]? _completeCohort;

    /// <summary>The library version stamped into saved folders (informational version of BalancedMultimodal.Distillation).</summary>
    public static string LibraryVersion { get; } =
        typeof(BalancedTrainer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(BalancedTrainer).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The options the pipeline was trained with: the model's own copy, taken at construction (changing the object
    /// passed in, e.g. to train another model, does not change this model's options, predictions or saved folder).</summary>
    public PipelineOptions Options { get; }

    /// <summary>The M modality names, in order.</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Raw feature count d_m of every modality (what new samples must have).</summary>
    public IReadOnlyList<int> FeatureCounts { get; }

    /// <summary>The C class names.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Per modality the names of its features in training order, or null for a modality trained without names
    /// (and for every modality of a model saved before names were stored). <see cref="Predict"/> compares them with the
    /// names of the given modalities.</summary>
    public IReadOnlyList<IReadOnlyList<string>?> FeatureNames { get; }

    /// <summary>The standardiser fitted on the labelled training rows (on the rank-Gauss values when
    /// <see cref="QuantileNormalizer"/> is set).</summary>
    public Standardizer Standardizer { get; }

    /// <summary>The rank-Gauss transform fitted on the labelled training rows and applied before
    /// <see cref="Standardizer"/>, or null when <see cref="PipelineOptions.Scaling"/> is <see cref="FeatureScaling.Standardize"/>.</summary>
    public QuantileNormalizer? QuantileNormalizer { get; }

    /// <summary>The per-modality autoencoders, or null when the pipeline did not compress.</summary>
    public IReadOnlyList<ModalityAutoencoder>? Autoencoders => _autoencoders;

    /// <summary>Per modality the cohort's model-input features (n_c, d'_m): standardised, compressed when autoencoders are used.</summary>
    public IReadOnlyList<Tensor> CohortFeatures => _cohortFeatures;

    /// <summary>The cohort's patient graph (n_c nodes) the fold networks were trained on.</summary>
    public RelationalGraph Graph { get; }

    /// <summary>The trained folds.</summary>
    public IReadOnlyList<TrainedFold> Folds => _folds;

    /// <summary>Number of cohort nodes n_c.</summary>
    public int CohortSize => (int)Graph.NodeCount;

    /// <summary>The compute dtype of the networks.</summary>
    public ScalarType DType => _cohortFeatures[0].dtype;

    /// <summary>Builds an untrained network over <paramref name="graph"/> with this pipeline's architecture.</summary>
    internal static BalancedMultimodalNetwork CreateNetwork(RelationalGraph graph, PipelineOptions options, IReadOnlyList<string> names,
        IReadOnlyList<long> inputDims, int classCount, ScalarType dtype)
    {
        var factory = TrainingPipeline.CreateEncoderFactory(graph, options);
        var device = graph.Device;
        var encoders = new List<ModalityEncoder>();
        for (int m = 0; m < names.Count; m++)
            encoders.Add(factory.Create(new ModalityEncoderRequest(m, names[m], inputDims[m], device, dtype)));
        var network = new BalancedMultimodalNetwork(encoders, classCount, options.Training.HeadDropout, device, dtype);
        network.eval();
        return network;
    }

    /// <summary><see cref="CreateNetwork"/>, with every parameter and buffer detached from the current dispose scope,
    /// so that a network kept beyond the scope it is built in (a trained fold) keeps its state.</summary>
    internal static BalancedMultimodalNetwork CreateLongLivedNetwork(RelationalGraph graph, PipelineOptions options, IReadOnlyList<string> names,
        IReadOnlyList<long> inputDims, int classCount, ScalarType dtype)
    {
        var network = CreateNetwork(graph, options, names, inputDims, classCount, dtype);
        foreach (var p in network.parameters()) p.DetachFromDisposeScope();
        foreach (var b in network.buffers()) b.DetachFromDisposeScope();
        return network;
    }

    /// <summary>Model-input width d'_m of every modality.</summary>
    internal long[] InputDims => _cohortFeatures.Select(f => f.shape[1]).ToArray();

    /// <summary>
    /// Predicts new samples inductively (see the class remarks): fold-averaged final probabilities.
    /// </summary>
    /// <param name="modalities">One entry per trained modality, in order: the new samples' raw (unstandardised) values,
    /// (n_new, d_m), with the trained name and feature count, and rows marked unavailable where a sample lacks the
    /// modality; or null when no new sample has that modality. Every sample needs at least one available modality. A
    /// modality that carries <see cref="Modality.FeatureNames"/> must list the model's <see cref="FeatureNames"/> in
    /// the same order (columns are never reordered); a modality or model without names is not checked.</param>
    /// <param name="sampleIds">Optional n_new sample IDs, none null, all distinct (default: the 0-based row numbers).</param>
    /// <returns>The probabilities (n_new, C) and predicted classes.</returns>
    /// <exception cref="ArgumentException">When the input does not match the trained modalities (name, feature count,
    /// feature names, rows), or a sample ID is null or repeated; the message names the modality or sample, and for
    /// feature names the first differing column with both names.</exception>
    public PredictionResult Predict(IReadOnlyList<Modality?> modalities, IReadOnlyList<string>? sampleIds = null)
    {
        ArgumentNullException.ThrowIfNull(modalities);
        int count = ModalityNames.Count;
        if (modalities.Count != count)
            throw new ArgumentException($"The model has {count} modalities ({string.Join(", ", ModalityNames)}) but {modalities.Count} were given.", nameof(modalities));
        var present = modalities.Where(x => x is not null).ToArray();
        if (present.Length == 0) throw new ArgumentException("Every modality is missing; at least one is needed.", nameof(modalities));
        int n = present[0]!.SampleCount;
        for (int m = 0; m < count; m++)
        {
            if (modalities[m] is not { } x) continue;
            if (x.Name != ModalityNames[m])
                throw new ArgumentException($"Modality {m} is named '{x.Name}' but the model's modality {m} is '{ModalityNames[m]}'.", nameof(modalities));
            if (x.FeatureCount != FeatureCounts[m])
                throw new ArgumentException($"Modality '{x.Name}' has {x.FeatureCount} features but the model was trained on {FeatureCounts[m]}.", nameof(modalities));
            if (x.SampleCount != n)
                throw new ArgumentException($"Modality '{x.Name}' has {x.SampleCount} rows but modality '{present[0]!.Name}' has {n}.", nameof(modalities));
            if (FeatureNames[m] is { } expected && x.FeatureNames is { } given
                && DescribeFeatureNameMismatch(expected, given, j => string.Create(CultureInfo.InvariantCulture, $"column {j}")) is { } mismatch)
                throw new ArgumentException($"Modality '{x.Name}': its feature names differ from the model's: {mismatch}.", nameof(modalities));
        }
        var available = new bool[count][];
        for (int m = 0; m < count; m++)
            available[m] = Enumerable.Range(0, n).Select(i => modalities[m]?.IsAvailable(i) ?? false).ToArray();
        for (int i = 0; i < n; i++)
            if (!available.Any(a => a[i]))
                throw new ArgumentException($"New sample {i} is missing in every modality; it needs at least one.", nameof(modalities));
        if (sampleIds is not null && sampleIds.Count != n)
            throw new ArgumentException($"{sampleIds.Count} sample IDs were given for {n} samples.", nameof(sampleIds));
        if (sampleIds is not null)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                var id = sampleIds[i] ?? throw new ArgumentException($"Sample ID {i} is null.", nameof(sampleIds));
                if (!seen.TryAdd(id, i))
                    throw new ArgumentException($"Sample ID '{id}' is given for rows {seen[id]} and {i}; IDs must be distinct.", nameof(sampleIds));
            }
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = Graph.Device;
        var features = new Tensor[count];
        for (int m = 0; m < count; m++)
        {
            var raw = modalities[m] is { } given && QuantileNormalizer is not null ? QuantileNormalizer.Transform(m, given) : modalities[m];
            var standardized = Standardize(raw, m, n, available[m]);
            var x = tensor(standardized, [n, FeatureCounts[m]], dtype: ScalarType.Float64, device: device).to(DType);
            RepresentableFeatures.Require(x, ModalityNames[m], sampleIds, FeatureNames?[m], available[m]);
            if (_autoencoders is not null) x = _autoencoders[m].Encode(x);
            if (available[m].Any(a => !a))
            {
                // A new sample lacking the modality gets the model input training gave such samples: the column means
                // of the cohort's model inputs over the cohort rows that have the modality (ColumnMeanImputation).
                var cohortRows = CohortAvailability[m] is { } have ? Enumerable.Range(0, CohortSize).Where(r => have[r]).Select(r => (long)r).ToArray() : null;
                var source = cohortRows is null ? _cohortFeatures[m] : _cohortFeatures[m].index_select(0, tensor(cohortRows, device: device));
                x = where(tensor(available[m], device: device).unsqueeze(1), x, source.mean([0], keepdim: true));
            }
            features[m] = x;
        }
        // The graph-free MLP encoder reads no graph: the new samples are not attached (no kernel is computed), an edgeless
        // graph of the union stands in; the relational-GCN kinds attach them to the cohort graph.
        using var union = TrainingPipeline.EncoderReadsGraph(Options)
            ? AttachToCohort(features, available)
            : TrainingPipeline.EdgelessGraph(CohortSize + n, device, DType);
        var unionFeatures = Enumerable.Range(0, count).Select(m => cat([_cohortFeatures[m], features[m]], 0)).ToArray();
        var sum = zeros(n, ClassNames.Count, dtype: ScalarType.Float64, device: device);
        // The heads behind the pooled prediction (fused first): fold sums of their softmaxes (H, n, C) and shares (n, H).
        var headSum = zeros(count + 1, n, ClassNames.Count, dtype: ScalarType.Float64, device: device);
        var shareSum = zeros(n, count + 1, dtype: ScalarType.Float64, device: device);
        // Rows (cohort, then new samples) x modalities: a new sample's missing modality head does not vote in the pooled
        // prediction (PredictionCombiner's availability overload); null when every new sample is complete.
        var unionAvailability = available.All(a => a.All(v => v)) ? null
            : cat([ones(CohortSize, count, dtype: ScalarType.Bool, device: device),
                   stack(available.Select(a => tensor(a, device: device)).ToArray(), 1)], 0);
        // Building a network draws its (immediately overwritten) initial weights from the process-wide generator:
        // restore it, so that predicting leaves no trace on later random draws.
        using var generatorState = random.get_rng_state();
        try
        {
            foreach (var fold in _folds)
            {
                // A fold's network, outputs and temporaries are freed before the next fold; only the sum is kept.
                using var foldScope = NewDisposeScope();
                using var network = CreateNetwork(union, Options, ModalityNames, InputDims, ClassNames.Count, DType);
                CopyState(fold.Network, network);
                var outputs = network.Forward(unionFeatures);
                sum.PlusInPlace(PredictionCombiner.Probabilities(outputs, Options.Training.Prediction, fold.PoolingWeights, unionAvailability).narrow(0, CohortSize, n).to(ScalarType.Float64));
                // The heads on the new rows in float64, so that the shares and softmaxes are exact to float64.
                var newRows = new NetworkOutputs(outputs.Embeddings,
                    outputs.ModalityLogits.Select(z => z.narrow(0, CohortSize, n).to(ScalarType.Float64)).ToArray(),
                    outputs.FusedLogits.narrow(0, CohortSize, n).to(ScalarType.Float64));
                var newAvailability = unionAvailability?.narrow(0, CohortSize, n);
                shareSum.PlusInPlace(PredictionCombiner.HeadShares(newRows, Options.Training.Prediction, fold.PoolingWeights, newAvailability));
                headSum.PlusInPlace(stack(new[] { newRows.FusedLogits }.Concat(newRows.ModalityLogits).Select(z => z.softmax(1)).ToArray(), 0));
            }
        }
        finally
        {
            random.set_rng_state(generatorState);
        }
        // The fold count as a Scalar freed right after the division (an implicit one is left to the finalizer, whose
        // race with the native call crashed a loop of predictions; docs/native-runtime.md).
        using var foldCount = _folds.Length.ToScalar();
        var values = sum.div_(foldCount).cpu().data<double>().ToArray();
        var probabilities = new double[n, ClassNames.Count];
        var predictions = new int[n];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < ClassNames.Count; c++)
            {
                probabilities[i, c] = values[i * ClassNames.Count + c];
                if (probabilities[i, c] > probabilities[i, predictions[i]]) predictions[i] = c;
            }
        }
        var ids = sampleIds?.ToArray() ?? Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new PredictionResult(ids, ClassNames, probabilities, predictions) { Heads = AveragedHeads(headSum, shareSum, available) };
    }

    /// <summary>The fold-averaged heads (fused first) from the fold sums of their softmaxes (H, n, C) and shares (n, H);
    /// a modality head's probabilities are NaN for the samples lacking that modality.</summary>
    private IReadOnlyList<HeadPrediction> AveragedHeads(Tensor headSum, Tensor shareSum, bool[][] available)
    {
        int heads = (int)headSum.shape[0], n = (int)headSum.shape[1], classes = (int)headSum.shape[2];
        using var folds = _folds.Length.ToScalar();   // an Int32, as the implicit conversion had it; freed after the calls
        var headValues = headSum.div(folds).cpu().data<double>().ToArray();
        var shareValues = shareSum.div(folds).cpu().data<double>().ToArray();
        var result = new HeadPrediction[heads];
        for (int h = 0; h < heads; h++)
        {
            var probabilities = new double[n, classes];
            var shares = new double[n];
            for (int i = 0; i < n; i++)
            {
                bool has = h == 0 || available[h - 1][i];
                shares[i] = shareValues[i * heads + h];
                for (int c = 0; c < classes; c++)
                    probabilities[i, c] = has ? headValues[(h * n + i) * classes + c] : double.NaN;
            }
            result[h] = new HeadPrediction(h == 0 ? HeadPrediction.FusedHeadName : ModalityNames[h - 1], probabilities, shares);
        }
        return result;
    }

    /// <summary>
    /// Null when <paramref name="given"/> equals <paramref name="expected"/> in order; otherwise what differs: the count,
    /// or the first differing position (<paramref name="position"/> of its 0-based index) with both names, saying when
    /// the names are the model's in another order.
    /// </summary>
    internal static string? DescribeFeatureNameMismatch(IReadOnlyList<string> expected, IReadOnlyList<string> given, Func<int, string> position)
    {
        if (given.Count != expected.Count)
            return string.Create(CultureInfo.InvariantCulture, $"{given.Count} names where the model has {expected.Count}");
        int first = Enumerable.Range(0, expected.Count).FirstOrDefault(j => !string.Equals(expected[j], given[j], StringComparison.Ordinal), -1);
        if (first < 0) return null;
        var difference = $"{position(first)} is '{given[first]}' where the model has '{expected[first]}'";
        bool reordered = expected.Order(StringComparer.Ordinal).SequenceEqual(given.Order(StringComparer.Ordinal), StringComparer.Ordinal);
        return reordered
            ? $"they are the model's feature names in another order: {difference}; columns are not reordered automatically, so put them in the model's order"
            : difference;
    }

    /// <summary>z = (x - mean) / scale with the saved statistics; unavailable rows become 0 (the training mean).</summary>
    private double[] Standardize(Modality? modality, int m, int n, bool[] available)
    {
        int d = FeatureCounts[m];
        var result = new double[n * d];
        if (modality is null) return result;
        var means = Standardizer.Means[m];
        var scales = Standardizer.Scales[m];
        for (int i = 0; i < n; i++)
        {
            if (!available[i]) continue;
            var row = modality.GetRow(i);
            for (int j = 0; j < d; j++) result[i * d + j] = (row[j] - means[j]) / scales[j];
        }
        return result;
    }

    /// <summary>Copies every parameter and buffer of <paramref name="source"/> into the same-shaped <paramref name="target"/>.</summary>
    internal static void CopyState(nn.Module source, nn.Module target)
    {
        using var noGrad = no_grad();
        var from = source.state_dict();
        foreach (var (name, value) in target.state_dict())
            value.copy_(from[name]);
    }

    /// <summary>Writes the pipeline to <paramref name="folder"/> (created if needed; existing pipeline files are replaced).</summary>
    /// <param name="folder">Target folder.</param>
    public void Save(string folder) => TrainedPipelineFolder.Save(this, folder);

    /// <summary>Loads a pipeline written by <see cref="Save"/>.</summary>
    /// <param name="folder">The folder.</param>
    /// <returns>The pipeline (the caller disposes it).</returns>
    /// <exception cref="InvalidDataException">When a file is missing, corrupt, truncated, of another format version, or
    /// does not fit the model the folder describes (e.g. weights of another shape); the message names the file.</exception>
    public static TrainedPipeline Load(string folder) => TrainedPipelineFolder.Load(folder);

    /// <summary>Disposes the networks, autoencoders, features and graph.</summary>
    public void Dispose()
    {
        foreach (var fold in _folds) fold.Dispose();
        if (_autoencoders is not null) foreach (var a in _autoencoders) a.Dispose();
        foreach (var f in _cohortFeatures) f.Dispose();
        Graph.Dispose();
    }
}
