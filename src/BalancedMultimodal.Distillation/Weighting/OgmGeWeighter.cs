using BalancedMultimodal.Core;
using Microsoft.Extensions.Options;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>
/// OGM-GE-style damping of the dominant modality (Peng et al., "Balanced multimodal learning via on-the-fly gradient
/// modulation", CVPR 2022), adapted to loss weights and to M modalities:
/// <code>
/// ratio_m = s_m / mean_{k != m} s_k                 (for M = 2: OGM-GE's s_a / s_v)
/// w_m     = 1 - tanh(alpha * (ratio_m - 1))   if ratio_m &gt; 1   (paper; the code uses relu(ratio_m) instead of ratio_m - 1)
/// w_m     = 1                                otherwise
/// </code>
/// </summary>
/// <remarks>
/// <para>Adaptation: OGM-GE multiplies the gradient of the dominant modality's encoder (from the shared fused loss)
/// by k_m at every batch, with s_m the summed softmax confidence of the true class. Here k_m multiplies that
/// modality's own auxiliary loss, which scales exactly the gradient that loss sends to its encoder and head; the
/// fused loss is left untouched. Scores are whatever the caller passes to <see cref="Update"/> (validation macro-F1
/// by default, or OGM-GE's confidences), updated once per evaluation step rather than per batch. The "GE" part
/// (Gaussian noise added to gradients) is an optimiser-level intervention and is not part of a loss weighter.</para>
/// <para>The peers' mean is summed in ascending order of score, so the weights are exactly equivariant to the order
/// of the modalities, and a ratio within <see cref="TieTolerance"/> of 1 counts as 1 (a tie the mean's rounding hid;
/// not damped).</para>
/// <para>Weights lie in [0, 1]: the leader is damped, the others keep weight 1. A damped weight underflows to exactly
/// 0 once alpha * (ratio - 1) (<see cref="OgmGeFormula.Code"/>: alpha * ratio) exceeds about 354 (the reference's
/// 1 - tanh does so above about 19). If every peer of a modality with a positive score scores 0, its ratio is infinite
/// and <see cref="Update"/> rejects the scores rather than silently zeroing that modality's loss; all-zero scores
/// leave every weight at 1.</para>
/// </remarks>
public sealed class OgmGeWeighter : IModalityLossWeighter
{
    private readonly double[] weights;

    /// <summary>Creates the policy for <paramref name="modalityCount"/> modalities (&gt;= 2); all weights start at 1.</summary>
    /// <param name="modalityCount">M &gt;= 2 (a ratio needs peers).</param>
    /// <param name="options">Validated by <see cref="OgmGeWeighterOptionsValidator"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modalityCount"/> is less than 2.</exception>
    /// <exception cref="ArgumentException">The options are invalid (naming <paramref name="options"/>; the message
    /// lists the failing options).</exception>
    public OgmGeWeighter(int modalityCount, OgmGeWeighterOptions options)
    {
        if (modalityCount < 2)
            throw new ArgumentOutOfRangeException(nameof(modalityCount), modalityCount, "OGM-GE compares a modality with its peers: at least two modalities are needed.");
        Options = OptionsGuard.Validate(new OgmGeWeighterOptionsValidator(), options, nameof(options));
        weights = Enumerable.Repeat(1.0, modalityCount).ToArray();
    }

