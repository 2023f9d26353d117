using BalancedMultimodal.Core.Optimization;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Neural variational lower bound on I(X; Y) with a small separable critic f(x, y) = g(x)^T h(y) trained by Adam:
/// <code>
/// InfoNCE:            I &gt;= ln N + (1/N) sum_i [ S_ii - logsumexp_j S_ij ]
/// Donsker-Varadhan:   I &gt;= mean_i S_ii - ln mean_{i != j} exp(S_ij)          (MINE)
/// </code>
/// with S_ij = f(x_i, y_j) over a batch of N pairs (METHOD.md section 5).
/// </summary>
/// <remarks>
/// <para>Procedure: columns of X and Y are z-scored (constant columns are only centred; MI is invariant to this);
/// a seeded permutation holds out h = round(n * <see cref="InfoNceEstimatorOptions.HeldOutFraction"/>) rows; the
/// critic is trained for <see cref="InfoNceEstimatorOptions.Steps"/> steps on random batches of
/// min(BatchSize, n - h) of the other rows, drawn without replacement, maximising the chosen bound; the held-out bound
/// (averaged over the floor(h / N) disjoint batches of N = min(BatchSize, h) held-out rows, no gradient) is measured
/// before the first step, after every k-th step with k = max(1, floor(Steps / 20)), and after the last step, and the
/// estimate is the best of these measurements: 21 when Steps is a multiple of 20 (at least 20; the default 500), 22
/// for 510 steps, Steps + 1 when Steps &lt; 40 (early stopping on the held-out rows; selecting on them makes it
/// slightly optimistic, far less than in-sample evaluation: about -0.1 to 0 nats on independent data,
/// docs/mutual-information.md). With HeldOutFraction = 0 the critic is trained and evaluated on all n rows, which
/// over-fits: the bound then reads high on independent data once the critic can memorise the pairs (many dimensions,
/// few rows).</para>
/// <para>Shapes: X (n, d_x) or (n), Y (n, d_y) or (n), n &gt;= <see cref="MinimumSampleCount"/> (4 by default). Runs on the inputs' device, in x's dtype when
/// float32 or float64 (float32 for float16 and bfloat16, float64 for integers); the inputs are detached, so a
/// requires-grad input is read as data. Seeded: weights come from a private <see cref="Generator"/> and batches from
/// <see cref="Random"/>(Seed), so equal inputs and options give equal results, also from several threads at once.</para>
/// <para>Caveats: a lower bound, biased down for large I (InfoNCE never exceeds ln N); noisy on small n. Prefer
/// <see cref="KsgEstimator"/> for low dimensions. References: van den Oord et al., arXiv:1807.03748 (2018);
/// Belghazi et al., "MINE", ICML 2018; Poole et al., "On variational bounds of mutual information", ICML 2019.</para>
/// </remarks>
public sealed class InfoNceEstimator : IMutualInformationEstimator
{
    private readonly InfoNceEstimatorOptions _options;

    /// <summary>Creates the estimator with the default options. (A separate constructor rather than an optional
    /// parameter, so that a dependency-injection container that registers the options pattern picks the
    /// <c>IOptions</c> constructor unambiguously.)</summary>
    public InfoNceEstimator()
        : this((InfoNceEstimatorOptions?)null)
    {
    }

    /// <summary>Creates the estimator with validated options.</summary>
    /// <param name="options">The options, or null for the defaults (500 steps, hidden 64, lr 5e-3, batch 256, seed 0,
    /// half the rows held out for the evaluation, InfoNCE).</param>
    /// <exception cref="OptionsValidationException">An option is out of range (the message names it).</exception>
    public InfoNceEstimator(InfoNceEstimatorOptions? options)
    {
        var source = options ?? new InfoNceEstimatorOptions();
        OptionsCheck.Validated(source, new InfoNceEstimatorOptionsValidator());
        _options = new InfoNceEstimatorOptions
        {
            Steps = source.Steps, HiddenSize = source.HiddenSize, LearningRate = source.LearningRate,
            BatchSize = source.BatchSize, Seed = source.Seed, Bound = source.Bound, HeldOutFraction = source.HeldOutFraction,
        };
    }

