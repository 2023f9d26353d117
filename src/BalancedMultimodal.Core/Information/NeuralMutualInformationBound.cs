namespace BalancedMultimodal.Core.Information;

/// <summary>The variational lower bound a <see cref="InfoNceEstimator"/> trains and reports, over a batch of N pairs
/// with critic scores S_ij = f(x_i, y_j).</summary>
public enum NeuralMutualInformationBound
{
    /// <summary>InfoNCE (van den Oord et al. 2018): I &gt;= ln N + (1/N) sum_i [S_ii - logsumexp_j S_ij]. Low
    /// variance, but never exceeds ln N.</summary>
    InfoNce,

    /// <summary>Donsker-Varadhan, as in MINE (Belghazi et al. 2018): I &gt;= mean_i S_ii - ln mean_{i != j} exp(S_ij).
    /// Not capped by ln N, but with higher variance (no moving-average gradient correction is applied).</summary>
    DonskerVaradhan,
}
