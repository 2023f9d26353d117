using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>The model trained on one cross-fitted fold: its network (over the cohort graph) and what training chose.</summary>
public sealed class TrainedFold : IDisposable
{
    /// <summary>Wraps one fold's network (taking ownership of it).</summary>
    /// <param name="fold">Fold index.</param>
    /// <param name="validationRows">Cohort rows the fold validated on.</param>
    /// <param name="network">The trained network, bound to the cohort graph.</param>
    /// <param name="plan">The distillation plan (null when distillation was off).</param>
    /// <param name="finalWeights">Per-modality loss weights at the chosen checkpoint.</param>
    /// <param name="fusedValidationScore">Fused validation macro-F1 at the chosen checkpoint.</param>
    /// <param name="bestJointEpoch">1-based joint epoch of the chosen checkpoint.</param>
    /// <param name="poolingWeights">The pooled prediction's head weights at the chosen checkpoint (fused head first), for
    /// <see cref="PredictionSource.AllHeadsValidationWeighted"/>; null for the sources with fixed weights.</param>
    public TrainedFold(int fold, IReadOnlyList<int> validationRows, BalancedMultimodalNetwork network, DistillationPlan? plan,
        IReadOnlyList<double> finalWeights, double fusedValidationScore, int bestJointEpoch, IReadOnlyList<double>? poolingWeights = null)
    {
        ArgumentNullException.ThrowIfNull(validationRows);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(finalWeights);
        Fold = fold;
        ValidationRows = validationRows.ToArray();
        Network = network;
        Plan = plan;
        FinalWeights = finalWeights.ToArray();
        FusedValidationScore = fusedValidationScore;
        BestJointEpoch = bestJointEpoch;
        PoolingWeights = poolingWeights?.ToArray();
    }

    /// <summary>Fold index.</summary>
    public int Fold { get; }

    /// <summary>Cohort rows the fold validated on.</summary>
    public IReadOnlyList<int> ValidationRows { get; }

    /// <summary>The trained network (eval mode), bound to the cohort graph.</summary>
    public BalancedMultimodalNetwork Network { get; }

    /// <summary>The distillation plan (null when distillation was off).</summary>
    public DistillationPlan? Plan { get; }

    /// <summary>Per-modality loss weights at the chosen checkpoint.</summary>
    public IReadOnlyList<double> FinalWeights { get; }

    /// <summary>Fused validation macro-F1 at the chosen checkpoint.</summary>
    public double FusedValidationScore { get; }

    /// <summary>1-based joint epoch of the chosen checkpoint.</summary>
    public int BestJointEpoch { get; }

    /// <summary>The pooled prediction's head weights (fused head first), for
    /// <see cref="PredictionSource.AllHeadsValidationWeighted"/>; else null.</summary>
    public IReadOnlyList<double>? PoolingWeights { get; }

    /// <summary>Disposes the network.</summary>
    public void Dispose() => Network.Dispose();
}
