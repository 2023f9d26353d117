using BalancedMultimodal.Core;
using MathNet.Numerics.Statistics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>
/// The head weights of <see cref="PredictionSource.AllHeadsValidationWeighted"/>: each head (the fused classifier
/// first, then one per modality) is weighted by how much it beats the uniform guess on the validation rows.
/// </summary>
/// <remarks>
/// For head h with validation logits z_h (n_val, C) and labels y, the information gain over the uniform prediction is
/// g_h = max(0, ln C - CE_h), CE_h = -(1/n_val) sum_i log softmax(z_h)_{i, y_i} (nats; ln C is the cross-entropy of
/// the uniform guess), and the weights are w_h = g_h / sum_k g_k. A head that is no better than chance on validation
/// (or worse: over-confident and wrong) gets weight 0, so it cannot dilute the others; when no head beats chance the
/// weights are uniform, 1 / H (a gain within 32 ulps of ln C in the cross-entropies' dtype, the rounding of a head at
/// chance, counts as 0). This is a one-parameter-per-head stacking rule in the spirit of Breiman,
/// "Stacked regressions", Machine Learning 24 (1996) (non-negative weights), with the gain in log-loss instead of a
/// least-squares fit so that it cannot overfit the small validation split.
/// <para>With a shrinkage lambda in [0, 1] the weights are pulled towards equal ones, w_h = lambda / H + (1 - lambda)
/// g_h / sum_k g_k (the usual convex shrinkage of an estimate towards a fixed target, as in James-Stein or
/// Ledoit-Wolf): lambda = 0 is the pure gain rule, lambda = 1 equal weights. A near-chance head then keeps lambda / H
/// instead of 0, in exchange for weights that move less with the few validation rows they are measured on.</para>
/// <para>That is the default rule, <see cref="HeadPoolingRule.InformationGain"/>. <see cref="HeadPoolingRule.ValidationEvidence"/>
/// instead weighs each head by how many standard errors its per-row validation cross-entropy lies behind the best
/// head's, r_h proportional to exp(-max(0, d_h / s_h)); the shrinkage applies to either rule's normalised weights.</para>
/// </remarks>
public static class HeadPoolingWeights
{
    /// <summary>
    /// w_h = lambda / H + (1 - lambda) g_h / sum_k g_k with g_h = max(0, ln C - CE(z_h, y)) and lambda =
    /// <paramref name="shrinkage"/>; uniform (1 / H) when every g_h is 0. The same as
    /// <see cref="FromValidation(IReadOnlyList{Tensor}, Tensor, HeadPoolingRule, double)"/> with
    /// <see cref="HeadPoolingRule.InformationGain"/>.
    /// </summary>
    /// <param name="validationLogits">Each head's logits on the validation rows, (n_val, C) each, the fused head first;
    /// all on one device and dtype.</param>
    /// <param name="validationLabels">Class indices of the validation rows, (n_val), int64, in [0, C).</param>
    /// <param name="shrinkage">lambda in [0, 1]: how far the gain weights are pulled towards equal weights. Default 0
    /// (the pure gain rule).</param>
    /// <returns>One non-negative weight per head, summing to 1.</returns>
    /// <exception cref="ArgumentException">No heads, heads of different shapes, no rows, a label count or range that does not
    /// match, or non-finite logits (the offending head is named by its index).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shrinkage"/> is not a number in [0, 1].</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="validationLogits"/>
    /// has been disposed; <see cref="ObjectDisposedException.ObjectName"/> names the parameter
    /// (<c>validationLogits[i]</c> for an entry).</exception>
    public static double[] FromValidation(IReadOnlyList<Tensor> validationLogits, Tensor validationLabels, double shrinkage = 0) =>
        FromValidation(validationLogits, validationLabels, HeadPoolingRule.InformationGain, shrinkage);

