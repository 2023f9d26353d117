using BalancedMultimodal.Distillation.Assessment;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>The outcome of <see cref="BalancedTrainer.Fit(BalancedTrainingData, IProgress{TrainingProgress}, CancellationToken)"/>: the trained network at its best checkpoint, its
/// predictions for every row, and what happened on the way (scores, plan, weights, history).</summary>
/// <remarks>The result owns its network and probability tensors: none of them belongs to a <c>torch.NewDisposeScope()</c>
/// (a result made inside the caller's scope stays whole after the scope ends) and <see cref="Dispose"/> frees them all.
/// A tensor read from a member is the result's own, not a copy: do not dispose it, and clone it to keep it beyond the
/// result.</remarks>
public sealed class BalancedTrainingResult : IDisposable
{
    internal BalancedTrainingResult(
        BalancedMultimodalNetwork network,
        Tensor fusedProbabilities,
        IReadOnlyList<Tensor> modalityProbabilities,
        Tensor predictedProbabilities,
        IReadOnlyList<string> modalityNames,
        IReadOnlyList<double> pretrainingScores,
        IReadOnlyList<double> distilledScores,
        IReadOnlyList<double> finalModalityScores,
        double fusedValidationScore,
        DistillationPlan? plan,
        IReadOnlyList<double> finalWeights,
        IReadOnlyList<TrainingProgress> history,
        int bestJointEpoch)
    {
        _network = network;
        _fusedProbabilities = fusedProbabilities;
        _modalityProbabilities = modalityProbabilities;
        _predictedProbabilities = predictedProbabilities;
        ModalityNames = modalityNames;
        PretrainingScores = pretrainingScores;
        DistilledScores = distilledScores;
        FinalModalityScores = finalModalityScores;
        FusedValidationScore = fusedValidationScore;
        Plan = plan;
        FinalWeights = finalWeights;
        History = history;
        BestJointEpoch = bestJointEpoch;
    }

    /// <summary>The trained network, at the joint-phase checkpoint with the best validation macro-F1 of the configured
    /// prediction (<see cref="BalancedTrainingOptions.Prediction"/>; ties: the lower validation cross-entropy), in eval mode.</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed (the scores, plan and history stay readable).</exception>
    public BalancedMultimodalNetwork Network => Alive(_network);

    /// <summary>Class probabilities of the fused classifier for every row, (n, C).</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed.</exception>
    public Tensor FusedProbabilities => Alive(_fusedProbabilities);

    /// <summary>Class probabilities of each modality's head for every row, each (n, C).</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed.</exception>
    public IReadOnlyList<Tensor> ModalityProbabilities => Alive(_modalityProbabilities);

    /// <summary>The final class probabilities for every row, (n, C): <see cref="FusedProbabilities"/> or the fused and
    /// modality heads pooled, as <see cref="BalancedTrainingOptions.Prediction"/> says (<see cref="PredictionCombiner"/>,
    /// with <see cref="PoolingWeights"/> for the validation-weighted source). This is what the checkpoint was chosen on.</summary>
    /// <exception cref="ObjectDisposedException">The result was disposed.</exception>
    public Tensor PredictedProbabilities => Alive(_predictedProbabilities);

    /// <summary>Modality names, in order.</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Validation macro-F1 of each modality after phase 1.</summary>
    public IReadOnlyList<double> PretrainingScores { get; }

    /// <summary>Validation macro-F1 of each modality after distillation (equal to the phase-1 score where no transfer happened or it did not help).</summary>
    public IReadOnlyList<double> DistilledScores { get; }

    /// <summary>Validation macro-F1 of each modality's head at the chosen joint checkpoint.</summary>
    public IReadOnlyList<double> FinalModalityScores { get; }

    /// <summary>Validation macro-F1 of the final prediction (<see cref="PredictedProbabilities"/>) at the chosen checkpoint.</summary>
    public double FusedValidationScore { get; }

    /// <summary>The distillation plan (null when distillation is disabled).</summary>
    public DistillationPlan? Plan { get; }

    /// <summary>Per-modality loss weights as the performance gate set them from the validation scores of the chosen joint
    /// checkpoint (i.e. after that evaluation's update: the weights the next epochs would have used).</summary>
    public IReadOnlyList<double> FinalWeights { get; }

    /// <summary>Every evaluation step of every phase, in order.</summary>
    public IReadOnlyList<TrainingProgress> History { get; }

    /// <summary>1-based joint epoch of the chosen checkpoint.</summary>
    public int BestJointEpoch { get; }

    /// <summary>For <see cref="PredictionSource.AllHeadsValidationWeighted"/>: the head weights (fused head first, then
    /// one per modality; summing to 1) measured on validation at the chosen checkpoint (<see cref="HeadPoolingWeights"/>),
    /// which <see cref="PredictedProbabilities"/> used and a caller needs to pool new outputs the same way
    /// (<see cref="PredictionCombiner.Probabilities(NetworkOutputs, PredictionSource, IReadOnlyList{double})"/>);
    /// null for the sources with fixed weights.</summary>
    public IReadOnlyList<double>? PoolingWeights { get; init; }

    /// <summary>Disposes the network and the probability tensors; afterwards those members throw
    /// <see cref="ObjectDisposedException"/>, while the scores, plan, weights and history stay readable. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _fusedProbabilities.Dispose();
        _predictedProbabilities.Dispose();
        foreach (var p in _modalityProbabilities) p.Dispose();
        _network.Dispose();
    }

    private readonly BalancedMultimodalNetwork _network;
    private readonly Tensor _fusedProbabilities;
    private readonly IReadOnlyList<Tensor> _modalityProbabilities;
    private readonly Tensor _predictedProbabilities;
    private bool _disposed;

    private T Alive<T>(T member) => _disposed
        ? throw new ObjectDisposedException(nameof(BalancedTrainingResult),
            "The training result was disposed, and with it its network and probability tensors; read them before disposing the result.")
        : member;
}
