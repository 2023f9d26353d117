using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Core.Optimization;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

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
/// score is at least as good.</item>
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
/// are never read. Every random choice is seeded (<see cref="BalancedTrainingOptions.Seed"/>), so the same seed gives
/// the same result on CPU, provided no other thread draws from TorchSharp's process-wide generator meanwhile
/// (initialisation and dropout use it, as in PyTorch). Progress goes to an <see cref="IProgress{T}"/> and an <see cref="ILogger"/>; a
/// <see cref="CancellationToken"/> is honoured between epochs.
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
    /// <param name="cancellationToken">Checked between epochs.</param>
    /// <returns>The trained network and its outcome; the caller disposes it.</returns>
    /// <exception cref="OptionsValidationException"><see cref="Options"/> were changed since construction and are no
    /// longer valid, or a modality's input-weight decay (<see cref="BalancedTrainingOptions.InputWeightDecay"/>) overflows
    /// for its width (thrown before any training; the message names the option and the modality).</exception>
    /// <exception cref="ArgumentException">Distillation is enabled but <paramref name="data"/> holds fewer rows held out
    /// from fitting than the mutual-information estimator of the gate needs: at least 3 (k + 1 for a
    /// <see cref="KsgEstimator"/>) validation rows under <see cref="ModalityAssessmentOptions.RequireComplementarity"/>, else
    /// validation plus unlabelled rows. Thrown before any training; the message gives the count, the minimum and the remedies.</exception>
    public BalancedTrainingResult Fit(BalancedTrainingData data, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        BalancedTrainingOptionsValidator.ThrowIfInvalid(_options);
        RequireAssessmentRows(data);
        RequireFiniteInputDecays(data);
        var run = new Run(this, data, progress, cancellationToken, null);
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
    /// <param name="cancellationToken">Checked between epochs.</param>
    /// <returns>The trained network and its outcome; the caller disposes it.</returns>
    /// <exception cref="OptionsValidationException"><see cref="Options"/> were changed since construction and are no
    /// longer valid, or a modality's input-weight decay (<see cref="BalancedTrainingOptions.InputWeightDecay"/>) overflows
    /// for its width (thrown before any training; the message names the option and the modality).</exception>
    /// <exception cref="ArgumentException">The checkpoint is filled but was written with another seed, other modalities
    /// or a network of another shape, or distillation is enabled but <paramref name="data"/> holds too few rows held out
    /// from fitting for the mutual-information estimator (both thrown before any training).</exception>
    public BalancedTrainingResult Fit(BalancedTrainingData data, TrainingCheckpoint checkpoint, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(checkpoint);
        BalancedTrainingOptionsValidator.ThrowIfInvalid(_options);
        RequireAssessmentRows(data);
        RequireFiniteInputDecays(data);
        var run = new Run(this, data, progress, cancellationToken, checkpoint);
        return run.Execute();
    }

    /// <summary>Throws now, before phase 1, when a modality's input-weight decay
    /// λ_m = λ max(1, d_m / w_ref)^γ (<see cref="BalancedTrainingOptions.InputWeightDecay"/>) overflows to infinity for
    /// the data's widths, which each option's own range cannot rule out.</summary>
    private void RequireFiniteInputDecays(BalancedTrainingData data)
    {
        for (int m = 0; m < data.ModalityCount; m++)
        {
            long width = data.Features[m].shape[1];
            double decay = _options.InputWeightDecay(width);
            if (double.IsFinite(decay)) continue;
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(BalancedTrainingOptions),
            [
                $"The input-weight decay of modality '{data.ModalityNames[m]}' ({width} features) is {decay}: " +
                $"{nameof(BalancedTrainingOptions.WeightDecay)} {_options.WeightDecay} x max(1, {width} / " +
                $"{nameof(BalancedTrainingOptions.InputWeightDecayReferenceWidth)} {_options.InputWeightDecayReferenceWidth})^" +
                $"{nameof(BalancedTrainingOptions.InputWeightDecayWidthExponent)} {_options.InputWeightDecayWidthExponent} overflows; " +
                "lower the exponent or raise the reference width.",
            ]);
        }
    }

    /// <summary>
    /// With <see cref="BalancedTrainingOptions.EnableDistillation"/> on, the distillation gate estimates mutual information
    /// on the rows held out from fitting: the validation rows when
    /// <see cref="ModalityAssessmentOptions.RequireComplementarity"/> is on (I(student; labels) needs their labels), else
    /// every row that is not a training row (validation and unlabelled rows). Throws now, before phase 1, if there are
    /// fewer than the estimator needs: 3, k + 1 for a <see cref="KsgEstimator"/> with k neighbours, the held-out split's
    /// minimum for an <see cref="InfoNceEstimator"/>, n &gt; d_x + d_y for a bias-corrected Gaussian estimator.
    /// </summary>
    private void RequireAssessmentRows(BalancedTrainingData data)
    {
        if (!_options.EnableDistillation) return;
        bool validationOnly = _options.Assessment.RequireComplementarity;
        int rows = validationOnly ? data.ValidationRows.Count : (int)data.SampleCount - data.TrainRows.Count;
        // The gate compares class probabilities (ClassCount columns, or their PCA); with labels, the main estimator also
        // estimates I(outputs; labels).
        int columns = ModalityAssessor.EstimatedColumns(data.ClassCount, _options.Assessment);
        int minimum = AssessmentRows.Minimum(columns, _estimator, validationOnly ? _estimator : null);
        if (rows >= minimum) return;
        string which = validationOnly
            ? $"{rows} validation row(s) (Assessment.RequireComplementarity is on, so only the labelled held-out rows are used)"
            : $"{rows} row(s) held out from fitting ({data.ValidationRows.Count} validation, {rows - data.ValidationRows.Count} unlabelled)";
        string remedy = validationOnly
            ? "add validation rows, set Assessment.RequireComplementarity = false, or set EnableDistillation = false"
            : "add validation or unlabelled rows, or set EnableDistillation = false";
        throw new ArgumentException(
            $"The distillation gate estimates mutual information on the rows held out from fitting, and the '{_estimator.Name}' estimator " +
            $"needs at least {minimum}; data has {which}. To train anyway, {remedy}.", nameof(data));
    }

    /// <summary>The state of one <c>Fit</c> call.</summary>
    private sealed class Run
    {
        private readonly BalancedTrainer _trainer;
        private readonly BalancedTrainingOptions _o;
        private readonly BalancedTrainingData _data;
        private readonly IProgress<TrainingProgress>? _progress;
        private readonly CancellationToken _cancellation;
        private readonly TrainingCheckpoint? _checkpoint;
        private readonly List<TrainingProgress> _history = new();
        private readonly int[] _validationLabels;
        private Tensor _trainRows = null!;
        private Tensor _validationRows = null!;
        private Tensor _trainMask = null!;
        private Tensor _allRowsMask = null!;
        private Tensor _unlabelledRows = null!;

        public Run(BalancedTrainer trainer, BalancedTrainingData data, IProgress<TrainingProgress>? progress, CancellationToken cancellation, TrainingCheckpoint? checkpoint)
        {
            _checkpoint = checkpoint;
            _trainer = trainer;
            _o = trainer._options;
            _data = data;
            _progress = progress;
            _cancellation = cancellation;
            _validationLabels = data.ValidationRows.Select(r => (int)data.LabelValues[r]).ToArray();
        }

        private Device Device => _data.Features[0].device;

        private ScalarType DType => _data.Features[0].dtype;

        public BalancedTrainingResult Execute()
        {
            _cancellation.ThrowIfCancellationRequested();
            var device = Device;
            manual_seed(_o.Seed);
            // The run's row indices, masks and labels (on the features' device) live until the finally below; the
            // intermediates that build them are freed with this scope. The labels are an alias (a new handle), so the
            // finally never disposes the caller's tensor, whichever handle to() returns.
            Tensor labels;
            using (NewDisposeScope())
            {
                _trainRows = tensor(_data.TrainRows.Select(r => (long)r).ToArray(), device: device).DetachFromDisposeScope();
                _validationRows = tensor(_data.ValidationRows.Select(r => (long)r).ToArray(), device: device).DetachFromDisposeScope();
                _trainMask = zeros(_data.SampleCount, dtype: ScalarType.Bool, device: device).index_fill_(0, _trainRows, true).alias().DetachFromDisposeScope();
                _allRowsMask = ones(_data.SampleCount, dtype: ScalarType.Bool, device: device).DetachFromDisposeScope();
                var training = new HashSet<int>(_data.TrainRows);
                _unlabelledRows = tensor(Enumerable.Range(0, (int)_data.SampleCount).Where(r => !training.Contains(r)).Select(r => (long)r).ToArray(),
                    ScalarType.Int64, device: device).DetachFromDisposeScope();
                labels = _data.Labels.to(device).alias().DetachFromDisposeScope();
            }

            var encoders = new List<ModalityEncoder>();
            BalancedMultimodalNetwork? network = null;
            try
            {
                for (int m = 0; m < _data.ModalityCount; m++)
                    encoders.Add(_trainer._encoders.Create(new ModalityEncoderRequest(m, _data.ModalityNames[m], _data.Features[m].shape[1], device, DType)));
                network = new BalancedMultimodalNetwork(encoders, _data.ClassCount, _o.HeadDropout, device, DType);
                double[] pretraining;
                if (_checkpoint is { IsFilled: true })
                {
                    _checkpoint.Validate(_o.Seed, _data.ModalityNames, network, "checkpoint");
                    _checkpoint.Restore(network);
                    pretraining = _checkpoint.PretrainingScores.ToArray();
                    _history.AddRange(_checkpoint.PretrainingHistory);
                    _trainer._logger.LogInformation("Resumed after phase 1 from the checkpoint; validation macro-F1: {Scores}", Describe(pretraining));
                }
                else
                {
                    pretraining = new double[_data.ModalityCount];
                    for (int m = 0; m < _data.ModalityCount; m++)
                        pretraining[m] = Pretrain(network, m, labels);
                    _trainer._logger.LogInformation("Phase 1 validation macro-F1: {Scores}", Describe(pretraining));
                    _checkpoint?.Save(_o.Seed, _data.ModalityNames, network, pretraining, _history);
                }

                DistillationPlan? plan = null;
                var distilled = (double[])pretraining.Clone();
                if (_o.EnableDistillation)
                {
                    plan = Assess(network, pretraining);
                    _trainer._logger.LogInformation("Distillation plan:\n{Plan}", plan);
                    foreach (var student in plan.Students)
                        distilled[student.Index] = Distill(network, student.Index, student.TeacherIndex!.Value, labels, pretraining[student.Index]);
                }

                var (bestEpoch, fusedScore, modalityScores, weights, poolingWeights) = TrainJointly(network, labels, plan);
                network.eval();
                using var noGrad = no_grad();
                Tensor fusedProbabilities, predictedProbabilities;
                Tensor[] modalityProbabilities;
                using (NewDisposeScope())
                {
                    // The final forward pass's activations and logits are freed here; only the probabilities leave.
                    var outputs = network.Forward(_data.Features);
                    fusedProbabilities = F.softmax(outputs.FusedLogits, 1).detach().MoveToOuterDisposeScope();
                    modalityProbabilities = outputs.ModalityLogits.Select(z => F.softmax(z, 1).detach().MoveToOuterDisposeScope()).ToArray();
                    predictedProbabilities = PredictionCombiner.Probabilities(outputs, _o.Prediction, poolingWeights).detach().MoveToOuterDisposeScope();
                }
                return new BalancedTrainingResult(network, fusedProbabilities, modalityProbabilities, predictedProbabilities, _data.ModalityNames,
                    pretraining, distilled, modalityScores, fusedScore, plan, weights, _history.ToArray(), bestEpoch)
                { PoolingWeights = poolingWeights };
            }
            catch
            {
                if (network is not null) network.Dispose();
                else foreach (var encoder in encoders) encoder.Dispose();
                throw;
            }
            finally
            {
                _trainRows.Dispose();
                _validationRows.Dispose();
                _trainMask.Dispose();
                _allRowsMask.Dispose();
                _unlabelledRows.Dispose();
                labels.Dispose();
            }
        }

        /// <summary>Splits <paramref name="parameters"/> into weight-decay groups: each modality's input weights with
        /// λ_m (<see cref="BalancedTrainingOptions.InputWeightDecay"/>), everything else with λ; order kept within a group.</summary>
        private IEnumerable<ParameterGroup> DecayGroups(BalancedMultimodalNetwork network, IEnumerable<Parameter> parameters)
        {
            var inputDecay = new Dictionary<Parameter, double>(ReferenceEqualityComparer.Instance);
            for (int m = 0; m < _data.ModalityCount; m++)
            {
                double decay = _o.InputWeightDecay(_data.Features[m].shape[1]);
                foreach (var weight in network.Encoder(m).InputWeights) inputDecay[weight] = decay;
            }
            var list = parameters.ToList();
            return list.Where(p => !inputDecay.ContainsKey(p))
                .GroupBy(_ => _o.WeightDecay)
                .Concat(list.Where(inputDecay.ContainsKey).GroupBy(p => inputDecay[p]))
                .Select(g => new ParameterGroup(g, g.Key))
                .ToArray();
        }

        /// <summary>Phase 1 for modality m; returns its best validation macro-F1 (the checkpoint is restored).</summary>
        private double Pretrain(BalancedMultimodalNetwork network, int m, Tensor labels)
        {
            using var optimizer = new ExplicitScalarAdam(DecayGroups(network, network.ModalityParameters(m)), _o.LearningRate);
            var trainLabels = labels.index_select(0, _trainRows);
            var tracker = new CheckpointTracker(network);
            try
            {
                for (int epoch = 1; epoch <= _o.PretrainingEpochs; epoch++)
                {
                    _cancellation.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    network.train();
                    optimizer.ZeroGrad();
                    var logits = network.ModalityLogits(m, network.Embed(m, _data.Features[m]));
                    var loss = F.cross_entropy(logits.index_select(0, _trainRows), trainLabels);
                    loss.backward();
                    optimizer.Step();
                    if (epoch % _o.EvaluationInterval != 0 && epoch != _o.PretrainingEpochs) continue;
                    var (score, validationLoss) = EvaluateModality(network, m, labels);
                    Report(new TrainingProgress(TrainingPhase.Pretraining, _data.ModalityNames[m], epoch, _o.PretrainingEpochs, Scalar(loss), score, null, null));
                    if (!tracker.Offer(score, validationLoss, epoch) && epoch - tracker.BestEpoch >= _o.Patience) break;
                }
                tracker.RestoreBest();
                return tracker.BestScore;
            }
            finally
            {
                tracker.Dispose();
                trainLabels.Dispose();
            }
        }

        private DistillationPlan Assess(BalancedMultimodalNetwork network, IReadOnlyList<double> scores)
        {
            // Outputs are compared on the rows no model was fitted to (validation and unlabelled rows): on training rows
            // every head reproduces the labels it memorised, which would make even a pure-noise modality look
            // dependent on its teacher.
            var training = new HashSet<int>(_data.TrainRows);
            var heldOut = Enumerable.Range(0, (int)_data.SampleCount).Where(r => !training.Contains(r)).ToArray();
            network.eval();
            var outputs = new List<double[,]>();
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                for (int m = 0; m < _data.ModalityCount; m++)
                {
                    var probabilities = F.softmax(network.ModalityLogits(m, network.Embed(m, _data.Features[m])), 1).to(ScalarType.Float64);
                    outputs.Add(probabilities.ToMatrix());
                }
            }
            var assessment = _o.Assessment;
            var assessor = new ModalityAssessor(_trainer._estimator, assessment);
            if (!assessment.RequireComplementarity)
                return assessor.Assess(outputs.Select((o, m) => new ModalityEvidence(_data.ModalityNames[m], scores[m], SelectRows(o, heldOut))).ToArray());
            // I(student; labels) needs labels: the validation rows' (held out from fitting, like the scores themselves).
            var rows = _data.ValidationRows;
            var labelled = outputs.Select((o, m) => new ModalityEvidence(_data.ModalityNames[m], scores[m], SelectRows(o, rows))).ToArray();
            return assessor.Assess(labelled, rows.Select(r => (int)_data.LabelValues[r]).ToArray());
        }

        /// <summary>Phase 1b for one student; returns its validation macro-F1 afterwards.</summary>
        private double Distill(BalancedMultimodalNetwork network, int student, int teacher, Tensor labels, double pretrainedScore)
        {
            if (_o.DistillationEpochs == 0) return pretrainedScore;
            Tensor teacherLogits, teacherEmbedding;
            network.eval();
            using (no_grad())
            using (NewDisposeScope())
            {
                // The teacher's activations are freed here; its embedding and logits are disposed in the finally below.
                teacherEmbedding = network.Embed(teacher, _data.Features[teacher]).detach().MoveToOuterDisposeScope();
                teacherLogits = network.ModalityLogits(teacher, teacherEmbedding).detach().MoveToOuterDisposeScope();
            }
            using var loss = new DistillationLoss((int)network.Encoder(student).EmbeddingDim, (int)network.Encoder(teacher).EmbeddingDim, _o.Distillation, Device, DType);
            using var optimizer = new ExplicitScalarAdam(DecayGroups(network, network.ModalityParameters(student).Concat(loss.parameters())), _o.LearningRate);
            var tracker = new CheckpointTracker(network);
            try
            {
                var (startScore, startLoss) = EvaluateModality(network, student, labels);
                tracker.Offer(startScore, startLoss, 0);
                for (int epoch = 1; epoch <= _o.DistillationEpochs; epoch++)
                {
                    _cancellation.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    network.train();
                    optimizer.ZeroGrad();
                    var embedding = network.Embed(student, _data.Features[student]);
                    var logits = network.ModalityLogits(student, embedding);
                    var terms = loss.Compute(logits, embedding, teacherLogits, teacherEmbedding, labels, _trainMask, _allRowsMask);
                    terms.Total.backward();
                    optimizer.Step();
                    if (epoch % _o.EvaluationInterval != 0 && epoch != _o.DistillationEpochs) continue;
                    var (score, validationLoss) = EvaluateModality(network, student, labels);
                    Report(new TrainingProgress(TrainingPhase.Distillation, _data.ModalityNames[student], epoch, _o.DistillationEpochs, Scalar(terms.Total), score, null, null));
                    if (!tracker.Offer(score, validationLoss, epoch) && epoch - tracker.BestEpoch >= _o.Patience) break;
                }
                tracker.RestoreBest();
                _trainer._logger.LogInformation("Distilled {Teacher} -> {Student}: validation macro-F1 {Before:F4} -> {After:F4}",
                    _data.ModalityNames[teacher], _data.ModalityNames[student], pretrainedScore, tracker.BestScore);
                return tracker.BestScore;
            }
            finally
            {
                tracker.Dispose();
                teacherLogits.Dispose();
                teacherEmbedding.Dispose();
            }
        }

        private (int BestEpoch, double FusedScore, IReadOnlyList<double> ModalityScores, IReadOnlyList<double> Weights, IReadOnlyList<double>? PoolingWeights) TrainJointly(
            BalancedMultimodalNetwork network, Tensor labels, DistillationPlan? plan)
        {
            var weighter = new ModalityLossWeighterFactory(_o.Weighting).Create(_data.ModalityCount, Device, DType);
            var multitask = new MultitaskLoss(weighter);
            var pairs = DistillationPairs(plan);
            var jointDistillation = JointDistillationOptions();
            var pairLosses = pairs.Select(p => new DistillationLoss(
                (int)network.Encoder(p.Student).EmbeddingDim, (int)network.Encoder(p.Teacher).EmbeddingDim, jointDistillation ?? _o.Distillation, Device, DType)).ToArray();
            var parameters = network.parameters()
                .Concat(pairLosses.SelectMany(l => l.parameters()))
                .Concat(weighter.TrainableParameters);
            using var optimizer = new ExplicitScalarAdam(DecayGroups(network, parameters), _o.LearningRate);
            var tracker = new CheckpointTracker(network);
            IReadOnlyList<double> bestModalityScores = Array.Empty<double>();
            IReadOnlyList<double> bestWeights = weighter.Weights.ToArray();
            // Head weights of the pooled prediction (validation-weighted source only): uniform until the first evaluation.
            double[]? poolingWeights = _o.Prediction == PredictionSource.AllHeadsValidationWeighted
                ? Enumerable.Repeat(1.0 / (_data.ModalityCount + 1), _data.ModalityCount + 1).ToArray()
                : null;
            double[]? bestPoolingWeights = poolingWeights;
            try
            {
                for (int epoch = 1; epoch <= _o.JointEpochs; epoch++)
                {
                    _cancellation.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    network.train();
                    optimizer.ZeroGrad();
                    var outputs = network.Forward(_data.Features);
                    var distillation = new List<Tensor>();
                    if (jointDistillation is not null)
                        for (int p = 0; p < pairs.Count; p++)
                        {
                            var (student, teacher) = pairs[p];
                            var terms = pairLosses[p].Compute(outputs.ModalityLogits[student], outputs.Embeddings[student],
                                outputs.ModalityLogits[teacher], outputs.Embeddings[teacher], labels, _trainMask, _allRowsMask);
                            distillation.Add(terms.Total);
                        }
                    var total = multitask.Compute(outputs.FusedLogits, outputs.ModalityLogits, labels, _trainMask, distillation.Count > 0 ? distillation : null);
                    var objective = _o.UnlabelledEntropyWeight > 0 && _unlabelledRows.numel() > 0
                        ? total.Total + _o.UnlabelledEntropyWeight * MeanEntropy(PredictionCombiner.Probabilities(outputs, _o.Prediction, poolingWeights).index_select(0, _unlabelledRows))
                        : total.Total;
                    objective.backward();
                    optimizer.Step();
                    if (epoch % _o.EvaluationInterval != 0 && epoch != _o.JointEpochs) continue;
                    (var fusedScore, var fusedLoss, var modalityScores, poolingWeights) = EvaluateJoint(network, labels);
                    weighter.Update(modalityScores);
                    Report(new TrainingProgress(TrainingPhase.Joint, null, epoch, _o.JointEpochs, Scalar(total.Total), fusedScore, modalityScores, weighter.Weights.ToArray()));
                    if (tracker.Offer(fusedScore, fusedLoss, epoch))
                    {
                        bestModalityScores = modalityScores;
                        bestWeights = weighter.Weights.ToArray();
                        bestPoolingWeights = poolingWeights;
                    }
                    else if (epoch - tracker.BestEpoch >= _o.Patience)
                    {
                        break;
                    }
                }
                tracker.RestoreBest();
                _trainer._logger.LogInformation("Phase 2 best fused validation macro-F1 {Score:F4} at epoch {Epoch}; weights {Weights}",
                    tracker.BestScore, tracker.BestEpoch, Describe(bestWeights));
                return (tracker.BestEpoch, tracker.BestScore, bestModalityScores, bestWeights, bestPoolingWeights);
            }
            finally
            {
                tracker.Dispose();
                foreach (var l in pairLosses) l.Dispose();
                (weighter as IDisposable)?.Dispose();
            }
        }

        /// <summary>mean_i H(p_i) = -mean_i sum_c p_ic log p_ic of probabilities (n, C), with 0 log 0 = 0.</summary>
        /// <remarks>The floor 1e-12 is representable in every dtype the trainer accepts (float32, float64, bfloat16);
        /// float16, where it would round to 0 (0 log 0 = 0 * -inf = NaN), is rejected by <see cref="BalancedTrainingData"/>.</remarks>
        private static Tensor MeanEntropy(Tensor probabilities) =>
            -(probabilities * probabilities.clamp_min(1e-12).log()).sum(1).mean();

        /// <summary>Phase-2 distillation terms: the KL and RE parts only (the students' CE is already in the multitask loss).</summary>
        private DistillationLossOptions? JointDistillationOptions()
        {
            var d = _o.Distillation;
            if (d.KullbackLeiblerWeight == 0 && d.RepresentationWeight == 0) return null;
            return new DistillationLossOptions
            {
                CrossEntropyWeight = 0,
                KullbackLeiblerWeight = d.KullbackLeiblerWeight,
                RepresentationWeight = d.RepresentationWeight,
                Temperature = d.Temperature,
                Representation = d.Representation,
            };
        }

        private static IReadOnlyList<(int Student, int Teacher)> DistillationPairs(DistillationPlan? plan) =>
            plan is null
                ? Array.Empty<(int, int)>()
                : plan.Students.Select(s => (s.Index, s.TeacherIndex!.Value)).ToArray();

        private (double Score, double Loss) EvaluateModality(BalancedMultimodalNetwork network, int m, Tensor labels)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            network.eval();
            var logits = network.ModalityLogits(m, network.Embed(m, _data.Features[m])).index_select(0, _validationRows);
            return Score(logits, labels);
        }

        /// <summary>Validation macro-F1 and loss of the final prediction, each head's validation macro-F1, and (validation-weighted
        /// source only) the head weights measured now, which that prediction used.</summary>
        private (double FusedScore, double FusedLoss, IReadOnlyList<double> ModalityScores, double[]? PoolingWeights) EvaluateJoint(BalancedMultimodalNetwork network, Tensor labels)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            network.eval();
            var outputs = network.Forward(_data.Features);
            double[]? poolingWeights = null;
            if (_o.Prediction == PredictionSource.AllHeadsValidationWeighted)
            {
                var heads = new[] { outputs.FusedLogits }.Concat(outputs.ModalityLogits).Select(z => z.index_select(0, _validationRows)).ToArray();
                poolingWeights = HeadPoolingWeights.FromValidation(heads, labels.index_select(0, _validationRows), _o.PoolingWeightShrinkage);
            }
            var (fusedScore, fusedLoss) = _o.Prediction == PredictionSource.FusedHead
                ? Score(outputs.FusedLogits.index_select(0, _validationRows), labels)
                : ScoreProbabilities(PredictionCombiner.Probabilities(outputs, _o.Prediction, poolingWeights).index_select(0, _validationRows), labels);
            var modalityScores = outputs.ModalityLogits.Select(z => Score(z.index_select(0, _validationRows), labels).Score).ToArray();
            return (fusedScore, fusedLoss, modalityScores, poolingWeights);
        }

        private (double Score, double Loss) Score(Tensor validationLogits, Tensor labels)
        {
            var predictions = validationLogits.argmax(1).to(ScalarType.Int64).cpu().data<long>().Select(v => (int)v).ToArray();
            double macroF1 = ClassificationMetrics.MacroF1(_validationLabels, predictions);
            double loss = F.cross_entropy(validationLogits, labels.index_select(0, _validationRows)).to(ScalarType.Float64).item<double>();
            return (macroF1, loss);
        }

        /// <summary>Validation macro-F1 of argmax p and the negative log-likelihood -mean log p_y of probabilities p (n_val, C).</summary>
        private (double Score, double Loss) ScoreProbabilities(Tensor validationProbabilities, Tensor labels)
        {
            var predictions = validationProbabilities.argmax(1).to(ScalarType.Int64).cpu().data<long>().Select(v => (int)v).ToArray();
            double macroF1 = ClassificationMetrics.MacroF1(_validationLabels, predictions);
            double loss = F.nll_loss(validationProbabilities.clamp_min(1e-12).log(), labels.index_select(0, _validationRows)).to(ScalarType.Float64).item<double>();
            return (macroF1, loss);
        }

        private void Report(TrainingProgress report)
        {
            _history.Add(report);
            _progress?.Report(report);
            _trainer._logger.LogDebug("{Phase} {Modality} epoch {Epoch}/{Max}: loss {Loss:F4}, validation macro-F1 {Score:F4}",
                report.Phase, report.Modality ?? "fused", report.Epoch, report.MaxEpochs, report.Loss, report.ValidationScore);
        }

        private static double Scalar(Tensor value) => value.detach().to(ScalarType.Float64).item<double>();

        private static double[,] SelectRows(double[,] values, IReadOnlyList<int> rows)
        {
            var result = new double[rows.Count, values.GetLength(1)];
            for (int i = 0; i < rows.Count; i++)
                for (int j = 0; j < values.GetLength(1); j++)
                    result[i, j] = values[rows[i], j];
            return result;
        }

        private string Describe(IReadOnlyList<double> values) =>
            string.Join(", ", values.Select((v, m) => $"{_data.ModalityNames[m]} {v:F4}"));
    }
}