    /// <summary>
    /// w_h = lambda / H + (1 - lambda) r_h, r_h the weights of <paramref name="rule"/> (<see cref="HeadPoolingRule"/>:
    /// the information gain over the uniform guess, or the evidence factor exp(-max(0, d_h / s_h)) of the head's paired
    /// cross-entropy deficit to the best head), normalised to sum 1, and lambda = <paramref name="shrinkage"/>.
    /// </summary>
    /// <param name="validationLogits">Each head's logits on the validation rows, (n_val, C) each, the fused head first;
    /// all on one device and dtype.</param>
    /// <param name="validationLabels">Class indices of the validation rows, (n_val), int64, in [0, C).</param>
    /// <param name="rule">How the validation cross-entropies become weights.</param>
    /// <param name="shrinkage">lambda in [0, 1]: how far the rule's weights are pulled towards equal weights.</param>
    /// <returns>One non-negative weight per head, summing to 1.</returns>
    /// <exception cref="ArgumentException">No heads, heads of different shapes, no rows, a label count or range that does not
    /// match, or non-finite logits (the offending head is named by its index).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shrinkage"/> is not a number in [0, 1], or
    /// <paramref name="rule"/> is not a defined <see cref="HeadPoolingRule"/>.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="validationLogits"/>
    /// has been disposed; <see cref="ObjectDisposedException.ObjectName"/> names the parameter
    /// (<c>validationLogits[i]</c> for an entry).</exception>
    public static double[] FromValidation(IReadOnlyList<Tensor> validationLogits, Tensor validationLabels, HeadPoolingRule rule, double shrinkage) =>
        FromValidation(validationLogits, validationLabels, rule, shrinkage, null);

