using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Core.Optimization;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>
/// The state and steps of one <see cref="BalancedTrainer.Fit(BalancedTrainingData, IProgress{TrainingProgress}?, CancellationToken)"/>
/// call: the run's row tensors, phase 1 (per-modality pretraining), the modality assessment and distillation, and the
/// joint phase with performance-gated weights, early stopping and checkpoint choice on validation (METHOD.md sections
/// 6-8). Internal: <see cref="BalancedTrainer"/> validates the options and data, then creates and executes one.
/// </summary>
internal sealed class BalancedTrainingRun
{
    private readonly IModalityEncoderFactory _encoders;
    private readonly IMutualInformationEstimator _estimator;
    private readonly ILogger _logger;
    private readonly BalancedTrainingOptions _o;
    private readonly BalancedTrainingData _data;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly CancellationToken _cancellation;
    private readonly TrainingCheckpoint? _checkpoint;
    private readonly List<TrainingProgress> _history = new();
    private readonly int[] _validationLabels;
    private Tensor _trainRows = null!;
    private Tensor? _classWeights;   // ClassWeighting.InverseFrequency: (C) on the features' device and dtype
    private Tensor _validationRows = null!;
    private Tensor _trainMask = null!;
    private Tensor _unlabelledRows = null!;
    // Incomplete samples: the features with each modality's unavailable rows mean-imputed (the caller's tensor where the
    // modality is complete), and per modality its training rows, training mask, validation rows and their labels (the
    // run-wide ones where the modality is complete); _availability (n, M) is null when every sample is complete.
    private Tensor[] _features = null!;
    private Tensor[] _trainRowsOf = null!;
    private Tensor[] _trainMaskOf = null!;
    private Tensor[] _validationRowsOf = null!;
    private int[][] _validationLabelsOf = null!;
    private Tensor? _availability;
    private Tensor? _validationVotes;   // (n_val, M + 1): which heads vote for each validation row (the fused head always); null when complete
    private readonly List<Tensor> _owned = new();   // the tensors above that the run created (disposed at the end)

