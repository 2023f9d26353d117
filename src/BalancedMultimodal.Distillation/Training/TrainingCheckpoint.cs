using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>
/// The phase-boundary checkpoint of <see cref="BalancedTrainer"/>: the state right after phase 1 (every modality
/// pretrained), from which a run resumes and ends exactly as an uninterrupted run with the same seed.
/// </summary>
/// <remarks>
/// Pass an empty checkpoint to <see cref="BalancedTrainer.Fit(BalancedTrainingData, TrainingCheckpoint, IProgress{TrainingProgress}, CancellationToken)"/>:
/// the trainer fills it as soon as phase 1 ends (before assessment, distillation and phase 2), so it survives a
/// cancellation or failure later in the run. Passing the filled checkpoint to a later <c>Fit</c> (any trainer with the
/// same options and encoder factory) skips phase 1: the network is built exactly as in a fresh run (its encoders draw
/// their initial weights from the seeded generator), then its state (parameters and buffers, i.e. the
/// <c>state_dict</c>) is overwritten with the saved one, the phase-1 scores and progress reports are restored, and
/// TorchSharp's process-wide CPU generator is set back to the saved state (<c>torch.random.set_rng_state</c>, as
/// <c>torch.set_rng_state</c> in PyTorch), so that dropout in the later phases draws the same numbers.
/// The checkpoint holds detached copies of the tensors (on the training device); dispose it when done.
/// </remarks>
public sealed class TrainingCheckpoint : IDisposable
{
    private readonly Dictionary<string, Tensor> _networkState = new(StringComparer.Ordinal);
    private Tensor? _generatorState;
    private string[] _modalityNames = Array.Empty<string>();
    private double[] _pretrainingScores = Array.Empty<double>();
    private TrainingProgress[] _pretrainingHistory = Array.Empty<TrainingProgress>();

    /// <summary>True once a run has saved its phase-1 state here; a <c>Fit</c> given a filled checkpoint resumes from it.</summary>
    public bool IsFilled { get; private set; }

    /// <summary>The seed (<see cref="BalancedTrainingOptions.Seed"/>) of the run that filled the checkpoint.</summary>
    public int Seed { get; private set; }

    /// <summary>The modality names of the run that filled the checkpoint, in order.</summary>
    public IReadOnlyList<string> ModalityNames => _modalityNames;

    /// <summary>The phase-1 validation macro-F1 of each modality (same order as <see cref="ModalityNames"/>).</summary>
    public IReadOnlyList<double> PretrainingScores => _pretrainingScores;

    /// <summary>The progress reports of phase 1, replayed into the resumed run's history.</summary>
    public IReadOnlyList<TrainingProgress> PretrainingHistory => _pretrainingHistory;

    /// <summary>Names of the saved network state entries (parameters and buffers).</summary>
    public IReadOnlyCollection<string> NetworkStateNames => _networkState.Keys;

    internal void Save(int seed, IReadOnlyList<string> modalityNames, nn.Module network, IReadOnlyList<double> pretrainingScores,
        IReadOnlyList<TrainingProgress> history)
    {
        Clear();
        using (no_grad())
            foreach (var (name, value) in network.state_dict())
                _networkState[name] = value.detach().clone().DetachFromDisposeScope();
        _generatorState = random.get_rng_state().DetachFromDisposeScope();
        Seed = seed;
        _modalityNames = modalityNames.ToArray();
        _pretrainingScores = pretrainingScores.ToArray();
        _pretrainingHistory = history.ToArray();
        IsFilled = true;
    }

    /// <summary>Checks that the checkpoint fits the run before any state is changed; throws naming the mismatch.</summary>
    internal void Validate(int seed, IReadOnlyList<string> modalityNames, nn.Module network, string parameterName)
    {
        if (!IsFilled) throw new ArgumentException("The checkpoint is empty; it cannot be resumed from.", parameterName);
        if (seed != Seed)
            throw new ArgumentException($"The checkpoint was written with Seed {Seed}, but the options have Seed {seed}.", parameterName);
        if (!modalityNames.SequenceEqual(_modalityNames, StringComparer.Ordinal))
            throw new ArgumentException(
                $"The checkpoint was written for modalities [{string.Join(", ", _modalityNames)}], but the data has [{string.Join(", ", modalityNames)}].",
                parameterName);
        var state = network.state_dict();
        foreach (var (name, target) in state)
        {
            if (!_networkState.TryGetValue(name, out var saved))
                throw new ArgumentException($"The checkpoint has no network state '{name}'; it was written by a different network.", parameterName);
            if (!saved.shape.SequenceEqual(target.shape))
                throw new ArgumentException(
                    $"Network state '{name}' has shape [{string.Join(", ", saved.shape)}] in the checkpoint but [{string.Join(", ", target.shape)}] in this network.",
                    parameterName);
            if (saved.dtype != target.dtype)
                throw new ArgumentException($"Network state '{name}' has dtype {saved.dtype} in the checkpoint but {target.dtype} in this network.", parameterName);
        }
        var extra = _networkState.Keys.FirstOrDefault(k => !state.ContainsKey(k));
        if (extra is not null)
            throw new ArgumentException($"The checkpoint has network state '{extra}' that this network lacks; it was written by a different network.", parameterName);
    }

    /// <summary>Copies the saved network state into the network and sets the global generator state.</summary>
    internal void Restore(nn.Module network)
    {
        using (no_grad())
            foreach (var (name, target) in network.state_dict())
                target.copy_(_networkState[name]);
        random.set_rng_state(_generatorState!);
    }

    /// <summary>Releases the saved tensors and empties the checkpoint.</summary>
    public void Dispose() => Clear();

    private void Clear()
    {
        foreach (var t in _networkState.Values) t.Dispose();
        _networkState.Clear();
        _generatorState?.Dispose();
        _generatorState = null;
        IsFilled = false;
    }
}
