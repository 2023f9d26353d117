namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>
/// Options of <see cref="PerformanceGatedWeighter"/>: w_m = clamp(1 + Beta * tanh(Gamma * (rho_m - 1)), MinWeight, MaxWeight)
/// with rho_m = s* / max(s_m, tiny) on EMA-smoothed scores (METHOD.md section 8). Validated by
/// <see cref="PerformanceGatedWeighterOptionsValidator"/>.
/// </summary>
public sealed class PerformanceGatedWeighterOptions
{
    /// <summary>beta &gt;= 0: the largest boost; a far-behind modality approaches weight 1 + beta. Default 1 (up to double weight).</summary>
    public double Beta { get; set; } = 1.0;

    /// <summary>
    /// gamma &gt; 0: how fast the boost saturates with the ratio rho. Default 2: a modality at two thirds of the best
    /// score (rho = 1.5) gets 1 + beta * tanh(1) = 1 + 0.76 beta.
    /// </summary>
    public double Gamma { get; set; } = 2.0;

    /// <summary>
    /// EMA decay lambda in [0, 1): s~_m &lt;- lambda s~_m + (1 - lambda) s_m at each update (the first update sets s~_m = s_m).
    /// Default 0.5: updates happen once per evaluation step, so a short memory of about two evaluations
    /// smooths the noise of small validation sets without lagging the training much. 0 disables smoothing.
    /// </summary>
    public double EmaDecay { get; set; } = 0.5;

    /// <summary>w_min in (0, 1]: the lowest weight, so every modality keeps learning. Default 0.1. Never binding with
    /// beta &gt;= 0 while the best smoothed score is at least 1e-12: rho_m &gt;= 1 then, so the gate is always &gt;= 1 (only
    /// when every smoothed score is below 1e-12, the floor of rho's divisor, can rho_m fall below 1 and the clamp act);
    /// kept from METHOD.md section 8.</summary>
    public double MinWeight { get; set; } = 0.1;

    /// <summary>w_max &gt;= 1: the highest weight. Default 2 (not binding with the default beta = 1).</summary>
    public double MaxWeight { get; set; } = 2.0;

    /// <summary>
    /// The chance-level score c in [0, 1), or null: a modality whose smoothed score is at or below it is not boosted
    /// (w_m = 1 when s~_m &lt;= c), so noise is not amplified (METHOD.md section 8). Default null, meaning "the chance level
    /// of the score being gated", which only the caller that computes the scores knows:
    /// <list type="bullet">
    /// <item><see cref="Training.BalancedTrainer"/> gates with validation macro-F1 over C classes and resolves null to
    /// c = 1/C, the macro-F1 of a uniform random guesser (0.5 for two classes, 0.2 for five subtypes);</item>
    /// <item>a <see cref="PerformanceGatedWeighter"/> constructed directly (or by <see cref="ModalityLossWeighterFactory"/>)
    /// does not know the score's scale and reads null as c = 0 (only a zero score counts as chance).</item>
    /// </list>
    /// An explicit value, 0 included, is always used as given (0 turns the gate off for every positive score).
    /// </summary>
    public double? ChanceLevel { get; set; }
}