    /// <summary>Prepares one run; <see cref="Execute"/> trains.</summary>
    /// <param name="encoders">The encoder factory of the trainer.</param>
    /// <param name="estimator">The mutual-information estimator of the distillation gate.</param>
    /// <param name="options">The trainer's options, validated by the caller.</param>
    /// <param name="logger">The trainer's logger.</param>
    /// <param name="data">The data, validated by the caller.</param>
    /// <param name="progress">Receives a report at every evaluation step, or null.</param>
    /// <param name="cancellation">Checked between epochs; passed to the gate's assessment.</param>
    /// <param name="checkpoint">A phase-1 checkpoint to fill or resume from, or null.</param>
    public BalancedTrainingRun(IModalityEncoderFactory encoders, IMutualInformationEstimator estimator, BalancedTrainingOptions options, ILogger logger,
        BalancedTrainingData data, IProgress<TrainingProgress>? progress, CancellationToken cancellation, TrainingCheckpoint? checkpoint)
    {
        _checkpoint = checkpoint;
        _encoders = encoders;
        _estimator = estimator;
        _logger = logger;
        _o = options;
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
        // Computed before any native tensor of the run exists, so a refusal cannot leak them.
        double[]? classWeights = _o.ClassWeighting == ClassWeighting.InverseFrequency
            ? ClassWeights.InverseFrequency(_data.TrainRows.Select(r => (int)_data.LabelValues[r]).ToArray(),
                Enumerable.Range(0, _data.TrainRows.Count).ToArray(), _data.ClassCount)
            : null;
        Tensor labels;
        using (NewDisposeScope())
        {
            _trainRows = tensor(_data.TrainRows.Select(r => (long)r).ToArray(), device: device).DetachFromDisposeScope();
            _validationRows = tensor(_data.ValidationRows.Select(r => (long)r).ToArray(), device: device).DetachFromDisposeScope();
            using (var isTraining = true.ToScalar())
                _trainMask = zeros(_data.SampleCount, dtype: ScalarType.Bool, device: device).index_fill_(0, _trainRows, isTraining).alias().DetachFromDisposeScope();
            var training = new HashSet<int>(_data.TrainRows);
            _unlabelledRows = tensor(Enumerable.Range(0, (int)_data.SampleCount).Where(r => !training.Contains(r)).Select(r => (long)r).ToArray(),
                ScalarType.Int64, device: device).DetachFromDisposeScope();
            labels = _data.Labels.to(device).alias().DetachFromDisposeScope();
            _classWeights = classWeights is null ? null : tensor(classWeights, dtype: DType, device: device).DetachFromDisposeScope();
            PrepareModalityRows(device);
        }

        var encoders = new List<ModalityEncoder>();
        BalancedMultimodalNetwork? network = null;
        try
        {
            for (int m = 0; m < _data.ModalityCount; m++)
            {
                encoders.Add(_encoders.Create(new ModalityEncoderRequest(m, _data.ModalityNames[m], _data.Features[m].shape[1], device, DType))
                    ?? throw new InvalidOperationException($"The encoder factory {FactoryName} returned null for modality {m} ('{_data.ModalityNames[m]}'); it must return a new encoder."));
            }
            network = CreateNetwork(encoders, device);
            CheckEncoders(network);
            double[] pretraining;
            if (_checkpoint is { IsFilled: true })
            {
                _checkpoint.Validate(_o.Seed, _data.ModalityNames, _data.TrainRows, _data.ValidationRows, MissingRows(), network, "checkpoint");
                _checkpoint.Restore(network);
                pretraining = _checkpoint.PretrainingScores.ToArray();
                _history.AddRange(_checkpoint.PretrainingHistory);
                _logger.LogInformation("Resumed after phase 1 from the checkpoint; validation macro-F1: {Scores}", Describe(pretraining));
            }
            else
            {
                pretraining = new double[_data.ModalityCount];
                for (int m = 0; m < _data.ModalityCount; m++)
                    pretraining[m] = Pretrain(network, m, labels);
                _logger.LogInformation("Phase 1 validation macro-F1: {Scores}", Describe(pretraining));
                _checkpoint?.Save(_o.Seed, _data.ModalityNames, _data.TrainRows, _data.ValidationRows, MissingRows(), network, pretraining, _history);
            }

            DistillationPlan? plan = null;
            var distilled = (double[])pretraining.Clone();
            if (_o.EnableDistillation)
            {
                plan = Assess(network, pretraining);
                _logger.LogInformation("Distillation plan:\n{Plan}", plan);
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
                var outputs = network.Forward(_features);
                fusedProbabilities = F.softmax(outputs.FusedLogits, 1).detach().MoveToOuterDisposeScope();
                modalityProbabilities = outputs.ModalityLogits.Select(z => F.softmax(z, 1).detach().MoveToOuterDisposeScope()).ToArray();
                if (_o.FinalPoolingRule is HeadPoolingRule finalRule && _o.Prediction == PredictionSource.AllHeadsValidationWeighted)
                {
                    poolingWeights = HeadPoolingWeights.FromValidation(ValidationHeads(outputs), labels.index_select(0, _validationRows), finalRule, 0, _validationVotes);
                }
                predictedProbabilities = PredictionCombiner.Probabilities(outputs, _o.Prediction, poolingWeights, _availability).detach().MoveToOuterDisposeScope();
            }
            // The result owns its probabilities, as it owns the network: they outlive the caller's dispose scope, if any,
            // until the result is disposed (the network's parameters already do).
            fusedProbabilities.DetachFromDisposeScope();
            foreach (var p in modalityProbabilities) p.DetachFromDisposeScope();
            predictedProbabilities.DetachFromDisposeScope();
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
            _unlabelledRows.Dispose();
            _classWeights?.Dispose();
            foreach (var owned in _owned) owned.Dispose();
            labels.Dispose();
        }
    }

    /// <summary>The encoder factory's type, as messages name it.</summary>
    private string FactoryName => _encoders.GetType().Name;

    /// <summary>The network around the factory's encoders; a refusal of an encoder (no embedding width, parameters off the
    /// features' dtype or device) is the factory's fault, not an argument of <c>Fit</c>.</summary>
    private BalancedMultimodalNetwork CreateNetwork(List<ModalityEncoder> encoders, Device device)
    {
        try
        {
            return new BalancedMultimodalNetwork(encoders, _data.ClassCount, _o.HeadDropout, device, DType);
        }
        catch (ArgumentException e) when (e.ParamName == "modalityEncoders")
        {
            throw new InvalidOperationException($"The encoder factory {FactoryName} built an encoder the network cannot use: {WithoutParameter(e)}", e);
        }
    }

