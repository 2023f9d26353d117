using Microsoft.Extensions.Options;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>
/// Performance-gated loss weights (METHOD.md section 8, our definition). At each <see cref="Update"/>:
/// <code>
/// s~_m  = lambda s~_m + (1 - lambda) s_m        (EMA; the first update sets s~_m = s_m)
/// s*    = max_m s~_m,   rho_m = s* / max(s~_m, 1e-12)
/// w_m   = 1                                                      if s~_m &lt;= c, the chance level (not boosted)
/// w_m   = clamp(1 + beta * tanh(gamma * (rho_m - 1)), w_min, w_max)  otherwise
/// </code>
/// The best modality keeps weight 1; a lagging one gets up to min(1 + beta, w_max), growing monotonically as it falls
/// behind (unless the best smoothed score is below 1e-12, the floor of rho's divisor: rho &lt; 1 then, and the weights
/// above the chance level fall below 1, down to w_min). The chance level c is
/// <see cref="PerformanceGatedWeighterOptions.ChanceLevel"/>; left null, this class reads it as 0, because it does not know
/// the scale of the scores it is given (<see cref="Training.BalancedTrainer"/>, which gates with macro-F1, resolves null to
/// 1/C before it builds the weighter).
/// </summary>
/// <remarks>Unlike OGM-GE (<see cref="OgmGeWeighter"/>), which damps the leader, this policy boosts the laggards,
/// and the chance-level gate stops it from amplifying a modality that carries no signal.</remarks>
public sealed class PerformanceGatedWeighter : IModalityLossWeighter
{
    private const double Tiny = 1e-12;
    private readonly double[] weights;
    private readonly double[] smoothed;
    private bool initialised;

    /// <summary>Creates the policy for <paramref name="modalityCount"/> modalities; all weights start at 1.</summary>
    /// <param name="modalityCount">M &gt;= 1.</param>
    /// <param name="options">Validated by <see cref="PerformanceGatedWeighterOptionsValidator"/>.</param>
    /// <exception cref="ArgumentException">Invalid options (the message names the option).</exception>
    public PerformanceGatedWeighter(int modalityCount, PerformanceGatedWeighterOptions options)
    {
        WeighterArguments.ModalityCount(modalityCount);
        Options = OptionsGuard.Validate(new PerformanceGatedWeighterOptionsValidator(), options, nameof(options));
        weights = Enumerable.Repeat(1.0, modalityCount).ToArray();
        smoothed = new double[modalityCount];
    }

    /// <inheritdoc cref="PerformanceGatedWeighter(int, PerformanceGatedWeighterOptions)" />
    public PerformanceGatedWeighter(int modalityCount, IOptions<PerformanceGatedWeighterOptions> options)
        : this(modalityCount, (options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>The options: the object given at construction, not a copy.</summary>
    /// <remarks>Changes made through this object take effect at the next <see cref="Update"/>, which validates the
    /// options again with <see cref="PerformanceGatedWeighterOptionsValidator"/> (as the constructor) before any work.</remarks>
    public PerformanceGatedWeighterOptions Options { get; }

    /// <inheritdoc />
    public string Name => "performance-gated";

    /// <inheritdoc />
    public int ModalityCount => weights.Length;

    /// <inheritdoc />
    public IReadOnlyList<double> Weights => weights;

    /// <summary>The EMA-smoothed scores s~_m (all 0 before the first update).</summary>
    public IReadOnlyList<double> SmoothedScores => smoothed;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> TrainableParameters => [];

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Also when <see cref="Options"/> changed since construction and are no longer
    /// valid (naming the option); the weights are then left unchanged.</exception>
    public void Update(IReadOnlyList<double> scores)
    {
        OptionsGuard.Validate(new PerformanceGatedWeighterOptionsValidator(), Options, nameof(Options));
        WeighterArguments.Scores(scores, ModalityCount);
        for (int m = 0; m < smoothed.Length; m++)
            smoothed[m] = initialised ? Options.EmaDecay * smoothed[m] + (1 - Options.EmaDecay) * scores[m] : scores[m];
        initialised = true;
        double best = smoothed.Max();
        for (int m = 0; m < weights.Length; m++)
            weights[m] = WeightOfValid(smoothed[m], best, Options);
    }

    /// <summary>
    /// The weight of one modality from its smoothed score and the best smoothed score (the formula of the class).
    /// </summary>
    /// <param name="score">s~_m, finite and &gt;= 0.</param>
    /// <param name="best">s* = max_k s~_k, finite and &gt;= <paramref name="score"/>.</param>
    /// <param name="options">beta, gamma, w_min, w_max and the chance level (null read as 0); validated by
    /// <see cref="PerformanceGatedWeighterOptionsValidator"/>.</param>
    /// <returns>w_m.</returns>
    /// <exception cref="ArgumentException">Invalid options (the message names the option, e.g. MinWeight &gt; MaxWeight).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A score that is not finite, negative, or above <paramref name="best"/>.</exception>
    public static double Weight(double score, double best, PerformanceGatedWeighterOptions options)
    {
        OptionsGuard.Validate(new PerformanceGatedWeighterOptionsValidator(), options, nameof(options));
        if (!double.IsFinite(score) || score < 0)
            throw new ArgumentOutOfRangeException(nameof(score), score, "The smoothed score must be a finite number >= 0.");
        if (!double.IsFinite(best) || best < score)
            throw new ArgumentOutOfRangeException(nameof(best), best, $"The best smoothed score must be finite and >= the modality's score {score}.");
        return WeightOfValid(score, best, options);
    }

    /// <summary>The formula of <see cref="Weight"/> on arguments already checked.</summary>
    private static double WeightOfValid(double score, double best, PerformanceGatedWeighterOptions options)
    {
        if (score <= (options.ChanceLevel ?? 0))
            return 1.0;
        double ratio = best / Math.Max(score, Tiny);
        return Math.Clamp(1 + options.Beta * Math.Tanh(options.Gamma * (ratio - 1)), options.MinWeight, options.MaxWeight);
    }

    /// <summary>sum_m w_m L_m with the current weights (constants: no gradient flows into the weights).</summary>
    /// <inheritdoc />
    public Tensor WeightedLoss(IReadOnlyList<Tensor> modalityLosses)
    {
        WeighterArguments.Losses(modalityLosses, ModalityCount);
        return WeighterArguments.FixedWeightedSum(modalityLosses, weights);
    }
}
