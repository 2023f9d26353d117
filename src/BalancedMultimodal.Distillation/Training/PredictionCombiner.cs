using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>Turns the outputs of a <see cref="BalancedMultimodalNetwork"/> into the final class probabilities of a
/// <see cref="PredictionSource"/>; the single rule used by training (validation scores, checkpoint choice) and prediction.</summary>
public static class PredictionCombiner
{
    /// <summary>
    /// The class probabilities (n, C): <see cref="PredictionSource.FusedHead"/> gives softmax(z);
    /// <see cref="PredictionSource.AllHeads"/> gives (softmax(z) + sum_m softmax(z_m)) / (M + 1), where z is the fused
    /// logits and z_m the M modality heads' logits (each (n, C)); <see cref="PredictionSource.AllHeadsGeometricMean"/>
    /// gives softmax((z + sum_m z_m) / (M + 1)), the normalised geometric mean of the same M + 1 softmaxes.
    /// Same device and dtype as the logits.
    /// </summary>
    /// <param name="outputs">The network's outputs.</param>
    /// <param name="source">Which outputs to combine.</param>
    /// <returns>Probabilities (n, C); every row sums to 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An undefined <paramref name="source"/>.</exception>
    public static Tensor Probabilities(NetworkOutputs outputs, PredictionSource source)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        switch (source)
        {
            case PredictionSource.FusedHead:
                return F.softmax(outputs.FusedLogits, 1);
            case PredictionSource.AllHeads:
                using (var scope = NewDisposeScope())
                {
                    var sum = F.softmax(outputs.FusedLogits, 1);
                    foreach (var z in outputs.ModalityLogits) sum = sum + F.softmax(z, 1);
                    return sum.div(outputs.ModalityLogits.Count + 1).MoveToOuterDisposeScope();
                }
            case PredictionSource.AllHeadsGeometricMean:
                using (var scope = NewDisposeScope())
                {
                    var sum = outputs.FusedLogits;
                    foreach (var z in outputs.ModalityLogits) sum = sum + z;
                    return F.softmax(sum / (outputs.ModalityLogits.Count + 1), 1).MoveToOuterDisposeScope();
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, $"Unknown {nameof(PredictionSource)}.");
        }
    }
}