    /// <summary>Before any training: one evaluation-mode forward pass per modality without gradient (no dropout, so no
    /// draw from the generator), so that an encoder built for another input width, or one whose embeddings are not
    /// (n, EmbeddingDim), is refused naming the factory and the modality rather than failing inside phase 1 as if the data
    /// were wrong.</summary>
    private void CheckEncoders(BalancedMultimodalNetwork network)
    {
        bool training = network.training;
        network.eval();
        try
        {
            using var noGrad = no_grad();
            for (int m = 0; m < _data.ModalityCount; m++)
            {
                using var scope = NewDisposeScope();
                var encoder = network.Encoder(m);
                var x = _features[m];
                string modality = $"modality {m} ('{_data.ModalityNames[m]}', {x.shape[1]} features)";
                Tensor h;
                try
                {
                    h = encoder.forward(x);
                }
                catch (Exception e) when (e is ArgumentException or System.Runtime.InteropServices.ExternalException)
                {
                    throw new InvalidOperationException(
                        $"The encoder factory {FactoryName} built for {modality} an encoder ({encoder.GetType().Name}) that refuses that modality's " +
                        $"features of shape ({string.Join(", ", x.shape)}): {WithoutParameter(e)} An encoder must take the requested input width " +
                        $"({x.shape[1]}) and one row per sample ({x.shape[0]}; a graph encoder needs a graph of {x.shape[0]} nodes).", e);
                }
                if (h.dim() != 2 || h.shape[0] != x.shape[0] || h.shape[1] != encoder.EmbeddingDim)
                    throw new InvalidOperationException(
                        $"The encoder factory {FactoryName} built for {modality} an encoder ({encoder.GetType().Name}) that returns embeddings of shape " +
                        $"({string.Join(", ", h.shape)}) for ({string.Join(", ", x.shape)}) features; expected ({x.shape[0]}, {encoder.EmbeddingDim}), " +
                        "one row per sample and its EmbeddingDim columns.");
            }
        }
        finally
        {
            network.train(training);
        }
    }

    /// <summary>An exception's message without the " (Parameter 'x')" suffix .NET appends (the parameter is the encoder's
    /// or the network's, not the caller's).</summary>
    private static string WithoutParameter(Exception e)
    {
        string suffix = e is ArgumentException { ParamName: { } name } ? $" (Parameter '{name}')" : "";
        return suffix.Length > 0 && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
    }

    /// <summary>Fills the per-modality features and rows (see the fields); the tensors it creates are detached from the
    /// caller's dispose scope and recorded in <see cref="_owned"/>.</summary>
    private void PrepareModalityRows(Device device)
    {
        int modalities = _data.ModalityCount;
        _features = new Tensor[modalities];
        _trainRowsOf = new Tensor[modalities];
        _trainMaskOf = new Tensor[modalities];
        _validationRowsOf = new Tensor[modalities];
        _validationLabelsOf = new int[modalities][];
        Tensor Own(Tensor t) { _owned.Add(t.DetachFromDisposeScope()); return t; }
        for (int m = 0; m < modalities; m++)
        {
            if (_data.AvailabilityOf(m) is not { } flags)
            {
                _features[m] = _data.Features[m];
                _trainRowsOf[m] = _trainRows;
                _trainMaskOf[m] = _trainMask;
                _validationRowsOf[m] = _validationRows;
                _validationLabelsOf[m] = _validationLabels;
                continue;
            }
            var present = tensor(flags, device: device);
            // The column means of the available rows replace the others (whatever they hold, NaN included).
            _features[m] = Own(ColumnMeanImputation.Apply(_data.Features[m], flags, _data.ModalityNames[m]));
            var train = _data.TrainRows.Where(r => flags[r]).ToArray();
            var validation = _data.ValidationRows.Where(r => flags[r]).ToArray();
            _trainRowsOf[m] = Own(tensor(train.Select(r => (long)r).ToArray(), device: device));
            _trainMaskOf[m] = Own(_trainMask.logical_and(present));
            _validationRowsOf[m] = Own(tensor(validation.Select(r => (long)r).ToArray(), device: device));
            _validationLabelsOf[m] = validation.Select(r => (int)_data.LabelValues[r]).ToArray();
            var unseen = Enumerable.Range(0, _data.ClassCount).Where(c => !train.Any(r => _data.LabelValues[r] == c)).ToArray();
            if (unseen.Length > 0)
                _logger.LogWarning(
                    "Modality {Modality} is missing on every training row of class(es) {Classes}: its head never sees them, and its missingness itself " +
                    "tells those classes apart; check that the data's missingness does not follow the labels.",
                    _data.ModalityNames[m], string.Join(", ", unseen));
        }
        if (_data.HasMissingRows)
        {
            _availability = Own(stack(Enumerable.Range(0, modalities)
                .Select(m => _data.AvailabilityOf(m) is { } flags ? tensor(flags, device: device) : ones(_data.SampleCount, dtype: ScalarType.Bool, device: device))
                .ToArray(), 1));
            _validationVotes = Own(cat([ones(_data.ValidationRows.Count, 1, dtype: ScalarType.Bool, device: device), _availability.index_select(0, _validationRows)], 1));
        }
    }

