namespace BalancedMultimodal.Distillation.Training;

/// <summary>How <see cref="HeadPoolingWeights"/> turns the heads' validation cross-entropies into the pooling weights of
/// <see cref="PredictionSource.AllHeadsValidationWeighted"/> (before the shrinkage towards equal weights).</summary>
public enum HeadPoolingRule
{
    /// <summary>
    /// Each head's information gain over the uniform guess: r_h = g_h / sum_k g_k, g_h = max(0, ln C - CE_h), CE_h the
    /// head's mean validation cross-entropy (nats). A head no better than chance gets 0, but every head above chance
    /// keeps a share in proportion to its gain, however far behind the best head it is.
    /// </summary>
    InformationGain,

    /// <summary>
    /// How many standard errors each head's validation cross-entropy lies behind the best head's:
    /// r_h = e_h / sum_k e_k, e_h = exp(-max(0, d_h / s_h)), where for the head b with the lowest mean cross-entropy
    /// (the first on ties) and the per-row differences delta_hi = ce_hi - ce_bi, d_h = mean_i delta_hi and
    /// s_h = sd(delta_h) / sqrt(n_val) (sample standard deviation; e_h = 0 when s_h = 0 and d_h &gt; 0). The best head and
    /// heads within the noise of it keep full weight; a head several standard errors behind gets almost none, however far
    /// above chance it is (a paired comparison on the same rows, as in Dietterich, "Approximate statistical tests for
    /// comparing supervised classification learning algorithms", Neural Computation 1998; the weight is the one-sided
    /// evidence factor exp(-z)). With fewer than two validation rows no standard error exists and the weights are equal.
    /// </summary>
    ValidationEvidence,
}
