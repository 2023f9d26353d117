using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Core.Optimization;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Weighting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>
/// The two-phase balanced multimodal schedule (arXiv 2511.00987; METHOD.md sections 1 and 6-8), written against
/// Core's encoder abstraction so it works with any <see cref="IModalityEncoderFactory"/>.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Phase 1 (pretraining): for each modality m, encoder_m and head_m are trained alone with
/// CE(z_m, y) over the training rows (Adam); every <c>EvaluationInterval</c> epochs the head's validation macro-F1 is
/// measured and the best checkpoint kept (ties broken by validation cross-entropy); training stops after
/// <c>Patience</c> epochs without improvement.</item>
/// <item>Assessment: the phase-1 validation scores split the modalities into strong (score >= best - delta) and weak;
/// for each weak modality the teacher is the strong modality whose class probabilities (over the rows held out from
/// fitting: validation and unlabelled rows) share the most
/// mutual information with its own, and the gate opens only if that dependence is significant
/// (<see cref="ModalityAssessor"/>).</item>
/// <item>Distillation (phase 1b): each gated student is fine-tuned with
/// L = a1 CE(z_s, y) + a2 T^2 KL(softmax(z_t/T) || softmax(z_s/T)) + a3 RE(h_s, h_t), the KL and RE terms over all rows
/// (unlabelled included), the teacher frozen; the distilled student replaces the pretrained one only if its validation
/// macro-F1 is higher, or equal with a lower validation cross-entropy (the pretrained state competes as epoch 0).</item>
/// <item>Phase 2 (joint): all encoders, heads and a fused classifier over the concatenated embeddings are trained on
/// L = CE(z, y) + sum_m w_m CE(z_m, y) [+ sum over gated pairs of the KL and RE terms, teacher detached]
/// [+ lambda mean_{i not training} H(p_i), entropy minimisation on the unlabelled rows when
/// <see cref="BalancedTrainingOptions.UnlabelledEntropyWeight"/> = lambda &gt; 0], where the
/// weights w_m come from the <see cref="IModalityLossWeighter"/> (default: the performance gate of METHOD.md section 8)
/// updated from the heads' validation macro-F1 at every evaluation step. The checkpoint with the best validation
/// macro-F1 of the final prediction (<see cref="BalancedTrainingOptions.Prediction"/>: the fused head, or the fused
/// head pooled with the modality heads, for <see cref="PredictionSource.AllHeadsValidationWeighted"/> with head weights
/// measured on validation at the same step, <see cref="HeadPoolingWeights"/>) is returned.</item>
/// </list>
/// Only training rows' labels enter a loss; validation labels only score, weight, select and stop; other rows' labels
/// are never read. Every random choice is seeded (initialisation and dropout by <see cref="BalancedTrainingOptions.Seed"/>,
/// the gate's permutation tests by <see cref="ModalityAssessmentOptions.Seed"/> of <see cref="BalancedTrainingOptions.Assessment"/>;
/// the CLI pipeline sets both from its one seed), so the same seeds give the same result on CPU, provided no other thread draws from TorchSharp's process-wide generator meanwhile
/// (initialisation and dropout use it, as in PyTorch). Progress goes to an <see cref="IProgress{T}"/> and an <see cref="ILogger"/>; a
/// <see cref="CancellationToken"/> is honoured between epochs and inside the gate's assessment (between estimates and permutations).
/// </remarks>
public sealed class BalancedTrainer
{
    private readonly IModalityEncoderFactory _encoders;
    private readonly IMutualInformationEstimator _estimator;
    private readonly BalancedTrainingOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the trainer; options are validated now.</summary>
    /// <param name="encoders">Builds one encoder per modality.</param>
    /// <param name="estimator">Mutual-information estimator used by the distillation gate.</param>
    /// <param name="options">Schedule options.</param>
    /// <param name="logger">Optional logger (phase summaries at Information, evaluation steps at Debug).</param>
    public BalancedTrainer(IModalityEncoderFactory encoders, IMutualInformationEstimator estimator, BalancedTrainingOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(encoders);
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(options);
        BalancedTrainingOptionsValidator.ThrowIfInvalid(options);
        _encoders = encoders;
        _estimator = estimator;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Creates the trainer from DI options.</summary>
    /// <param name="encoders">Builds one encoder per modality.</param>
    /// <param name="estimator">Mutual-information estimator used by the distillation gate.</param>
    /// <param name="options">Schedule options.</param>
    /// <param name="logger">Optional logger.</param>
    public BalancedTrainer(IModalityEncoderFactory encoders, IMutualInformationEstimator estimator, IOptions<BalancedTrainingOptions> options, ILogger<BalancedTrainer>? logger = null)
        : this(encoders, estimator, (options ?? throw new ArgumentNullException(nameof(options))).Value, logger)
    {
    }

    /// <summary>The options in force: the object given at construction, not a copy.</summary>
    /// <remarks>Changes made through this object take effect at the next <c>Fit</c>, which validates the options again
    /// (with <see cref="BalancedTrainingOptionsValidator"/>, as the constructor) before any work and throws
    /// <see cref="OptionsValidationException"/> naming the option if they are no longer valid. Do not change them
    /// while <c>Fit</c> runs (e.g. from a progress callback): a run reads them throughout.</remarks>
    public BalancedTrainingOptions Options => _options;

    /// <summary>Runs the whole schedule.</summary>
    /// <param name="data">Features, labels and splits (validated at construction).</param>
    /// <param name="progress">Receives a report at every evaluation step.</param>
    /// <param name="cancellationToken">Checked between epochs, and passed to the gate's <see cref="ModalityAssessor.Assess"/>
    /// (checked before each pair estimate and between permutations).</param>
    /// <returns>The trained network and its outcome; the caller disposes it.</returns>
    /// <exception cref="OptionsValidationException"><see cref="Options"/> were changed since construction and are no
    /// longer valid, or a modality's input-weight decay (<see cref="BalancedTrainingOptions.InputWeightDecay"/>) overflows
    /// for its width, or it, the weight decay or Adam's first step size exceeds the largest finite value of the features'
    /// dtype, or the uncertainty policy's initial log-variance is not representable there (thrown before any training; the
    /// message names the option and the modality).</exception>
    /// <exception cref="ArgumentException">Distillation is enabled but <paramref name="data"/> holds fewer rows held out
    /// from fitting than the mutual-information estimator of the gate needs: at least 3 (k + 1 for a
    /// <see cref="KsgEstimator"/>) validation rows under <see cref="ModalityAssessmentOptions.RequireComplementarity"/>, else
    /// validation plus unlabelled rows. Thrown before any training; the message gives the count, the minimum and the remedies.</exception>
    /// <exception cref="ObjectDisposedException">A feature tensor or the labels of <paramref name="data"/> were disposed
    /// after it was built (it refers to the caller's tensors); the message names the modality. Thrown before any work.</exception>
    /// <exception cref="InvalidOperationException">The encoder factory returned null, or an encoder that the network
    /// refuses (no embedding width, parameters off the features' dtype or device), that refuses its modality's features
    /// (e.g. built for another input width) or that returns embeddings of another shape than (n, EmbeddingDim). Checked
    /// before any training, with one evaluation-mode forward pass per modality without gradient; the message names the
    /// factory's type, the modality and what was wrong.</exception>
    public BalancedTrainingResult Fit(BalancedTrainingData data, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.ThrowIfAnyTensorDisposed(nameof(data));
        BalancedTrainingOptionsValidator.ThrowIfInvalid(_options);
        RequireAssessmentRows(data);
        RequireRepresentableOptimizerValues(data);
        var run = new BalancedTrainingRun(_encoders, _estimator, _options, _logger, data, progress, cancellationToken, null);
        return run.Execute();
    }

    /// <summary>
    /// Runs the whole schedule with a phase-boundary checkpoint: an empty <paramref name="checkpoint"/> is filled right
    /// after phase 1; a filled one is resumed from (phase 1 skipped; network state, phase-1 scores and the global
    /// generator state restored), giving the same result as an uninterrupted run with the same seed and options on the
    /// CPU. Only TorchSharp's CPU generator state is saved: on CUDA, whose dropout draws from the CUDA generator, the
    /// resumed run is valid but not guaranteed to be identical to an uninterrupted one.
    /// </summary>
    /// <param name="data">Features, labels and splits (validated at construction).</param>
    /// <param name="checkpoint">The checkpoint to fill (empty) or resume from (filled).</param>
    /// <param name="progress">Receives a report at every evaluation step (a resumed run reports phases after 1 only).</param>
    /// <param name="cancellationToken">Checked between epochs, and passed to the gate's <see cref="ModalityAssessor.Assess"/>
    /// (checked before each pair estimate and between permutations).</param>
    /// <returns>The trained network and its outcome; the caller disposes it.</returns>
    /// <exception cref="OptionsValidationException"><see cref="Options"/> were changed since construction and are no
    /// longer valid, or a modality's input-weight decay (<see cref="BalancedTrainingOptions.InputWeightDecay"/>) overflows
    /// for its width, or it, the weight decay or Adam's first step size exceeds the largest finite value of the features'
    /// dtype, or the uncertainty policy's initial log-variance is not representable there (thrown before any training; the
    /// message names the option and the modality).</exception>
    /// <exception cref="ArgumentException">The checkpoint is filled but was written with another seed, other modalities,
    /// other training or validation rows (another fold) or a network of another shape, or distillation is enabled but <paramref name="data"/> holds too few rows held out
    /// from fitting for the mutual-information estimator (both thrown before any training).</exception>
    /// <exception cref="ObjectDisposedException">A tensor of <paramref name="data"/> was disposed after it was built, as in
    /// <see cref="Fit(BalancedTrainingData, IProgress{TrainingProgress}, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">The encoder factory returned null or an encoder unfit for its modality,
    /// as in <see cref="Fit(BalancedTrainingData, IProgress{TrainingProgress}, CancellationToken)"/> (before any training).</exception>
    public BalancedTrainingResult Fit(BalancedTrainingData data, TrainingCheckpoint checkpoint, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(checkpoint);
        data.ThrowIfAnyTensorDisposed(nameof(data));
        BalancedTrainingOptionsValidator.ThrowIfInvalid(_options);
        RequireAssessmentRows(data);
        RequireRepresentableOptimizerValues(data);
        var run = new BalancedTrainingRun(_encoders, _estimator, _options, _logger, data, progress, cancellationToken, checkpoint);
        return run.Execute();
    }

    /// <summary>Throws now, before phase 1, when a modality's input-weight decay
    /// λ_m = λ max(1, d_m / w_ref)^γ (<see cref="BalancedTrainingOptions.InputWeightDecay"/>) overflows to infinity for
    /// the data's widths, which each option's own range cannot rule out, or when λ_m (&gt;= λ, so λ is covered) or the
    /// optimiser's first step size lr / (1 - β1) (β1 = 0.9) exceeds the largest finite value of the features' dtype
    /// (3.4e38 for float32), which the parameters share and libtorch could not convert the value to.</summary>
    private void RequireRepresentableOptimizerValues(BalancedTrainingData data)
    {
        for (int m = 0; m < data.ModalityCount; m++)
        {
            long width = data.Features[m].shape[1];
            double decay = _options.InputWeightDecay(width);
            if (!double.IsFinite(decay))
                throw InvalidOption(
                    $"The input-weight decay of modality '{data.ModalityNames[m]}' ({width} features) is {decay}: " +
                    $"{nameof(BalancedTrainingOptions.WeightDecay)} {_options.WeightDecay} x max(1, {width} / " +
                    $"{nameof(BalancedTrainingOptions.InputWeightDecayReferenceWidth)} {_options.InputWeightDecayReferenceWidth})^" +
                    $"{nameof(BalancedTrainingOptions.InputWeightDecayWidthExponent)} {_options.InputWeightDecayWidthExponent} overflows; " +
                    "lower the exponent or raise the reference width.");
            var dtype = data.Features[m].dtype;
            double largest = finfo(dtype).max;
            if (decay > largest)
                throw InvalidOption(
                    $"The input-weight decay of modality '{data.ModalityNames[m]}' ({width} features) is {decay:G9}, above the largest " +
                    $"finite {dtype} value {largest:G9} (the parameters' dtype): lower {nameof(BalancedTrainingOptions.WeightDecay)} " +
                    $"or {nameof(BalancedTrainingOptions.InputWeightDecayWidthExponent)}, or use float64 features.");
            if (_options.LearningRate / (1 - FirstMomentDecay) > largest)
                throw InvalidOption(
                    $"{nameof(BalancedTrainingOptions.LearningRate)} {_options.LearningRate:G9} makes Adam's first step lr / (1 - 0.9) exceed " +
                    $"the largest finite {dtype} value {largest:G9} (the dtype of modality '{data.ModalityNames[m]}' and of the parameters).");
        }
        // The joint phase's learned weights start at s in the features' dtype: refused now rather than after phase 1.
        if (_options.Weighting.Policy == ModalityWeightingPolicy.Uncertainty
            && UncertaintyWeighter.UnrepresentableInitialLogVariance(_options.Weighting.Uncertainty.InitialLogVariance, data.Features[0].dtype, data.ModalityCount) is { } failure)
            throw InvalidOption($"{nameof(BalancedTrainingOptions.Weighting)}.{nameof(ModalityWeightingOptions.Uncertainty)}: {failure}");
    }

    /// <summary>Adam's β1 in the trainer's optimisers (<see cref="ExplicitScalarAdam"/>'s default).</summary>
    private const double FirstMomentDecay = 0.9;

    private static OptionsValidationException InvalidOption(string failure) =>
        new(Microsoft.Extensions.Options.Options.DefaultName, typeof(BalancedTrainingOptions), [failure]);

    /// <summary>
    /// The fewest rows the distillation gate needs to estimate mutual information with <paramref name="estimator"/>: the
    /// rows held out from fitting (the validation rows when <see cref="ModalityAssessmentOptions.RequireComplementarity"/>
    /// is on, else every non-training row) that a pair of modalities shares (incomplete samples); 0 when <see cref="BalancedTrainingOptions.EnableDistillation"/>
    /// is off. <see cref="Fit(BalancedTrainingData, IProgress{TrainingProgress}, CancellationToken)"/> refuses data with
    /// fewer before phase 1; a caller training several folds can check them all up front with this.
    /// </summary>
    /// <param name="options">The trainer's options (distillation switch and assessment options).</param>
    /// <param name="estimator">The gate's estimator.</param>
    /// <param name="classCount">C, the number of classes (the gate compares C class probabilities, or their PCA).</param>
    /// <returns>The minimum row count (3, k + 1 for a KSG estimator with k neighbours, ...).</returns>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class count below 2.</exception>
    /// <exception cref="OptionsValidationException"><paramref name="options"/> are invalid (validated with
    /// <see cref="BalancedTrainingOptionsValidator"/>, as the trainer does; the message names the option).</exception>
    public static int MinimumAssessmentRows(BalancedTrainingOptions options, IMutualInformationEstimator estimator, int classCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        BalancedTrainingOptionsValidator.ThrowIfInvalid(options);
        if (!options.EnableDistillation) return 0;
        bool validationOnly = options.Assessment.RequireComplementarity;
        // The gate compares class probabilities (C columns, or their PCA); with labels, the assessor's default label
        // estimator (continuous-discrete) also estimates I(outputs; labels).
        int columns = ModalityAssessor.EstimatedColumns(classCount, options.Assessment);
        return AssessmentRows.Minimum(columns, estimator, validationOnly ? new ContinuousDiscreteEstimator() : null);
    }

    /// <summary>
    /// With <see cref="BalancedTrainingOptions.EnableDistillation"/> on, the distillation gate estimates mutual information
    /// on the rows held out from fitting: the validation rows when
    /// <see cref="ModalityAssessmentOptions.RequireComplementarity"/> is on (I(student; labels) needs their labels), else
    /// every row that is not a training row (validation and unlabelled rows); with incomplete samples, each pair of
    /// modalities on those rows that have both. Throws now, before phase 1, if there are
    /// fewer than the estimator needs: 3, k + 1 for a <see cref="KsgEstimator"/> with k neighbours, the held-out split's
    /// minimum for an <see cref="InfoNceEstimator"/>, n &gt; d_x + d_y for a bias-corrected Gaussian estimator.
    /// </summary>
    private void RequireAssessmentRows(BalancedTrainingData data)
    {
        if (!_options.EnableDistillation) return;
        bool validationOnly = _options.Assessment.RequireComplementarity;
        var heldOut = data.AssessmentRows(validationOnly);
        int rows = heldOut.Length;
        int minimum = MinimumAssessmentRows(_options, _estimator, data.ClassCount);
        // With incomplete samples the gate compares each pair on the held-out rows both modalities have: every pair
        // needs the minimum (which pairs the gate will compare depends on the phase-1 scores).
        var (first, second, shared) = data.HasMissingRows ? data.FewestSharedRows(heldOut) : (0, 1, rows);
        if (shared >= minimum)
        {
            // I(student; labels) is estimated on a modality's own validation rows (every validation row on complete
            // data): they must hold two classes (complete data: the labels check of the validation split covers it),
            // and some class twice, as the assessor's continuous-discrete label estimator drops classes seen once.
            if (!validationOnly) return;
            for (int m = 0; m < data.ModalityCount; m++)
            {
                var rowLabels = heldOut.Where(r => data.IsAvailable(m, r)).Select(r => (int)data.LabelValues[r]).ToArray();
                var labels = rowLabels.Distinct().ToArray();
                string name = data.ModalityNames[m];
                string whose = data.HasMissingRows ? $"Modality '{name}''s validation rows" : "The validation rows";
                string hasRows = data.HasMissingRows ? $"Modality '{name}' has validation rows" : "The validation rows are";
                if (labels.Length < 2)
                    throw new ArgumentException(
                        $"{hasRows} of class {labels.Single()} only; with Assessment.RequireComplementarity the gate " +
                        "estimates I(student; labels) on a modality's own validation rows and needs two classes there. Add validation rows having the modality, " +
                        "set Assessment.RequireComplementarity = false, or set EnableDistillation = false.", nameof(data));
                if (!ModalityAssessor.HasRepeatedClass(rowLabels))
                    throw new ArgumentException(
                        $"{whose} hold every class once ({rowLabels.Length} rows); with Assessment.RequireComplementarity the gate estimates I(student; labels) with the " +
                        "continuous-discrete estimator, which needs a class with two or more rows. Add validation rows, set Assessment.RequireComplementarity = false, " +
                        "or set EnableDistillation = false.", nameof(data));
                if (!data.HasMissingRows) return;   // every modality has every validation row
            }
            return;
        }
        string pair = $" having both '{data.ModalityNames[first]}' and '{data.ModalityNames[second]}' (the gate compares each pair of modalities on the rows both have)";
        string which = validationOnly
            ? data.HasMissingRows
                ? $"{shared} validation row(s){pair} (Assessment.RequireComplementarity is on, so only the labelled held-out rows are used)"
                : $"{rows} validation row(s) (Assessment.RequireComplementarity is on, so only the labelled held-out rows are used)"
            : data.HasMissingRows
                ? $"{shared} row(s) held out from fitting{pair}"
                : $"{rows} row(s) held out from fitting ({data.ValidationRows.Count} validation, {rows - data.ValidationRows.Count} unlabelled)";
        string remedy = validationOnly
            ? "add validation rows, set Assessment.RequireComplementarity = false, or set EnableDistillation = false"
            : "add validation or unlabelled rows, or set EnableDistillation = false";
        throw new ArgumentException(
            $"The distillation gate estimates mutual information on the rows held out from fitting, and the '{_estimator.Name}' estimator " +
            $"needs at least {minimum}; data has {which}. To train anyway, {remedy}.", nameof(data));
    }
}