    /// <summary>Per modality the rows lacking it (empty when complete), as a checkpoint records them.</summary>
    private int[][] MissingRows() =>
        Enumerable.Range(0, _data.ModalityCount)
            .Select(m => _data.AvailabilityOf(m) is { } flags ? Enumerable.Range(0, flags.Length).Where(r => !flags[r]).ToArray() : [])
            .ToArray();

    /// <summary>Rows of the KL and representation terms of a student and its teacher: those having both modalities
    /// (null: every row).</summary>
    private Tensor? DistillMask(int student, int teacher)
    {
        var a = _data.AvailabilityOf(student);
        var b = _data.AvailabilityOf(teacher);
        if (a is null && b is null) return null;
        return tensor(Enumerable.Range(0, (int)_data.SampleCount).Select(i => (a?[i] ?? true) && (b?[i] ?? true)).ToArray(), device: Device);
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
        var trainLabels = labels.index_select(0, _trainRowsOf[m]);
        var tracker = new CheckpointTracker(network);
        try
        {
            for (int epoch = 1; epoch <= _o.PretrainingEpochs; epoch++)
            {
                _cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                network.train();
                optimizer.ZeroGrad();
                var logits = network.ModalityLogits(m, network.Embed(m, _features[m]));
                var loss = F.cross_entropy(logits.index_select(0, _trainRowsOf[m]), trainLabels, weight: _classWeights);
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
        // With incomplete samples each modality's evidence carries its flags at these rows; the assessor compares two
        // modalities on the rows both have.
        var heldOut = _data.AssessmentRows(validationOnly: false);
        network.eval();
        var outputs = new List<double[,]>();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            for (int m = 0; m < _data.ModalityCount; m++)
            {
                var probabilities = F.softmax(network.ModalityLogits(m, network.Embed(m, _features[m])), 1).to(ScalarType.Float64);
                outputs.Add(probabilities.ToMatrix());
            }
        }
        var assessment = _o.Assessment;
        var assessor = new ModalityAssessor(_estimator, assessment);
        if (!assessment.RequireComplementarity)
            return assessor.Assess(outputs.Select((o, m) => new ModalityEvidence(_data.ModalityNames[m], scores[m], SelectRows(o, heldOut), _data.AvailabilityAt(m, heldOut))).ToArray(), cancellationToken: _cancellation);
        // I(student; labels) needs labels: the validation rows' (held out from fitting, like the scores themselves).
        var rows = _data.AssessmentRows(validationOnly: true);
        var labelled = outputs.Select((o, m) => new ModalityEvidence(_data.ModalityNames[m], scores[m], SelectRows(o, rows), _data.AvailabilityAt(m, rows))).ToArray();
        return assessor.Assess(labelled, rows.Select(r => (int)_data.LabelValues[r]).ToArray(), _cancellation);
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
            teacherEmbedding = network.Embed(teacher, _features[teacher]).detach().MoveToOuterDisposeScope();
            teacherLogits = network.ModalityLogits(teacher, teacherEmbedding).detach().MoveToOuterDisposeScope();
        }
        using var distillMask = DistillMask(student, teacher);
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
                var embedding = network.Embed(student, _features[student]);
                var logits = network.ModalityLogits(student, embedding);
                var terms = loss.Compute(logits, embedding, teacherLogits, teacherEmbedding, labels, _trainMaskOf[student], distillMask, _classWeights);   // null = every row, without index copies
                terms.Total.backward();
                optimizer.Step();
                if (epoch % _o.EvaluationInterval != 0 && epoch != _o.DistillationEpochs) continue;
                var (score, validationLoss) = EvaluateModality(network, student, labels);
                Report(new TrainingProgress(TrainingPhase.Distillation, _data.ModalityNames[student], epoch, _o.DistillationEpochs, Scalar(terms.Total), score, null, null));
                if (!tracker.Offer(score, validationLoss, epoch) && epoch - tracker.BestEpoch >= _o.Patience) break;
            }
            tracker.RestoreBest();
            _logger.LogInformation("Distilled {Teacher} -> {Student}: validation macro-F1 {Before:F4} -> {After:F4}",
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

    /// <summary>
    /// Resolves a performance gate's unset chance level (<see cref="PerformanceGatedWeighterOptions.ChanceLevel"/> null) to
    /// that of the score the run gates with, validation macro-F1 over C classes: c = 1/C, a uniform random guesser's
    /// macro-F1 (METHOD.md section 8: a modality no better than chance is not boosted). An explicit level, 0 included, is
    /// kept. The factory gave the weighter its own copy of the options, so the caller's options are not changed.
    /// </summary>
    private static void ResolveChanceLevel(IModalityLossWeighter weighter, int classCount)
    {
        if (weighter is PerformanceGatedWeighter gated && gated.Options.ChanceLevel is null)
            gated.Options.ChanceLevel = 1.0 / classCount;
    }

    private (int BestEpoch, double FusedScore, IReadOnlyList<double> ModalityScores, IReadOnlyList<double> Weights, IReadOnlyList<double>? PoolingWeights) TrainJointly(
        BalancedMultimodalNetwork network, Tensor labels, DistillationPlan? plan)
    {
        var weighter = new ModalityLossWeighterFactory(_o.Weighting).Create(_data.ModalityCount, Device, DType);
        ResolveChanceLevel(weighter, _data.ClassCount);
        var multitask = new MultitaskLoss(weighter);
        var pairs = DistillationPairs(plan);
        var jointDistillation = JointDistillationOptions();
        var pairMasks = pairs.Select(p => DistillMask(p.Student, p.Teacher)).ToArray();
        var modalityMasks = _data.HasMissingRows ? _trainMaskOf : null;
        var pairLosses = new List<DistillationLoss>();
        try
        {
            foreach (var (student, teacher) in pairs)
                pairLosses.Add(new DistillationLoss((int)network.Encoder(student).EmbeddingDim, (int)network.Encoder(teacher).EmbeddingDim,
                    jointDistillation ?? _o.Distillation, Device, DType));
        }
        catch
        {
            // Built before the try below: a failing constructor must not leak what was made.
            foreach (var l in pairLosses) l.Dispose();
            foreach (var mask in pairMasks) mask?.Dispose();
            throw;
        }
        var parameters = network.parameters()
            .Concat(pairLosses.SelectMany(l => l.parameters()));
        // A weighter's own parameters (the uncertainty policy's log-variances s_m) are not weights of the model: no decay,
        // so the objective stays METHOD.md's sum_m exp(-s_m) L_m + s_m instead of gaining (lambda / 2) sum_m s_m^2.
        var groups = DecayGroups(network, parameters).ToList();
        var weighterParameters = weighter.TrainableParameters.ToList();
        if (weighterParameters.Count > 0) groups.Add(new ParameterGroup(weighterParameters, 0));
        using var optimizer = new ExplicitScalarAdam(groups, _o.LearningRate);
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
                var outputs = network.Forward(_features);
                var distillation = new List<Tensor>();
                if (jointDistillation is not null)
                    for (int p = 0; p < pairs.Count; p++)
                    {
                        var (student, teacher) = pairs[p];
                        var terms = pairLosses[p].Compute(outputs.ModalityLogits[student], outputs.Embeddings[student],
                            outputs.ModalityLogits[teacher], outputs.Embeddings[teacher], labels, _trainMaskOf[student], pairMasks[p], _classWeights);
                        distillation.Add(terms.Total);
                    }
                var total = multitask.Compute(outputs.FusedLogits, outputs.ModalityLogits, labels, _trainMask,
                    distillationLosses: distillation.Count > 0 ? distillation : null, classWeights: _classWeights, modalityLabelledMasks: modalityMasks);
                var objective = _o.UnlabelledEntropyWeight > 0 && _unlabelledRows.numel() > 0
                    ? total.Total.Plus(MeanEntropy(PredictionCombiner.Probabilities(outputs, _o.Prediction, poolingWeights, _availability).index_select(0, _unlabelledRows)).Times(_o.UnlabelledEntropyWeight))
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
            _logger.LogInformation("Phase 2 best fused validation macro-F1 {Score:F4} at epoch {Epoch}; weights {Weights}",
                tracker.BestScore, tracker.BestEpoch, Describe(bestWeights));
            return (tracker.BestEpoch, tracker.BestScore, bestModalityScores, bestWeights, bestPoolingWeights);
        }
        finally
        {
            tracker.Dispose();
            foreach (var l in pairLosses) l.Dispose();
            foreach (var mask in pairMasks) mask?.Dispose();
            (weighter as IDisposable)?.Dispose();
        }
    }

