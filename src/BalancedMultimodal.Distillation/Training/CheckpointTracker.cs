namespace BalancedMultimodal.Distillation.Training;

/// <summary>
/// Early-stopping bookkeeping: keeps a snapshot of the module at its best validation score (higher macro-F1 wins;
/// on equal macro-F1 the lower validation cross-entropy wins).
/// </summary>
internal sealed class CheckpointTracker : IDisposable
{
    private readonly TorchSharp.torch.nn.Module _module;
    private ModuleSnapshot? _best;

    public CheckpointTracker(TorchSharp.torch.nn.Module module) => _module = module;

    public double BestScore { get; private set; } = double.NegativeInfinity;

    public double BestLoss { get; private set; } = double.PositiveInfinity;

    public int BestEpoch { get; private set; }

    /// <summary>Records a validation result; snapshots the module and returns true when it is the best so far.</summary>
    public bool Offer(double score, double loss, int epoch)
    {
        bool better = score > BestScore || (score == BestScore && loss < BestLoss);
        if (!better) return false;
        BestScore = score;
        BestLoss = loss;
        BestEpoch = epoch;
        _best?.Dispose();
        _best = ModuleSnapshot.Capture(_module);
        return true;
    }

    /// <summary>Puts the best snapshot back into the module.</summary>
    public void RestoreBest() => _best?.Restore(_module);

    public void Dispose() => _best?.Dispose();
}