    /// <inheritdoc cref="OgmGeWeighter(int, OgmGeWeighterOptions)" />
    public OgmGeWeighter(int modalityCount, IOptions<OgmGeWeighterOptions> options)
        : this(modalityCount, (options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>The options: the object given at construction, not a copy.</summary>
    /// <remarks>Changes made through this object take effect at the next <see cref="Update"/>, which validates the
    /// options again with <see cref="OgmGeWeighterOptionsValidator"/> (as the constructor) before any work.</remarks>
    public OgmGeWeighterOptions Options { get; }

    /// <inheritdoc />
    public string Name => "ogm-ge";

    /// <inheritdoc />
    public int ModalityCount => weights.Length;

    /// <inheritdoc />
    public IReadOnlyList<double> Weights => weights;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> TrainableParameters => [];

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Also when the peers of a modality with a positive score all score 0 (the ratio
    /// is undefined), or when <see cref="Options"/> changed since construction and are no longer valid (naming the
    /// option); the weights are then left unchanged.</exception>
    public void Update(IReadOnlyList<double> scores)
    {
        OptionsGuard.Validate(new OgmGeWeighterOptionsValidator(), Options, nameof(Options));
        WeighterArguments.Scores(scores, ModalityCount);
        // The peers' mean is summed over the peers themselves, not as (total - s_m) / (M - 1): the subtraction rounds,
        // so tied scores could give a ratio of 1 + 1e-16 and be damped, and tiny peers could cancel to 0.
        // Where a peers' sum overflows (scores near 1e308), all scores are first scaled by one exact power of two (the
        // largest to [0.5, 1), PowerOfTwoScaling): the ratios do not change. Otherwise they are used as given, so tiny
        // positive scores keep their value.
        bool overflows = Enumerable.Range(0, ModalityCount).Any(m => double.IsInfinity(scores.Where((_, k) => k != m).Sum()));
        double power = overflows ? PowerOfTwoScaling.Scale(scores.Max(Math.Abs)) : 1.0;
        var scaled = scores.Select(x => x * power).ToArray();
        // The peers are summed in ascending order of score, whatever their positions: the weights are then exactly
        // equivariant to the order of the modalities (index order rounded differently from one order to another).
        var ascending = Enumerable.Range(0, ModalityCount).OrderBy(k => scaled[k]).ThenBy(k => k).ToArray();
        var peerMeans = new double[ModalityCount];
        for (int m = 0; m < ModalityCount; m++)
        {
            double peerSum = 0;
            foreach (int k in ascending)
                if (k != m) peerSum += scaled[k];
            peerMeans[m] = peerSum / (ModalityCount - 1);
            if (peerMeans[m] <= 0 && scaled[m] > 0)
                throw new ArgumentException($"The peers of modality {m} all score 0, so its OGM-GE ratio is undefined.", nameof(scores));
        }
        for (int m = 0; m < ModalityCount; m++)
        {
            double ratio = peerMeans[m] > 0 ? scaled[m] / peerMeans[m] : 1.0;
            // A ratio within TieTolerance of 1 is a tie that the peers' mean rounded (0.55 against the mean of 0.3,
            // 0.65 and 0.7 can come out as 1 + 2e-16): not dominant, so the Code formula's jump at 1 is not taken.
            weights[m] = ratio > 1 + TieTolerance ? DampingOfValid(ratio, Options) : 1.0;
        }
    }

    /// <summary>Relative tolerance under which a modality's score counts as tied with its peers' mean (rounding of
    /// the mean, not a difference in the scores): 1e-12.</summary>
    public const double TieTolerance = 1e-12;

    /// <summary>The damping coefficient k of a dominant modality (ratio &gt; 1) under the configured formula.</summary>
    /// <param name="ratio">s_m / mean of the peers' scores, finite and &gt; 1.</param>
    /// <param name="options">alpha and the formula; validated by <see cref="OgmGeWeighterOptionsValidator"/>.</param>
    /// <returns>k in [0, 1]: exactly 0 once alpha times the formula's argument exceeds about 354 (the reference's
    /// 1 - tanh is exactly 0 above about 19).</returns>
    /// <exception cref="ArgumentException">Invalid options (the message names the option).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ratio"/> is not a finite number &gt; 1 (a modality that
    /// does not dominate is not damped).</exception>
    public static double Damping(double ratio, OgmGeWeighterOptions options)
    {
        OptionsGuard.Validate(new OgmGeWeighterOptionsValidator(), options, nameof(options));
        if (!double.IsFinite(ratio) || ratio <= 1)
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "Only a dominant modality (a finite ratio > 1) is damped.");
        return DampingOfValid(ratio, options);
    }

    /// <summary>The formula of <see cref="Damping"/> on arguments already checked.</summary>
    private static double DampingOfValid(double ratio, OgmGeWeighterOptions options)
    {
        double argument = options.Formula == OgmGeFormula.Paper ? ratio - 1 : Math.Max(ratio, 0);
        // 1 - tanh(x) written as 2 / (1 + e^(2x)), the same value without the cancellation that makes 1 - tanh(x)
        // round to exactly 0 once x > ~19: the weight stays positive up to x of about 354 (e^(2x) overflows to
        // infinity above ~354.9, and the weight is then exactly 0).
        return 2 / (1 + Math.Exp(2 * options.Alpha * argument));
    }

    /// <summary>sum_m w_m L_m with the current weights (constants).</summary>
    /// <inheritdoc />
    public Tensor WeightedLoss(IReadOnlyList<Tensor> modalityLosses)
    {
        WeighterArguments.Losses(modalityLosses, ModalityCount);
        return WeighterArguments.FixedWeightedSum(modalityLosses, weights);
    }
}
