using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Permutation test of independence for any <see cref="IMutualInformationEstimator"/>: the rows of Y are shuffled
/// P times (breaking the pairing, keeping both marginals) and re-estimated;
/// <code>
/// p = (1 + #{ b : I(X; Y_pi_b) &gt;= I(X; Y) }) / (1 + P),   null mean = (1/P) sum_b I(X; Y_pi_b)
/// </code>
/// (the add-one p-value of Phipson and Smyth 2010, never 0).
/// </summary>
/// <remarks>
/// <para>Seeded: permutation b is a Fisher-Yates shuffle from <see cref="Random"/>(Seed), so results are reproducible
/// and independent of other threads. Cost: P + 1 estimates (for <see cref="KsgEstimator"/> up to
/// <see cref="KsgEstimator.PermutationCacheRows"/> rows, one distance computation and P gathers; same values). Shapes as in the estimator; permutations are applied on
/// the inputs' device with <c>index_select</c>. Thread-safe when the estimator is.</para>
/// </remarks>
public sealed class PermutationTest
{
    private readonly IMutualInformationEstimator _estimator;
    private readonly PermutationTestOptions _options;

    /// <summary>Creates it with the default options. (A separate constructor rather than an optional parameter, so
    /// that a dependency-injection container that registers the options pattern picks the <c>IOptions</c> constructor
    /// unambiguously.)</summary>
    /// <param name="estimator">The estimator to use.</param>
    public PermutationTest(IMutualInformationEstimator estimator)
        : this(estimator, (PermutationTestOptions?)null)
    {
    }

    /// <summary>Creates the test.</summary>
    /// <param name="estimator">The estimator to test with.</param>
    /// <param name="options">The options, or null for the defaults (199 permutations, seed 0).</param>
    /// <exception cref="OptionsValidationException">An option is out of range.</exception>
    public PermutationTest(IMutualInformationEstimator estimator, PermutationTestOptions? options)
    {
        _estimator = estimator ?? throw new ArgumentNullException(nameof(estimator));
        var source = options ?? new PermutationTestOptions();
        OptionsCheck.Validated(source, new PermutationTestOptionsValidator());
        _options = new PermutationTestOptions { Permutations = source.Permutations, Seed = source.Seed };
    }

    /// <summary>Creates the test from bound options (dependency injection).</summary>
    /// <param name="estimator">The estimator to test with.</param>
    /// <param name="options">The options accessor; its value is validated.</param>
    public PermutationTest(IMutualInformationEstimator estimator, IOptions<PermutationTestOptions> options)
        : this(estimator, (options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>The estimator under test.</summary>
    public IMutualInformationEstimator Estimator => _estimator;

    /// <summary>Runs the test on X (n, d_x) and Y (n, d_y).</summary>
    /// <param name="x">Samples of X.</param>
    /// <param name="y">Samples of Y (its rows are permuted).</param>
    /// <param name="cancellationToken">Checked before any estimate and between permutations (also passed to an
    /// <see cref="IPermutationNullEstimator"/>'s fast path, which checks it between permutations), never inside an
    /// estimate.</param>
    /// <returns>The estimate, null mean, p-value and number of permutations.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception): before any estimate, or between two permutations; no partial result is returned.</exception>
    /// <exception cref="ArgumentException">The estimator rejects the input (checked on the original pairing first).</exception>
    /// <exception cref="InvalidOperationException">The estimator returned a NaN or an infinity (naming the estimator and
    /// the permutation): such a value would count as below the observed one and make the p-value look significant.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public PermutationTestResult Run(Tensor x, Tensor y, CancellationToken cancellationToken = default)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        TensorArgument.ThrowIfNullOrDisposed(y);
        cancellationToken.ThrowIfCancellationRequested();
        double observed = FiniteEstimate.Checked(_estimator.Estimate(x, y), _estimator, "the observed pairing");
        long n = y.shape[0];
        var random = new Random(_options.Seed);
        var permutations = new long[_options.Permutations][];
        for (int b = 0; b < permutations.Length; b++)
            permutations[b] = Resampling.Permutation(random, n);
        // An estimator that can reuse work across permutations (KSG: the distance matrices) gives the same values faster.
        var nullValues = (_estimator as IPermutationNullEstimator)?.EstimateWithPermutedY(x, y, permutations, cancellationToken)
            ?? permutations.Select(permutation =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                return _estimator.Estimate(x, y.index_select(0, tensor(permutation, device: y.device)));
            }).ToArray();
        double nullSum = 0;
        int atLeast = 0;
        for (int b = 0; b < nullValues.Length; b++)
        {
            double value = FiniteEstimate.Checked(nullValues[b], _estimator, $"permutation {b + 1} of {nullValues.Length}");
            nullSum += value;
            if (value >= observed) atLeast++;
        }
        return new PermutationTestResult(observed, nullSum / _options.Permutations,
            (1.0 + atLeast) / (1.0 + _options.Permutations), _options.Permutations);
    }

    /// <summary>Runs the test on arrays (rows are samples).</summary>
    /// <param name="x">Samples of X, shape (n, d_x).</param>
    /// <param name="y">Samples of Y, shape (n, d_y).</param>
    /// <param name="cancellationToken">Checked before any estimate and between permutations, as in
    /// <see cref="Run(Tensor, Tensor, CancellationToken)"/>.</param>
    /// <returns>The estimate, null mean, p-value and number of permutations.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception); no partial result is returned.</exception>
    public PermutationTestResult Run(double[,] x, double[,] y, CancellationToken cancellationToken = default)
    {
        // Arguments first, then the token: the tensor overload checks it once the arrays are converted.
        using var scope = NewDisposeScope();
        return Run(MutualInformationInput.FromArray(x, nameof(x), _estimator.Name), MutualInformationInput.FromArray(y, nameof(y), _estimator.Name), cancellationToken);
    }
}
