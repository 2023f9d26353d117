using BalancedMultimodal.Core;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>Turns the outputs of a <see cref="BalancedMultimodalNetwork"/> into the final class probabilities of a
/// <see cref="PredictionSource"/>; the single rule used by training (validation scores, checkpoint choice) and prediction.</summary>
public static class PredictionCombiner
{
    /// <summary>
    /// The class probabilities (n, C) of a source with fixed weights: <see cref="PredictionSource.FusedHead"/> gives
    /// softmax(z); <see cref="PredictionSource.AllHeads"/> gives (softmax(z) + sum_m softmax(z_m)) / (M + 1), where z is
    /// the fused logits and z_m the M modality heads' logits (each (n, C)); <see cref="PredictionSource.AllHeadsGeometricMean"/>
    /// gives softmax((z + sum_m z_m) / (M + 1)), the normalised geometric mean of the same M + 1 softmaxes.
    /// <see cref="PredictionSource.AllHeadsValidationWeighted"/> needs its weights: use
    /// <see cref="Probabilities(NetworkOutputs, PredictionSource, IReadOnlyList{double})"/>.
    /// Same device and dtype as the logits.
    /// </summary>
    /// <param name="outputs">The network's outputs.</param>
    /// <param name="source">Which outputs to combine.</param>
    /// <returns>Probabilities (n, C); every row sums to 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An undefined <paramref name="source"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> is <see cref="PredictionSource.AllHeadsValidationWeighted"/>
    /// (naming <paramref name="source"/>: this overload has no weights), or the logits do not match (see
    /// <see cref="Probabilities(NetworkOutputs, PredictionSource, IReadOnlyList{double})"/>).</exception>
    /// <exception cref="ObjectDisposedException">A tensor of <paramref name="outputs"/> has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names it (<c>outputs.FusedLogits</c> or
    /// <c>outputs.ModalityLogits[m]</c>).</exception>
    public static Tensor Probabilities(NetworkOutputs outputs, PredictionSource source)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (source == PredictionSource.AllHeadsValidationWeighted)
            throw new ArgumentException(
                $"{PredictionSource.AllHeadsValidationWeighted} needs {outputs.ModalityLogits.Count + 1} head weights (the fused head first), which this " +
                "overload does not take; call Probabilities(outputs, source, headWeights) (e.g. with weights from HeadPoolingWeights).", nameof(source));
        return Probabilities(outputs, source, null);
    }

    /// <summary>
    /// The class probabilities (n, C) of <paramref name="source"/>, as <see cref="Probabilities(NetworkOutputs, PredictionSource)"/>;
    /// for <see cref="PredictionSource.AllHeadsValidationWeighted"/>, p = softmax(sum_h w_h z_h / sum_h w_h) over the
    /// heads h = (fused, modality 1, ..., modality M) with the given <paramref name="headWeights"/> (e.g. from
    /// <see cref="HeadPoolingWeights"/>). Same device and dtype as the logits.
    /// </summary>
    /// <param name="outputs">The network's outputs: <see cref="NetworkOutputs.FusedLogits"/> a floating-point (n, C)
    /// matrix and every entry of <see cref="NetworkOutputs.ModalityLogits"/> non-null with the same shape, dtype and device
    /// (checked for every source, so that no mismatch is broadcast).</param>
    /// <param name="source">Which outputs to combine.</param>
    /// <param name="headWeights">M + 1 non-negative finite weights with a positive sum, the fused head first; required
    /// for <see cref="PredictionSource.AllHeadsValidationWeighted"/> and must be null for the other sources.</param>
    /// <returns>Probabilities (n, C); every row sums to 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An undefined <paramref name="source"/>.</exception>
    /// <exception cref="ArgumentException">Weights missing, given to a fixed source, of the wrong count, negative, non-finite
    /// or summing to 0; or logits that are not (n, C) or do not match (the message names <c>outputs.ModalityLogits[m]</c>
    /// and both shapes, dtypes or devices).</exception>
    /// <exception cref="ObjectDisposedException">A tensor of <paramref name="outputs"/> has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names it (<c>outputs.FusedLogits</c> or
    /// <c>outputs.ModalityLogits[m]</c>).</exception>
    public static Tensor Probabilities(NetworkOutputs outputs, PredictionSource source, IReadOnlyList<double>? headWeights) =>
        Probabilities(outputs, source, headWeights, null);

    /// <summary>
    /// The class probabilities (n, C) of <paramref name="source"/> for samples that may lack modalities: a modality head
    /// counts for a row only where the row has that modality (its output there comes from an imputed input); the fused
    /// head counts for every row. With a_im = 1 when row i has modality m and 0 otherwise:
    /// <see cref="PredictionSource.AllHeads"/> gives (softmax(z) + sum_m a_im softmax(z_m)) / (1 + sum_m a_im);
    /// <see cref="PredictionSource.AllHeadsGeometricMean"/> gives softmax((z + sum_m a_im z_m) / (1 + sum_m a_im));
    /// <see cref="PredictionSource.AllHeadsValidationWeighted"/> gives softmax((w_0 z + sum_m w_m a_im z_m) / (w_0 + sum_m w_m a_im)),
    /// and softmax(z) for a row whose available heads all weigh 0; <see cref="PredictionSource.FusedHead"/> is softmax(z).
    /// A null <paramref name="availability"/> (every row has every modality) gives exactly
    /// <see cref="Probabilities(NetworkOutputs, PredictionSource, IReadOnlyList{double})"/>; an availability marking
    /// every row gives the same values to rounding (the geometric mean to the bit). A head's logits at a row lacking its
    /// modality are never read, whatever they hold (NaN included), nor are those of a head of weight 0 (the fused head
    /// included, except in a row whose available heads all weigh 0, which falls back on it); no gradient reaches them.
    /// </summary>
    /// <param name="outputs">The network's outputs (as in the overload without availability).</param>
    /// <param name="source">Which outputs to combine.</param>
    /// <param name="headWeights">As in <see cref="Probabilities(NetworkOutputs, PredictionSource, IReadOnlyList{double})"/>.</param>
    /// <param name="availability">Null, or a boolean (n, M) matrix on the logits' device: entry (i, m) true when row i has
    /// modality m.</param>
    /// <returns>Probabilities (n, C); every row sums to 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An undefined <paramref name="source"/>.</exception>
    /// <exception cref="ArgumentException">As the overload without availability; or an availability that is not a boolean
    /// (n, M) matrix on the logits' device.</exception>
    /// <exception cref="ObjectDisposedException">A tensor of <paramref name="outputs"/> or the availability has been
    /// disposed; <see cref="ObjectDisposedException.ObjectName"/> names it (<c>outputs.FusedLogits</c>,
    /// <c>outputs.ModalityLogits[m]</c> or <c>availability</c>).</exception>
    public static Tensor Probabilities(NetworkOutputs outputs, PredictionSource source, IReadOnlyList<double>? headWeights, Tensor? availability)
    {
        CheckArguments(outputs, source, headWeights, availability);
        if (availability is not null && source != PredictionSource.FusedHead)
            return WithAvailability(outputs, source, headWeights, availability);
        switch (source)
        {
            case PredictionSource.FusedHead:
                return F.softmax(outputs.FusedLogits, 1);
            case PredictionSource.AllHeads:
                using (var scope = NewDisposeScope())
                {
                    var sum = F.softmax(outputs.FusedLogits, 1);
                    foreach (var z in outputs.ModalityLogits) sum = sum.Plus(F.softmax(z, 1));
                    return sum.DividedBy(outputs.ModalityLogits.Count + 1).MoveToOuterDisposeScope();
                }
            case PredictionSource.AllHeadsGeometricMean:
                using (var scope = NewDisposeScope())
                {
                    // Each head divided before the sum: the mean of finite logits is finite, their raw sum may not be
                    // (float16 beyond 65504).
                    double heads = outputs.ModalityLogits.Count + 1;
                    var mean = outputs.FusedLogits.DividedBy(heads);
                    foreach (var z in outputs.ModalityLogits) mean = mean.Plus(z.DividedBy(heads));
                    return F.softmax(mean, 1).MoveToOuterDisposeScope();
                }
            default:
                var weights = CheckWeights(headWeights, outputs.ModalityLogits.Count + 1);
                using (var scope = NewDisposeScope())
                {
                    // A head of weight 0 is skipped (the same sum for finite logits), so it cannot spread a non-finite value.
                    var sum = weights[0] != 0 ? outputs.FusedLogits.Times(weights[0]) : zeros_like(outputs.FusedLogits);
                    for (int m = 0; m < outputs.ModalityLogits.Count; m++)
                        if (weights[m + 1] != 0) sum = sum.Plus(outputs.ModalityLogits[m].Times(weights[m + 1]));
                    return F.softmax(sum, 1).MoveToOuterDisposeScope();
                }
        }
    }

    /// <summary>
    /// How much each head counts in each row's prediction of
    /// <see cref="Probabilities(NetworkOutputs, PredictionSource, IReadOnlyList{double}, Tensor?)"/> (an explanation of a
    /// pooled prediction: which modality said what, with how much say). Over the heads h = (fused, modality 1, ...,
    /// modality M), with a_i0 = 1 and a_im = 1 when row i has modality m (every row when <paramref name="availability"/>
    /// is null), the share is s_ih = w_h a_ih / sum_k w_k a_ik, where w_h are the normalised
    /// <paramref name="headWeights"/> for <see cref="PredictionSource.AllHeadsValidationWeighted"/> and 1 for
    /// <see cref="PredictionSource.AllHeads"/> and <see cref="PredictionSource.AllHeadsGeometricMean"/>;
    /// <see cref="PredictionSource.FusedHead"/>, and a row whose available heads all weigh 0, give the fused head the
    /// whole share (s_i0 = 1). Every row sums to 1, and the pooled prediction is exactly
    /// p_i = sum_h s_ih softmax(z_h)_i for <see cref="PredictionSource.AllHeads"/> (a mixture) and
    /// p_i = softmax(sum_h s_ih z_hi) for the other sources (a log-linear pool: log p_i = sum_h s_ih log softmax(z_h)_i
    /// up to a per-row constant), so s_ih z_hi is head h's contribution to row i's log-odds (Genest and Zidek,
    /// Statistical Science 1986). Same device and dtype as the logits.
    /// </summary>
    /// <param name="outputs">The network's outputs (checked as in the overloads of <c>Probabilities</c>).</param>
    /// <param name="source">The prediction source whose pool is explained.</param>
    /// <param name="headWeights">As in <see cref="Probabilities(NetworkOutputs, PredictionSource, IReadOnlyList{double})"/>:
    /// M + 1 weights for <see cref="PredictionSource.AllHeadsValidationWeighted"/>, null otherwise.</param>
    /// <param name="availability">Null, or a boolean (n, M) matrix on the logits' device (as in the availability overload).</param>
    /// <returns>Shares (n, M + 1), the fused head first; every entry in [0, 1], every row summing to 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An undefined <paramref name="source"/>.</exception>
    /// <exception cref="ArgumentException">As the availability overload of <c>Probabilities</c>.</exception>
    /// <exception cref="ObjectDisposedException">A tensor of <paramref name="outputs"/> or the availability has been
    /// disposed; <see cref="ObjectDisposedException.ObjectName"/> names it (<c>outputs.FusedLogits</c>,
    /// <c>outputs.ModalityLogits[m]</c> or <c>availability</c>).</exception>
    public static Tensor HeadShares(NetworkOutputs outputs, PredictionSource source, IReadOnlyList<double>? headWeights, Tensor? availability)
    {
        CheckArguments(outputs, source, headWeights, availability);
        int modalities = outputs.ModalityLogits.Count;
        var fused = outputs.FusedLogits;
        long rows = fused.shape[0];
        using var scope = NewDisposeScope();
        var fusedOnly = cat([ones(rows, 1, dtype: fused.dtype, device: fused.device), zeros(rows, modalities, dtype: fused.dtype, device: fused.device)], 1);
        if (source == PredictionSource.FusedHead) return fusedOnly.MoveToOuterDisposeScope();
        double[] weights = source == PredictionSource.AllHeadsValidationWeighted
            ? CheckWeights(headWeights, modalities + 1)
            : Enumerable.Repeat(1.0, modalities + 1).ToArray();
        var present = availability is null
            ? ones(rows, modalities + 1, dtype: fused.dtype, device: fused.device)
            : cat([ones(rows, 1, dtype: fused.dtype, device: fused.device), availability.to(fused.dtype)], 1);
        var weighted = present.mul(tensor(weights, dtype: fused.dtype, device: fused.device).unsqueeze(0));
        var total = weighted.sum(1, keepdim: true);
        var positive = total.GreaterThan(0);
        // A row whose voting heads all weigh 0 falls back on the fused head, as the pooled prediction does.
        return where(positive, weighted.div(where(positive, total, ones_like(total))), fusedOnly).MoveToOuterDisposeScope();
    }

    /// <summary>The per-row renormalised pools of the availability overload (every source but the fused head).</summary>
    private static Tensor WithAvailability(NetworkOutputs outputs, PredictionSource source, IReadOnlyList<double>? headWeights, Tensor availability)
    {
        int modalities = outputs.ModalityLogits.Count;
        double[] weights = source == PredictionSource.AllHeadsValidationWeighted
            ? CheckWeights(headWeights, modalities + 1)
            : Enumerable.Repeat(1.0, modalities + 1).ToArray();
        using var scope = NewDisposeScope();
        var fused = outputs.FusedLogits;
        bool arithmetic = source == PredictionSource.AllHeads;
        var fusedTerm = arithmetic ? F.softmax(fused, 1) : fused;
        var present = Enumerable.Range(0, modalities).Select(m => availability.select(1, m).to(fused.dtype).Times(weights[m + 1])).ToArray();
        // The fused head's weight as a Scalar freed right after use: an implicit one is left to the finalizer, whose race
        // with the native call aborted a loop of predictions (docs/native-runtime.md).
        Tensor denominator;
        using (var fusedWeight = weights[0].ToScalar())
            denominator = full(fused.shape[0], fusedWeight, dtype: fused.dtype, device: fused.device);
        foreach (var p in present) denominator = denominator.Plus(p);
        var positive = denominator.GreaterThan(0).unsqueeze(1);
        // A row whose voting heads all weigh 0 divides by 1 instead (its pooled value is discarded below): dividing 0 by 0,
        // even in a discarded branch, would send NaN into the gradients.
        var divisor = where(positive.squeeze(1), denominator, ones_like(denominator)).unsqueeze(1);
        // The logits of a row lacking a modality are replaced by 0 before any use, so whatever they hold (NaN, as a
        // loader's placeholder would give) reaches neither the pool nor the gradients; the row's weight there is 0.
        Tensor Head(int m)
        {
            var logits = outputs.ModalityLogits[m];
            var selected = where(availability.select(1, m).unsqueeze(1), logits, zeros_like(logits));
            return arithmetic ? F.softmax(selected, 1) : selected;
        }
        Tensor pooled;
        if (arithmetic)
        {
            // Probabilities (at most 1) summed, then divided, as the pool without availability does.
            var sum = weights[0] != 0 ? fusedTerm.Times(weights[0]) : zeros_like(fusedTerm);
            for (int m = 0; m < modalities; m++)
                if (weights[m + 1] != 0) sum = sum.Plus(Head(m).mul(present[m].unsqueeze(1)));
            pooled = sum.div(divisor);
        }
        else
        {
            // Logits: each weighted head divided before the sum, as the geometric pool without availability does, so
            // the partial sums of this convex combination stay finite for finite logits (the raw sum of logits near the
            // dtype's limit overflowed to NaN).
            pooled = weights[0] != 0 ? fusedTerm.Times(weights[0]).div(divisor) : zeros_like(fusedTerm);
            for (int m = 0; m < modalities; m++)
                if (weights[m + 1] != 0) pooled = pooled.Plus(Head(m).mul(present[m].unsqueeze(1)).div(divisor));
        }
        if (arithmetic)
            return pooled.MoveToOuterDisposeScope();   // the fused head's weight is 1 > 0: every row has a positive denominator
        return F.softmax(where(positive, pooled, fused), 1).MoveToOuterDisposeScope();
    }

    /// <summary>The checks shared by <c>Probabilities</c> and <see cref="HeadShares"/> (the weights' values are checked
    /// where they are used).</summary>
    private static void CheckArguments(NetworkOutputs outputs, PredictionSource source, IReadOnlyList<double>? headWeights, Tensor? availability)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.FusedLogits is not null) TensorArgument.ThrowIfNullOrDisposed(outputs.FusedLogits);
        if (outputs.ModalityLogits is not null) TensorArgument.ThrowIfNullOrAnyDisposed(outputs.ModalityLogits);
        if (availability is not null) TensorArgument.ThrowIfNullOrDisposed(availability);
        CheckLogits(outputs);
        if (availability is not null) CheckAvailability(availability, outputs);
        if (!Enum.IsDefined(source))
            throw new ArgumentOutOfRangeException(nameof(source), source, $"Unknown {nameof(PredictionSource)}.");
        if (source != PredictionSource.AllHeadsValidationWeighted && headWeights is not null)
            throw new ArgumentException($"{source} has fixed head weights; pass null instead of {headWeights.Count} weights.", nameof(headWeights));
    }

    /// <summary>Requires a boolean (n, M) availability on the logits' device.</summary>
    private static void CheckAvailability(Tensor availability, NetworkOutputs outputs)
    {
        var fused = outputs.FusedLogits;
        if (availability.dtype != ScalarType.Bool || availability.dim() != 2
            || availability.shape[0] != fused.shape[0] || availability.shape[1] != outputs.ModalityLogits.Count)
            throw new ArgumentException(
                $"availability must be a boolean ({fused.shape[0]}, {outputs.ModalityLogits.Count}) matrix (rows x modalities), got {availability.dtype} of shape [{string.Join(", ", availability.shape)}].",
                nameof(availability));
        if (availability.device_type != fused.device_type || availability.device_index != fused.device_index)
            throw new ArgumentException($"availability is on {availability.device} but the logits are on {fused.device}.", nameof(availability));
    }

    /// <summary>Requires (n, C) floating-point fused logits and modality logits of the same shape, dtype and device.</summary>
    private static void CheckLogits(NetworkOutputs outputs)
    {
        var fused = outputs.FusedLogits;
        if (fused.dim() != 2 || !fused.is_floating_point())
            throw new ArgumentException($"outputs.FusedLogits must be a floating-point (n, C) matrix, got {fused.dtype} of shape [{string.Join(", ", fused.shape)}].", nameof(outputs));
        for (int m = 0; m < outputs.ModalityLogits.Count; m++)
        {
            var z = outputs.ModalityLogits[m] ?? throw new ArgumentException($"outputs.ModalityLogits[{m}] is null.", nameof(outputs));
            if (!z.shape.SequenceEqual(fused.shape))
                throw new ArgumentException(
                    $"outputs.ModalityLogits[{m}] has shape [{string.Join(", ", z.shape)}] but outputs.FusedLogits has [{string.Join(", ", fused.shape)}]; every head gives (n, C) logits of the same rows and classes.",
                    nameof(outputs));
            if (z.dtype != fused.dtype)
                throw new ArgumentException($"outputs.ModalityLogits[{m}] is {z.dtype} but outputs.FusedLogits is {fused.dtype}.", nameof(outputs));
            if (z.device_type != fused.device_type || z.device_index != fused.device_index)
                throw new ArgumentException($"outputs.ModalityLogits[{m}] is on {z.device} but outputs.FusedLogits is on {fused.device}.", nameof(outputs));
        }
    }

    /// <summary>Checks the weights and returns them divided by their sum.</summary>
    private static double[] CheckWeights(IReadOnlyList<double>? headWeights, int heads)
    {
        if (headWeights is null)
            throw new ArgumentException($"{PredictionSource.AllHeadsValidationWeighted} needs {heads} head weights (the fused head first).", nameof(headWeights));
        if (headWeights.Count != heads)
            throw new ArgumentException($"Expected {heads} head weights (the fused head and {heads - 1} modality heads), got {headWeights.Count}.", nameof(headWeights));
        for (int h = 0; h < heads; h++)
            if (!double.IsFinite(headWeights[h]) || headWeights[h] < 0)
                throw new ArgumentException($"Head weight {h} must be finite and non-negative, got {headWeights[h]}.", nameof(headWeights));
        double total = headWeights.Sum();
        if (total <= 0) throw new ArgumentException("The head weights sum to 0; at least one head needs a positive weight.", nameof(headWeights));
        return headWeights.Select(w => w / total).ToArray();
    }
}
