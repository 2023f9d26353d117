using MathNet.Numerics.Statistics;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Percentile bootstrap confidence interval for any <see cref="IMutualInformationEstimator"/>: rows (x_i, y_i) are
/// resampled with replacement B times and re-estimated; the interval is
/// <code>
/// [ q_{(1 - level)/2}, q_{(1 + level)/2} ]  of the B bootstrap estimates
/// </code>
/// with quantiles by linear interpolation (numpy's default, R type 7; MathNet <c>QuantileCustom(tau, QuantileDefinition.R7)</c>).
/// </summary>
/// <remarks>
/// <para>Seeded (<see cref="Random"/>(Seed)); thread-safe when the estimator is. Caveat: a resample repeats rows,
/// so nearest-neighbour estimators (KSG, continuous-discrete) see exact duplicates (distance 0) and are biased
/// upwards on resamples; read the interval as the estimator's sampling spread, not as an unbiased interval.
/// Reference: Efron and Tibshirani, "An Introduction to the Bootstrap" (1993), chapter 13.</para>
/// </remarks>
public sealed class BootstrapConfidenceInterval
{
    private readonly IMutualInformationEstimator _estimator;
    private readonly BootstrapOptions _options;

    /// <summary>Creates it with the default options. (A separate constructor rather than an optional parameter, so
    /// that a dependency-injection container that registers the options pattern picks the <c>IOptions</c> constructor
    /// unambiguously.)</summary>
    /// <param name="estimator">The estimator to use.</param>
    public BootstrapConfidenceInterval(IMutualInformationEstimator estimator)
        : this(estimator, (BootstrapOptions?)null)
    {
    }

    /// <summary>Creates the bootstrap.</summary>
    /// <param name="estimator">The estimator to resample.</param>
    /// <param name="options">The options, or null for the defaults (200 resamples, level 0.95, seed 0).</param>
    /// <exception cref="OptionsValidationException">An option is out of range.</exception>
    public BootstrapConfidenceInterval(IMutualInformationEstimator estimator, BootstrapOptions? options)
    {
        _estimator = estimator ?? throw new ArgumentNullException(nameof(estimator));
        var source = options ?? new BootstrapOptions();
        OptionsCheck.Validated(source, new BootstrapOptionsValidator());
        _options = new BootstrapOptions { Resamples = source.Resamples, ConfidenceLevel = source.ConfidenceLevel, Seed = source.Seed };
    }

    /// <summary>Creates the bootstrap from bound options (dependency injection).</summary>
    /// <param name="estimator">The estimator to resample.</param>
    /// <param name="options">The options accessor; its value is validated.</param>
    public BootstrapConfidenceInterval(IMutualInformationEstimator estimator, IOptions<BootstrapOptions> options)
        : this(estimator, (options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>Computes the interval on X (n, d_x) and Y (n, d_y).</summary>
    /// <param name="x">Samples of X.</param>
    /// <param name="y">Samples of Y, paired row by row with X.</param>
    /// <param name="cancellationToken">Checked before any estimate and between resamples, never inside an estimate.</param>
    /// <returns>The estimate and its percentile interval.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception): before any estimate, or between two resamples; no partial result is returned.</exception>
    /// <exception cref="ArgumentException">The estimator rejects the input (checked on the original sample first).</exception>
    /// <exception cref="InvalidOperationException">The estimator returned a NaN or an infinity (naming the estimator and
    /// the resample).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public ConfidenceInterval Compute(Tensor x, Tensor y, CancellationToken cancellationToken = default)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        TensorArgument.ThrowIfNullOrDisposed(y);
        cancellationToken.ThrowIfCancellationRequested();
        double observed = FiniteEstimate.Checked(_estimator.Estimate(x, y), _estimator, "the original sample");
        long n = x.shape[0];
        var random = new Random(_options.Seed);
        var values = new double[_options.Resamples];
        for (int b = 0; b < values.Length; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var index = tensor(Resampling.WithReplacement(random, n), device: x.device);
            values[b] = FiniteEstimate.Checked(_estimator.Estimate(x.index_select(0, index), y.index_select(0, index)), _estimator, $"resample {b + 1} of {values.Length}");
        }
        double alpha = 1 - _options.ConfidenceLevel;
        return new ConfidenceInterval(observed, values.QuantileCustom(alpha / 2, QuantileDefinition.R7), values.QuantileCustom(1 - alpha / 2, QuantileDefinition.R7),
            _options.ConfidenceLevel, _options.Resamples);
    }

    /// <summary>Computes the interval on arrays (rows are samples).</summary>
    /// <param name="x">Samples of X, shape (n, d_x).</param>
    /// <param name="y">Samples of Y, shape (n, d_y).</param>
    /// <param name="cancellationToken">Checked before any estimate and between resamples, as in
    /// <see cref="Compute(Tensor, Tensor, CancellationToken)"/>.</param>
    /// <returns>The estimate and its percentile interval.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception); no partial result is returned.</exception>
    public ConfidenceInterval Compute(double[,] x, double[,] y, CancellationToken cancellationToken = default)
    {
        // Arguments first, then the token: the tensor overload checks it once the arrays are converted.
        using var scope = NewDisposeScope();
        return Compute(MutualInformationInput.FromArray(x, nameof(x), _estimator.Name), MutualInformationInput.FromArray(y, nameof(y), _estimator.Name), cancellationToken);
    }
}
