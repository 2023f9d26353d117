using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>
/// A policy that weights the per-modality losses of multitask training: L_modalities = sum_m w_m L_m
/// (METHOD.md section 8). Implementations: <see cref="PerformanceGatedWeighter"/>, <see cref="UniformWeighter"/>,
/// <see cref="OgmGeWeighter"/> and the learned <see cref="UncertaintyWeighter"/>.
/// </summary>
/// <remarks>Call <see cref="Update"/> once per evaluation step with the modalities' current scores, and
/// <see cref="WeightedLoss"/> at every training step. Weighters are not thread-safe.</remarks>
public interface IModalityLossWeighter
{
    /// <summary>A short, stable name of the policy (e.g. <c>performance-gated</c>), for logs.</summary>
    string Name { get; }

    /// <summary>The number of modalities M.</summary>
    int ModalityCount { get; }

    /// <summary>The current weights w_1..w_M (all 1 before the first update, except where a policy says otherwise).</summary>
    IReadOnlyList<double> Weights { get; }

    /// <summary>Tensors the caller's optimiser must train (empty for policies without learned parameters).</summary>
    IReadOnlyList<Parameter> TrainableParameters { get; }

    /// <summary>Updates the weights from per-modality scores (e.g. validation macro-F1), one per modality, finite and &gt;= 0.</summary>
    /// <param name="scores">s_1..s_M in modality order.</param>
    /// <exception cref="ArgumentException">Wrong count, or a score that is negative or not finite (naming the modality index).</exception>
    void Update(IReadOnlyList<double> scores);

    /// <summary>Combines the per-modality losses: sum_m w_m L_m (the learned policy adds its regulariser).</summary>
    /// <param name="modalityLosses">L_1..L_M, 0-d tensors of one floating dtype on one device; gradient flows through
    /// them. Losses of different dtypes are refused, not converted to a common one.</param>
    /// <returns>A 0-d tensor with the losses' dtype and device.</returns>
    /// <exception cref="ArgumentException">Not one scalar floating loss per modality of one dtype on one device (naming
    /// the first modality index that differs from modality 0), or a loss that is NaN or infinite (naming the modality
    /// index); <see cref="UncertaintyWeighter"/> also refuses losses of another dtype than its log-variances.</exception>
    /// <exception cref="ObjectDisposedException">A loss in <paramref name="modalityLosses"/> has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> is <c>modalityLosses[m]</c>.</exception>
    Tensor WeightedLoss(IReadOnlyList<Tensor> modalityLosses);
}