    /// <summary>
    /// As <see cref="FromValidation(IReadOnlyList{Tensor}, Tensor, HeadPoolingRule, double)"/>, for validation rows that may
    /// lack modalities: each head is scored on the rows where it votes in the pooled prediction (<see cref="PredictionCombiner"/>'s
    /// availability overload), CE_h over the rows with availability (i, h) true; the evidence rule pairs a head with the
    /// best one over the rows both have (no evidence against a head with fewer than two such rows). A null
    /// <paramref name="availability"/> gives exactly the overload without it.
    /// </summary>
    /// <param name="validationLogits">Each head's logits on the validation rows, (n_val, C) each, the fused head first.</param>
    /// <param name="validationLabels">Class indices of the validation rows, (n_val), int64, in [0, C).</param>
    /// <param name="rule">How the validation cross-entropies become weights.</param>
    /// <param name="shrinkage">lambda in [0, 1]: how far the rule's weights are pulled towards equal weights.</param>
    /// <param name="availability">Null, or a boolean (n_val, H) matrix: entry (i, h) true when head h votes for row i
    /// (the fused head, column 0, for every row); every head needs at least one row.</param>
    /// <returns>One non-negative weight per head, summing to 1.</returns>
    /// <exception cref="ArgumentException">As the overload without availability, or an availability that is not a
    /// boolean (n_val, H) matrix or leaves a head without a row (naming it).</exception>
    /// <exception cref="ArgumentOutOfRangeException">As the overload without availability.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="validationLogits"/>
    /// has been disposed; <see cref="ObjectDisposedException.ObjectName"/> names the parameter
    /// (<c>validationLogits[i]</c> for an entry).</exception>
    public static double[] FromValidation(IReadOnlyList<Tensor> validationLogits, Tensor validationLabels, HeadPoolingRule rule, double shrinkage, Tensor? availability)
    {
        TensorArgument.ThrowIfNullOrAnyDisposed(validationLogits);
        TensorArgument.ThrowIfNullOrDisposed(validationLabels);
        if (availability is not null) TensorArgument.ThrowIfNullOrDisposed(availability);
        if (!Enum.IsDefined(rule))
            throw new ArgumentOutOfRangeException(nameof(rule), rule, $"Unknown {nameof(HeadPoolingRule)}.");
        if (!(shrinkage >= 0 && shrinkage <= 1))
            throw new ArgumentOutOfRangeException(nameof(shrinkage), shrinkage, $"The shrinkage towards equal weights must lie in [0, 1], got {shrinkage}.");
        if (validationLogits.Count == 0) throw new ArgumentException("At least one head's logits are needed.", nameof(validationLogits));
        var first = validationLogits[0] ?? throw new ArgumentException("Head 0's logits are null.", nameof(validationLogits));
        if (first.dim() != 2 || first.shape[0] == 0 || first.shape[1] < 2)
            throw new ArgumentException($"Head 0's logits must be (n_val > 0, C >= 2), got ({string.Join(", ", first.shape)}).", nameof(validationLogits));
        long n = first.shape[0], classes = first.shape[1];
        for (int h = 0; h < validationLogits.Count; h++)
        {
            var z = validationLogits[h] ?? throw new ArgumentException($"Head {h}'s logits are null.", nameof(validationLogits));
            if (z.dim() != 2 || z.shape[0] != n || z.shape[1] != classes)
                throw new ArgumentException($"Head {h}'s logits are ({string.Join(", ", z.shape)}); head 0's are ({n}, {classes}).", nameof(validationLogits));
            if (!z.is_floating_point())
                throw new ArgumentException($"Head {h}'s logits must be floating point, got {z.dtype}.", nameof(validationLogits));
        }
        if (validationLabels.dim() != 1 || validationLabels.shape[0] != n)
            throw new ArgumentException($"The labels must be a vector of {n} class indices, got shape ({string.Join(", ", validationLabels.shape)}).", nameof(validationLabels));
        if (validationLabels.dtype != ScalarType.Int64)
            throw new ArgumentException($"The labels must be int64, got {validationLabels.dtype}.", nameof(validationLabels));
        bool[][]? votes = null;   // votes[h][i]: head h scored on row i
        if (availability is not null)
        {
            if (availability.dtype != ScalarType.Bool || availability.dim() != 2 || availability.shape[0] != n || availability.shape[1] != validationLogits.Count)
                throw new ArgumentException(
                    $"availability must be a boolean ({n}, {validationLogits.Count}) matrix (rows x heads), got {availability.dtype} of shape ({string.Join(", ", availability.shape)}).", nameof(availability));
            bool[] flags;
            using (NewDisposeScope())   // the host copy is this method's, not left in the caller's scope
                flags = availability.detach().cpu().contiguous().data<bool>().ToArray();
            int heads = validationLogits.Count;
            votes = Enumerable.Range(0, heads).Select(h => Enumerable.Range(0, (int)n).Select(i => flags[i * heads + h]).ToArray()).ToArray();
            for (int h = 0; h < heads; h++)
                if (!votes[h].Any(v => v))
                    throw new ArgumentException($"Head {h} has no validation row to be scored on.", nameof(availability));
        }
        using var scope = NewDisposeScope();
        long low = validationLabels.min().item<long>(), high = validationLabels.max().item<long>();
        if (low < 0 || high >= classes)
            throw new ArgumentException($"Labels must lie in [0, {classes}), found {(low < 0 ? low : high)}.", nameof(validationLabels));
        var rowLosses = new double[validationLogits.Count][];
        for (int h = 0; h < rowLosses.Length; h++)
        {
            var z = validationLogits[h];
            // Half-precision logits are scored in float32: float16's 3 significant digits would move the gain of a
            // near-chance head by up to ~5e-4 nats. float32 and float64 are scored as they are.
            var scored = z.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? z.to(ScalarType.Float32) : z;
            // The gain rule needs only the mean (taken in the logits' dtype, as it always was); the evidence rule, and
            // any rule with availability, the rows (a row the head does not vote for becomes NaN, skipped below).
            if (votes is null && rule == HeadPoolingRule.InformationGain)
            {
                rowLosses[h] = F.cross_entropy(scored, validationLabels.to(z.device)).reshape(1).to(ScalarType.Float64).cpu().data<double>().ToArray();
            }
            else
            {
                var rows = F.cross_entropy(scored, validationLabels.to(z.device), reduction: nn.Reduction.None).to(ScalarType.Float64).cpu().data<double>().ToArray();
                if (votes is not null)
                {
                    if (!rows.Where((_, i) => votes[h][i]).All(double.IsFinite))
                        throw new ArgumentException($"Head {h}'s logits give a non-finite validation cross-entropy.", nameof(validationLogits));
                    rows = rows.Select((v, i) => votes[h][i] ? v : double.NaN).ToArray();
                    if (rule == HeadPoolingRule.InformationGain) rows = [rows.Where(double.IsFinite).Mean()];
                }
                rowLosses[h] = rows;
            }
            if (votes is not null) continue;
            if (!rowLosses[h].All(double.IsFinite))
                throw new ArgumentException($"Head {h}'s logits give a non-finite validation cross-entropy.", nameof(validationLogits));
        }
        // The machine epsilon of the dtype the cross-entropies were computed in (float32 for half precision).
        double epsilon = validationLogits[0].dtype == ScalarType.Float64 ? 2.220446049250313e-16 : 1.1920928955078125e-7;
        var ruleWeights = rule == HeadPoolingRule.InformationGain
            ? InformationGainWeights(rowLosses, classes, epsilon)
            : votes is null ? EvidenceWeights(rowLosses) : PartialEvidenceWeights(rowLosses);
        return ruleWeights.Select(r => shrinkage / ruleWeights.Length + (1 - shrinkage) * r).ToArray();
    }

