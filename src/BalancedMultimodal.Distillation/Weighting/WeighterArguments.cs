using System.Runtime.CompilerServices;
using BalancedMultimodal.Core;
using BalancedMultimodal.Distillation.Losses;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>Argument checks shared by the weighters.</summary>
internal static class WeighterArguments
{
    public static void ModalityCount(int modalityCount)
    {
        if (modalityCount < 1)
            throw new ArgumentOutOfRangeException(nameof(modalityCount), modalityCount, "At least one modality is needed.");
    }

    public static void Scores(IReadOnlyList<double>? scores, int modalityCount, [CallerArgumentExpression(nameof(scores))] string parameterName = "")
    {
        ArgumentNullException.ThrowIfNull(scores, parameterName);
        if (scores.Count != modalityCount)
            throw new ArgumentException($"Expected {modalityCount} scores (one per modality); got {scores.Count}.", parameterName);
        for (int m = 0; m < scores.Count; m++)
        {
            if (!double.IsFinite(scores[m]) || scores[m] < 0)
                throw new ArgumentException($"The score of modality {m} must be a finite number >= 0 (was {scores[m]}).", parameterName);
        }
    }

    public static void Losses(IReadOnlyList<Tensor>? losses, int modalityCount, [CallerArgumentExpression(nameof(losses))] string parameterName = "")
    {
        TensorArgument.ThrowIfNullOrAnyDisposed(losses, parameterName);
        if (losses.Count != modalityCount)
            throw new ArgumentException($"Expected {modalityCount} losses (one per modality); got {losses.Count}.", parameterName);
        for (int m = 0; m < losses.Count; m++)
        {
            var loss = losses[m] ?? throw new ArgumentNullException(parameterName, $"The loss of modality {m} is null.");
            if (loss.numel() != 1)
                throw new ArgumentException($"The loss of modality {m} must be a scalar tensor; it has shape [{string.Join(", ", loss.shape)}].", parameterName);
            if (!loss.is_floating_point())
                throw new ArgumentException($"The loss of modality {m} must be floating point; it is {loss.dtype}.", parameterName);
            if (loss.device.type != losses[0].device.type || loss.device.index != losses[0].device.index)
                throw new ArgumentException($"The loss of modality {m} is on {loss.device}; modality 0's is on {losses[0].device}.", parameterName);
            // Refused rather than converted: the sum would otherwise round every loss to the first one's dtype.
            if (loss.dtype != losses[0].dtype)
                throw new ArgumentException($"The loss of modality {m} ({parameterName}[{m}]) is {loss.dtype}; modality 0's is {losses[0].dtype}. The losses must share one dtype.", parameterName);
        }
        // One device synchronisation for all of them: a NaN or infinite loss would make the weighted sum (and every
        // gradient) NaN without a word.
        using var scope = NewDisposeScope();
        var finite = stack(losses.Select(l => l.detach().reshape(Array.Empty<long>()).isfinite()).ToArray()).cpu().data<bool>().ToArray();
        for (int m = 0; m < finite.Length; m++)
            if (!finite[m])
                throw new ArgumentException($"The loss of modality {m} is {TensorArguments.ScalarText(losses[m])}; a loss must be finite.", parameterName);
    }

    /// <summary>sum_m w_m L_m with fixed (non-learned) weights, on losses <see cref="Losses"/> accepted (one dtype).</summary>
    public static Tensor FixedWeightedSum(IReadOnlyList<Tensor> losses, IReadOnlyList<double> weights)
    {
        using var scope = NewDisposeScope();
        var total = losses[0].reshape(Array.Empty<long>()).Times(weights[0]);
        for (int m = 1; m < losses.Count; m++)
            total = total.Plus(losses[m].reshape(Array.Empty<long>()).Times(weights[m]));
        return total.MoveToOuterDisposeScope();
    }
}