    /// <summary>Creates the estimator from bound options (dependency injection).</summary>
    /// <param name="options">The options accessor; its value is validated.</param>
    public InfoNceEstimator(IOptions<InfoNceEstimatorOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <inheritdoc />
    /// <remarks><c>infonce</c> for the InfoNCE bound, <c>dv</c> for Donsker-Varadhan.</remarks>
    public string Name => _options.Bound == NeuralMutualInformationBound.InfoNce ? "infonce" : "dv";

    /// <summary>
    /// The fewest rows <see cref="Estimate(Tensor, Tensor)"/> accepts: 2 with <see cref="InfoNceEstimatorOptions.HeldOutFraction"/>
    /// = 0, else the smallest n for which both the h = round(n * HeldOutFraction) held-out rows and the n - h training
    /// rows number at least 2 (4 at the default 0.5); <see cref="int.MaxValue"/> when no row count up to it does (a
    /// fraction within about 1e-9 of 1).
    /// </summary>
    public int MinimumSampleCount
    {
        get
        {
            double f = _options.HeldOutFraction;
            if (f == 0) return 2;
            // h = round(n f) >= 2 needs n f >= 1.5, and n - h >= 2 needs n (1 - f) > 1.5, so no n below
            // max(1.5 / f, 1.5 / (1 - f)) qualifies: the search starts just under it (in long: the bound can pass int).
            double bound = Math.Min(int.MaxValue, Math.Max(1.5 / f, 1.5 / (1 - f)));
            long n = Math.Max(4, (long)Math.Floor(bound) - 2);
            while (n < int.MaxValue && (HeldOutCount(n) < 2 || n - HeldOutCount(n) < 2)) n++;
            return (int)n;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public double Estimate(Tensor x, Tensor y)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        TensorArgument.ThrowIfNullOrDisposed(y);
        using var scope = NewDisposeScope();
        var (xm, ym) = MutualInformationInput.ValidateAndConvert(x, y, 2, Name);
        long n = xm.shape[0], heldOut = HeldOutCount(n);
        if (_options.HeldOutFraction > 0 && (heldOut < 2 || n - heldOut < 2))
            throw new ArgumentException(
                $"{Name}: HeldOutFraction = {_options.HeldOutFraction} of n = {n} rows leaves {n - heldOut} rows to train the critic " +
                $"and {heldOut} to evaluate it; both need at least 2 (more rows, another fraction, or 0 to evaluate on the training rows).", nameof(x));
        // Half precision trains the critic in float32: Adam's epsilon and small squared gradients round to 0 in float16
        // (NaN estimates), and bfloat16's 3 significant digits are too coarse for a bound on a few nats.
        var dtype = !x.is_floating_point() ? ScalarType.Float64 : x.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? ScalarType.Float32 : x.dtype;
        return Train(Standardise(xm).to_type(dtype), Standardise(ym).to_type(dtype));
    }

    /// <inheritdoc />
    public double Estimate(double[,] x, double[,] y)
    {
        using var scope = NewDisposeScope();
        return Estimate(MutualInformationInput.FromArray(x, nameof(x), Name), MutualInformationInput.FromArray(y, nameof(y), Name));
    }

    /// <summary>Functional form: the value of a bound for one batch of critic scores S_ij = f(x_i, y_j).</summary>
    /// <param name="scores">S, shape (N, N), N &gt;= 2; row i holds x_i against every y_j (diagonal = true pairs).</param>
    /// <param name="bound">InfoNCE: ln N + mean_i [S_ii - logsumexp_j S_ij]; Donsker-Varadhan: mean_i S_ii -
    /// ln mean_{i != j} exp(S_ij).</param>
    /// <returns>A scalar tensor on the device and dtype of <paramref name="scores"/> (differentiable).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bound"/> is not a defined <see cref="NeuralMutualInformationBound"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is not a floating-point (N, N) matrix with N &gt;= 2,
    /// or holds a NaN or an infinity (naming the entry).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Tensor Bound(Tensor scores, NeuralMutualInformationBound bound)
    {
        TensorArgument.ThrowIfNullOrDisposed(scores);
        if (!Enum.IsDefined(bound))
            throw new ArgumentOutOfRangeException(nameof(bound), bound, $"Unknown {nameof(NeuralMutualInformationBound)} {(int)bound}; use InfoNce or DonskerVaradhan.");
        if (scores.dim() != 2 || scores.shape[0] != scores.shape[1] || scores.shape[0] < 2)
            throw new ArgumentException($"scores must have shape (N, N) with N >= 2, got ({string.Join(", ", scores.shape)}).", nameof(scores));
        if (!scores.is_floating_point())
            throw new ArgumentException($"scores must be floating point, got {scores.dtype}.", nameof(scores));
        using (var check = NewDisposeScope())
        {
            var notFinite = scores.isfinite().logical_not().nonzero();
            if (notFinite.shape[0] > 0)
                throw new ArgumentException($"scores[{notFinite[0, 0].item<long>()}, {notFinite[0, 1].item<long>()}] is not finite (NaN or infinity).", nameof(scores));
        }
        return CheckedBound(scores, bound);
    }

    /// <summary><see cref="Bound"/> on scores already checked (the training loop's critic outputs); its temporaries are
    /// freed before it returns.</summary>
    private static Tensor CheckedBound(Tensor scores, NeuralMutualInformationBound bound)
    {
        using var scope = NewDisposeScope();
        long n = scores.shape[0];
        var diagonal = scores.diagonal();
        if (bound == NeuralMutualInformationBound.InfoNce)
            return (diagonal - scores.logsumexp(1)).mean().Plus(Math.Log(n)).MoveToOuterDisposeScope();
        var mask = eye(n, dtype: ScalarType.Bool, device: scores.device);
        using var negativeInfinity = double.NegativeInfinity.ToScalar();
        var offDiagonal = scores.masked_fill(mask, negativeInfinity).flatten();
        return (diagonal.mean() - offDiagonal.logsumexp(0).Minus(Math.Log(n * (double)(n - 1)))).MoveToOuterDisposeScope();
    }

    private static Tensor Standardise(Tensor m)
    {
        var centred = m - m.mean(new long[] { 0 }, keepdim: true);
        var std = centred.std(0, unbiased: false, keepdim: true);
        using var zero = 0.ToScalar();
        using var one = 1.0.ToScalar();
        return centred / std.masked_fill(std.eq(zero), one);
    }

    private long HeldOutCount(long n) => (long)Math.Round(n * _options.HeldOutFraction, MidpointRounding.AwayFromZero);

    private double Train(Tensor x, Tensor y)
    {
        long n = x.shape[0];
        var random = new Random(_options.Seed);
        bool holdOut = _options.HeldOutFraction > 0;
        int[] trainRows;
        long[]? heldOutOrder = null;
        if (holdOut)
        {
            var split = Enumerable.Range(0, (int)n).ToArray();
            random.Shuffle(split);
            int heldOut = (int)HeldOutCount(n);
            heldOutOrder = split[..heldOut].Select(v => (long)v).ToArray();
            trainRows = split[heldOut..];
        }
        else
        {
            trainRows = Enumerable.Range(0, (int)n).ToArray();
        }
        int batch = Math.Min(_options.BatchSize, trainRows.Length);
        int interval = Math.Max(1, _options.Steps / EvaluationsPerRun);
        var generator = new Generator((ulong)(uint)_options.Seed, x.device);
        var critic = new SeparableCritic(x.shape[1], y.shape[1], _options.HiddenSize, generator, x.dtype, x.device);
        try
        {
            double best = holdOut ? Evaluate(critic, x, y, heldOutOrder!) : double.NegativeInfinity;
            using var optimizer = new ExplicitScalarAdam(critic.Parameters, _options.LearningRate);
            var order = trainRows.ToArray();
            for (int step = 0; step < _options.Steps; step++)
            {
                using (var stepScope = NewDisposeScope())
                {
                    // Partial Fisher-Yates: the first `batch` entries become a uniform sample without replacement.
                    for (int i = 0; i < batch; i++)
                    {
                        int j = random.Next(i, order.Length);
                        (order[i], order[j]) = (order[j], order[i]);
                    }
                    var index = tensor(order.AsSpan(0, batch).ToArray().Select(v => (long)v).ToArray(), device: x.device);
                    optimizer.ZeroGrad();
                    var loss = -CheckedBound(critic.Scores(x.index_select(0, index), y.index_select(0, index)), _options.Bound);
                    loss.backward();
                    optimizer.Step();
                }
                if (holdOut && ((step + 1) % interval == 0 || step + 1 == _options.Steps))
                    best = Math.Max(best, Evaluate(critic, x, y, heldOutOrder!));
            }
            if (holdOut) return best;
            var permutation = trainRows.OrderBy(_ => random.Next()).Select(v => (long)v).ToArray();
            return Evaluate(critic, x, y, permutation);
        }
        finally
        {
            critic.Dispose();
            generator.Dispose();
        }
    }

    /// <summary>The held-out bound is measured after every max(1, Steps / 20)-th step (integer division), after the
    /// last step and once before the first.</summary>
    private const int EvaluationsPerRun = 20;

    /// <summary>The bound averaged over the floor(rows / N) disjoint batches of N = min(BatchSize, rows) of the given
    /// row order (no gradient).</summary>
    private double Evaluate(SeparableCritic critic, Tensor x, Tensor y, long[] rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int evaluationBatch = Math.Min(_options.BatchSize, rows.Length);
        long batches = rows.Length / evaluationBatch;
        double total = 0;
        for (long b = 0; b < batches; b++)
        {
            using var batchScope = NewDisposeScope();
            var index = tensor(rows.AsSpan((int)(b * evaluationBatch), evaluationBatch).ToArray(), device: x.device);
            total += CheckedBound(critic.Scores(x.index_select(0, index), y.index_select(0, index)), _options.Bound)
                .to_type(ScalarType.Float64).item<double>();
        }
        return total / batches;
    }
}