    /// <summary>r_h = g_h / sum_k g_k, g_h = max(0, ln C - CE_h) from each head's mean cross-entropy (one value per
    /// head in <paramref name="meanLosses"/>); uniform when every g_h is 0. A gain within 32 ulps of ln C in the
    /// cross-entropies' dtype is 0: a head at chance (constant logits) has CE_h = ln C rounded in that dtype, up to
    /// about 1e-7 below the exact value in float32, and that rounding must not become the only positive gain.</summary>
    private static double[] InformationGainWeights(double[][] meanLosses, long classes, double epsilon)
    {
        double uniform = Math.Log(classes);
        double tolerance = 32 * epsilon * Math.Max(1.0, uniform);
        var gains = meanLosses.Select(ce => uniform - ce[0] > tolerance ? uniform - ce[0] : 0).ToArray();
        double total = gains.Sum();
        return total > 0 ? gains.Select(g => g / total).ToArray() : Enumerable.Repeat(1.0 / gains.Length, gains.Length).ToArray();
    }

    /// <summary>The evidence rule over rows some heads do not vote for (NaN losses): each head's mean over its own rows
    /// picks the best head; a head's deficit to it is paired over the rows both vote for, and fewer than two such rows
    /// give no evidence against the head (factor 1).</summary>
    private static double[] PartialEvidenceWeights(double[][] rowLosses)
    {
        int heads = rowLosses.Length;
        var means = rowLosses.Select(ce => ce.Where(double.IsFinite).Mean()).ToArray();
        int best = Array.IndexOf(means, means.Min());
        var evidence = new double[heads];
        for (int h = 0; h < heads; h++)
        {
            var deficit = rowLosses[h].Zip(rowLosses[best], (a, b) => a - b).Where(double.IsFinite).ToArray();
            if (deficit.Length < 2) { evidence[h] = 1; continue; }
            double mean = deficit.Mean(), standardError = deficit.StandardDeviation() / Math.Sqrt(deficit.Length);
            evidence[h] = mean <= 0 ? 1 : standardError > 0 ? Math.Exp(-mean / standardError) : 0;
        }
        double total = evidence.Sum();
        return evidence.Select(e => e / total).ToArray();
    }

    /// <summary>r_h proportional to exp(-max(0, d_h / s_h)) against the head with the lowest mean cross-entropy
    /// (<see cref="HeadPoolingRule.ValidationEvidence"/>); equal with fewer than two rows.</summary>
    private static double[] EvidenceWeights(double[][] rowLosses)
    {
        int heads = rowLosses.Length, rows = rowLosses[0].Length;
        if (rows < 2) return Enumerable.Repeat(1.0 / heads, heads).ToArray();
        var means = rowLosses.Select(ce => ce.Mean()).ToArray();
        int best = Array.IndexOf(means, means.Min());
        var evidence = new double[heads];
        for (int h = 0; h < heads; h++)
        {
            var deficit = rowLosses[h].Zip(rowLosses[best], (a, b) => a - b).ToArray();
            double mean = deficit.Mean(), standardError = deficit.StandardDeviation() / Math.Sqrt(rows);
            evidence[h] = mean <= 0 ? 1 : standardError > 0 ? Math.Exp(-mean / standardError) : 0;
        }
        double total = evidence.Sum();
        return evidence.Select(e => e / total).ToArray();
    }
}