    /// <summary>mean_i H(p_i) = -mean_i sum_c p_ic log p_ic of probabilities (n, C), with 0 log 0 = 0.</summary>
    /// <remarks>The floor 1e-12 is representable in every dtype the trainer accepts (float32, float64, bfloat16);
    /// float16, where it would round to 0 (0 log 0 = 0 * -inf = NaN), is rejected by <see cref="BalancedTrainingData"/>.</remarks>
    private static Tensor MeanEntropy(Tensor probabilities) =>
        -(probabilities * probabilities.ClampedBelow(1e-12).log()).sum(1).mean();

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
        var logits = network.ModalityLogits(m, network.Embed(m, _features[m])).index_select(0, _validationRowsOf[m]);
        return Score(logits, labels, _validationRowsOf[m], _validationLabelsOf[m]);
    }

    /// <summary>Every head's logits on the validation rows, the fused head first (the input of <see cref="HeadPoolingWeights"/>).</summary>
    private Tensor[] ValidationHeads(NetworkOutputs outputs) =>
        new[] { outputs.FusedLogits }.Concat(outputs.ModalityLogits).Select(z => z.index_select(0, _validationRows)).ToArray();

    /// <summary>Validation macro-F1 and loss of the final prediction, each head's validation macro-F1, and (validation-weighted
    /// source only) the head weights measured now, which that prediction used.</summary>
    private (double FusedScore, double FusedLoss, IReadOnlyList<double> ModalityScores, double[]? PoolingWeights) EvaluateJoint(BalancedMultimodalNetwork network, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        var outputs = network.Forward(_features);
        double[]? poolingWeights = null;
        if (_o.Prediction == PredictionSource.AllHeadsValidationWeighted)
        {
            poolingWeights = HeadPoolingWeights.FromValidation(ValidationHeads(outputs), labels.index_select(0, _validationRows), _o.PoolingRule, _o.PoolingWeightShrinkage, _validationVotes);
        }
        var (fusedScore, fusedLoss) = _o.Prediction == PredictionSource.FusedHead
            ? Score(outputs.FusedLogits.index_select(0, _validationRows), labels, _validationRows, _validationLabels)
            : ScoreProbabilities(PredictionCombiner.Probabilities(outputs, _o.Prediction, poolingWeights, _availability).index_select(0, _validationRows), labels);
        var modalityScores = outputs.ModalityLogits.Select((z, m) => Score(z.index_select(0, _validationRowsOf[m]), labels, _validationRowsOf[m], _validationLabelsOf[m]).Score).ToArray();
        return (fusedScore, fusedLoss, modalityScores, poolingWeights);
    }

    /// <summary>Macro-F1 and cross-entropy of logits of the given validation rows (their labels as an array and a tensor).</summary>
    private static (double Score, double Loss) Score(Tensor validationLogits, Tensor labels, Tensor rows, int[] rowLabels)
    {
        var predictions = validationLogits.argmax(1).to(ScalarType.Int64).cpu().data<long>().Select(v => (int)v).ToArray();
        double macroF1 = ClassificationMetrics.MacroF1(rowLabels, predictions);
        double loss = F.cross_entropy(validationLogits, labels.index_select(0, rows)).to(ScalarType.Float64).item<double>();
        return (macroF1, loss);
    }

    /// <summary>Validation macro-F1 of argmax p and the negative log-likelihood -mean log p_y of probabilities p (n_val, C).</summary>
    private (double Score, double Loss) ScoreProbabilities(Tensor validationProbabilities, Tensor labels)
    {
        var predictions = validationProbabilities.argmax(1).to(ScalarType.Int64).cpu().data<long>().Select(v => (int)v).ToArray();
        double macroF1 = ClassificationMetrics.MacroF1(_validationLabels, predictions);
        double loss = F.nll_loss(validationProbabilities.ClampedBelow(1e-12).log(), labels.index_select(0, _validationRows)).to(ScalarType.Float64).item<double>();
        return (macroF1, loss);
    }

    private void Report(TrainingProgress report)
    {
        _history.Add(report);
        _progress?.Report(report);
        _logger.LogDebug("{Phase} {Modality} epoch {Epoch}/{Max}: loss {Loss:F4}, validation macro-F1 {Score:F4}",
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
