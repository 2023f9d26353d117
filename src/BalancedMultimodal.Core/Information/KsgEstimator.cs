using System.Runtime.InteropServices;
using MathNet.Numerics;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Kraskov-Stögbauer-Grassberger estimator of I(X; Y) for continuous X and Y (algorithm 1, max-norm):
/// <code>
/// I = psi(n) + psi(k) - &lt;psi(n_x + 1)&gt; - &lt;psi(n_y + 1)&gt;
/// eps_i  = max-norm distance from (x_i, y_i) to its k-th nearest neighbour in the joint space (self excluded)
/// n_x(i) = #{ j != i : ||x_j - x_i||_inf &lt; eps_i },  n_y(i) likewise
/// </code>
/// where the joint max-norm is max(||x_j - x_i||_inf, ||y_j - y_i||_inf) and &lt;.&gt; averages over the n samples.
/// </summary>
/// <remarks>
/// <para>Shapes: X (n, d_x) or (n), Y (n, d_y) or (n); any device, float32 or float64 (computed in float64 on that
/// device). Multivariate X and Y use the max-norm in each marginal space.</para>
/// <para>Matches scikit-learn 1.2.1 <c>_compute_mi_cc</c> (the noise-free core of <c>mutual_info_regression</c>)
/// to 1e-10, including its counting rule: n_x(i) = #{j : d &lt;= nextafter(eps_i, 0)} - 1, which is the strict
/// d &lt; eps_i for eps_i &gt; 0. The returned value is NOT clipped at 0 (scikit-learn clips); clip for reporting.</para>
/// <para>Scale: the max-norm makes the estimate depend on the relative spread of the columns (KSG(x, 1000 y) differs from
/// KSG(x, y)). <see cref="KsgEstimatorOptions.ScaleColumns"/> (default false) first divides every column of X and Y by its
/// population standard deviation, x_ij / sd_j (ddof = 0; constant columns by 1), as scikit-learn's public
/// <c>mutual_info_regression</c> does with <c>sklearn.preprocessing.scale(X, with_mean=False)</c> before adding its
/// 1e-10 noise; the estimate is then invariant to positive per-column factors (up to rounding), including factors that
/// take the values near float64's limits (the standard deviation is computed on the column pre-scaled by an exact power
/// of two, so it does not overflow for |x| above ~1e154). A column counts as constant when its standard deviation is
/// below 10 * 2^-52 relative to its largest magnitude (scikit-learn's threshold is absolute; the two agree for columns
/// whose largest magnitude lies in [0.5, 1)).</para>
/// <para>Ties and duplicates: when k or more other points coincide with point i in the joint space, eps_i = 0 and,
/// as in scikit-learn, n_x(i) counts the other points at marginal distance exactly 0 (never a NaN: psi is evaluated
/// at n_x + 1 &gt;= 1). Heavy duplication biases the estimate; add tiny noise beforehand if that matters.</para>
/// <para>Cost: brute-force block-wise neighbour search, O(n^2 (d_x + d_y)) time and O(b n) memory per block
/// (<see cref="KsgEstimatorOptions.BlockSize"/>). Stateless and thread-safe.</para>
/// <para>Permutation tests: a row permutation pi of Y leaves the X distances unchanged and permutes the Y distances,
/// D_{Y_pi}[i, j] = D_Y[pi(i), pi(j)]; for up to <see cref="PermutationCacheRows"/> rows <see cref="PermutationTest"/>
/// therefore computes both distance matrices once and gathers the permuted one per permutation (O(n^2) instead of
/// O(n^2 (d_x + d_y)) per permutation), in the same row blocks as <see cref="Estimate(Tensor, Tensor)"/>, so the
/// null estimates are bit-identical to estimating every permuted pair from scratch (with
/// <see cref="KsgEstimatorOptions.ScaleColumns"/>, Y is scaled once before it is permuted: equal up to the rounding of a
/// standard deviation summed in another row order).</para>
/// <para>Reference: A. Kraskov, H. Stögbauer, P. Grassberger, "Estimating mutual information", Phys. Rev. E 69,
/// 066138 (2004); METHOD.md section 5.</para>
/// </remarks>
public sealed class KsgEstimator : IMutualInformationEstimator, IPermutationNullEstimator
{
    private readonly KsgEstimatorOptions _options;

    /// <summary>Creates the estimator with the default options. (A separate constructor rather than an optional
    /// parameter, so that a dependency-injection container that registers the options pattern picks the
    /// <c>IOptions</c> constructor unambiguously.)</summary>
    public KsgEstimator()
        : this((KsgEstimatorOptions?)null)
    {
    }

    /// <summary>Creates the estimator with validated options (defaults: K = 3, automatic blocks).</summary>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <exception cref="OptionsValidationException">An option is out of range (the message names it).</exception>
    public KsgEstimator(KsgEstimatorOptions? options)
    {
        var source = options ?? new KsgEstimatorOptions();
        OptionsCheck.Validated(source, new KsgEstimatorOptionsValidator());
        _options = new KsgEstimatorOptions { K = source.K, BlockSize = source.BlockSize, ScaleColumns = source.ScaleColumns };
    }

    /// <summary>Creates the estimator from bound options (dependency injection).</summary>
    /// <param name="options">The options accessor; its value is validated.</param>
    public KsgEstimator(IOptions<KsgEstimatorOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>The largest n for which a permutation test caches the two n x n distance matrices (on the CPU with their
    /// row-sorted copies and the sort order: at most 4.5 n x n float64 matrices while they are built, 3.5 afterwards,
    /// 600 / 470 MB at n = 4096; on other devices with the gathered copy and the joint matrix, four: 512 MB); larger n
    /// estimate every permutation from scratch.</summary>
    public const int PermutationCacheRows = 4096;

    /// <summary>The number of neighbours k.</summary>
    public int K => _options.K;

    /// <inheritdoc />
    public string Name => "ksg";

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Mismatched rows, n &lt; k + 1, a non-finite value, or bad shapes.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public double Estimate(Tensor x, Tensor y)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        TensorArgument.ThrowIfNullOrDisposed(y);
        using var scope = NewDisposeScope();
        var (xm, ym) = Prepared(x, y);
        return EstimateValidated(xm, ym);
    }

    /// <inheritdoc />
    public double Estimate(double[,] x, double[,] y)
    {
        using var scope = NewDisposeScope();
        return Estimate(MutualInformationInput.FromArray(x, nameof(x), Name), MutualInformationInput.FromArray(y, nameof(y), Name));
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public double[]? EstimateWithPermutedY(Tensor x, Tensor y, IReadOnlyList<long[]> permutations, CancellationToken cancellationToken = default)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        TensorArgument.ThrowIfNullOrDisposed(y);
        ArgumentNullException.ThrowIfNull(permutations);
        using var scope = NewDisposeScope();
        var (xm, ym) = Prepared(x, y);
        long n = xm.shape[0];
        for (int b = 0; b < permutations.Count; b++)
            RequirePermutation(permutations[b], n, b);
        cancellationToken.ThrowIfCancellationRequested();   // arguments first, then the token
        if (n > PermutationCacheRows) return null;
        var distancesX = ChebyshevNeighbourSearch.Distances(xm, 0, n).contiguous();
        var distancesY = ChebyshevNeighbourSearch.Distances(ym, 0, n).contiguous();
        if (distancesX.is_cpu() && distancesY.is_cpu())
            return PermutedOnHost(distancesX, distancesY, permutations, xm.shape[1] + ym.shape[1], cancellationToken);
        var results = new double[permutations.Count];
        for (int b = 0; b < results.Length; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var inner = NewDisposeScope();
            var order = tensor(permutations[b], device: ym.device);
            var permuted = distancesY.index_select(0, order).index_select(1, order);
            results[b] = FromDistances(n, xm.shape[1] + ym.shape[1], (start, length) =>
                (distancesX.narrow(0, start, length), permuted.narrow(0, start, length)));
        }
        return results;
    }

    /// <summary>
    /// The permutation estimates from host-memory distance matrices: <see cref="PermutedNeighbourCounts"/> sorts the rows
    /// once and then finds each row's radius and counts without forming D_Y[pi, pi] (a row gather, a column gather, an
    /// n x n maximum, topk and two comparison passes per permutation on the tensor path); the counts then go through
    /// <see cref="FromBlockCounts"/> like those of <see cref="FromDistances"/>, so the estimates are bit-identical to it.
    /// </summary>
    private double[] PermutedOnHost(Tensor distancesX, Tensor distancesY, IReadOnlyList<long[]> permutations, long jointDim, CancellationToken cancellationToken)
    {
        int n = (int)distancesX.shape[0], k = _options.K;
        var copyY = MemoryMarshal.Cast<byte, double>(distancesY.bytes).ToArray();
        distancesY.Dispose();                                  // the kernel keeps its own copies: free the tensors early
        var counts = new PermutedNeighbourCounts(MemoryMarshal.Cast<byte, double>(distancesX.bytes), copyY, n, k);
        distancesX.Dispose();
        var countX = new double[n];
        var countY = new double[n];
        var results = new double[permutations.Count];
        for (int b = 0; b < results.Length; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            counts.Compute(permutations[b], countX, countY);
            results[b] = FromBlockCounts(n, jointDim, (start, length) =>
                (tensor(countX.AsSpan((int)start, (int)length).ToArray(), ScalarType.Float64),
                 tensor(countY.AsSpan((int)start, (int)length).ToArray(), ScalarType.Float64)));
        }
        return results;
    }

    /// <summary>Whether the estimator divides every column by its population standard deviation first
    /// (<see cref="KsgEstimatorOptions.ScaleColumns"/>).</summary>
    public bool ScaleColumns => _options.ScaleColumns;

    /// <summary>X and Y validated, as float64 matrices on their device, and with <see cref="KsgEstimatorOptions.ScaleColumns"/>
    /// divided column-wise by their population standard deviations (the tensors live in the caller's dispose scope).</summary>
    private (Tensor X, Tensor Y) Prepared(Tensor x, Tensor y)
    {
        var (xm, ym) = MutualInformationInput.ValidateAndConvert(x, y, _options.K + 1, Name);
        return _options.ScaleColumns ? (ScaledColumns(xm), ScaledColumns(ym)) : (xm, ym);
    }

    /// <summary>
    /// x_ij / sd_j with sd_j the population standard deviation (ddof = 0) of column j, and divisor 1 for a column that is
    /// constant relative to its magnitude: <c>sklearn.preprocessing.scale(x, with_mean=False)</c>, except for the
    /// zero-variance threshold. The standard deviation is computed on the column multiplied by the exact power of two
    /// s_j that brings its largest magnitude into [0.5, 1) (<see cref="PowerOfTwoScaling"/>), so it neither overflows
    /// (|x| above ~1e154) nor underflows, and the column counts as constant when sd(s_j x_j) &lt; 10 * 2^-52, i.e. when
    /// sd_j &lt; 10 * 2^-52 * m_j / (s_j m_j) with m_j = max |x_ij| (a threshold between 10 eps m_j and 20 eps m_j).
    /// For a column whose largest magnitude lies in [0.5, 1) that is scikit-learn's <c>_handle_zeros_in_scale</c> rule
    /// (an absolute sd &lt; 10 * 2^-52); for columns far from unit scale it deliberately differs (scikit-learn's
    /// absolute threshold treats a varying column of magnitude 1e-16 as constant). Scaling by a power of two is exact,
    /// so (s_j x_ij) / sd(s_j x_j) is bit for bit x_ij / sd_j wherever the plain computation stays finite and normal.
    /// </summary>
    /// <param name="m">A float64 matrix (n, d) of finite values.</param>
    /// <returns>The scaled matrix, same device and dtype, in the current dispose scope.</returns>
    internal static Tensor ScaledColumns(Tensor m)
    {
        using var scope = NewDisposeScope();
        var scales = PowerOfTwoScaling.ColumnScales(m);
        var prescaled = m * scales;
        var sd = prescaled.std(0, unbiased: false, keepdim: true);
        using var threshold = (10 * Precision.PositiveMachineEpsilon).ToScalar();   // 10 * 2^-52
        var constant = sd.lt(threshold);
        using var one = 1.0.ToScalar();
        // A constant column is divided by 1 (left as it is); any other by its standard deviation, both pre-scaled.
        return where(constant, m, prescaled / sd.masked_fill(constant, one)).MoveToOuterDisposeScope();
    }

    /// <summary>Throws unless <paramref name="permutation"/> holds every row index 0..n-1 exactly once.</summary>
    private static void RequirePermutation(long[]? permutation, long n, int index)
    {
        if (permutation is null || permutation.Length != n)
            throw new ArgumentException($"Permutation {index} has {permutation?.Length ?? 0} entries; Y has {n} rows.", "permutations");
        var seen = new bool[n];
        foreach (long row in permutation)
        {
            if (row < 0 || row >= n || seen[row])
                throw new ArgumentException($"Permutation {index} is not a permutation of 0..{n - 1}: row {row} is out of range or repeated.", "permutations");
            seen[row] = true;
        }
    }

    private double EstimateValidated(Tensor x, Tensor y) =>
        FromDistances(x.shape[0], x.shape[1] + y.shape[1], (start, length) =>
            (ChebyshevNeighbourSearch.Distances(x, start, length), ChebyshevNeighbourSearch.Distances(y, start, length)));

    /// <summary>The estimate from the marginal distance rows of every block of query rows (b, n).</summary>
    private double FromDistances(long n, long jointDim, Func<long, long, (Tensor X, Tensor Y)> blockDistances)
    {
        int k = _options.K;
        return FromBlockCounts(n, jointDim, (start, length) =>
        {
            var (dx, dy) = blockDistances(start, length);
            // The joint max-norm is the larger of the two marginal max-norms: reuse the marginal distances.
            var joint = maximum(dx, dy);
            var eps = joint.topk(k + 1, dim: 1, largest: false, sorted: true).values.select(1, k);
            var radius = ChebyshevNeighbourSearch.RadiusBelow(eps).unsqueeze(1);
            // Counts include the point itself (distance 0 <= radius): n_x + 1 is exactly that count.
            return (dx.le(radius).sum(1, type: ScalarType.Float64), dy.le(radius).sum(1, type: ScalarType.Float64));
        });
    }

    /// <summary>psi(n) + psi(k) - &lt;psi(n_x + 1)&gt; - &lt;psi(n_y + 1)&gt; from the float64 counts (n_x + 1, n_y + 1) of every
    /// block of rows, in the blocks of <see cref="ChebyshevNeighbourSearch.BlockRows"/>, so that every caller sums in
    /// the same order (the permutation paths are bit-identical to plain estimates).</summary>
    private double FromBlockCounts(long n, long jointDim, Func<long, long, (Tensor CountX, Tensor CountY)> blockCounts)
    {
        int k = _options.K;
        long block = ChebyshevNeighbourSearch.BlockRows(n, jointDim, _options.BlockSize);
        double sumPsiX = 0, sumPsiY = 0;
        for (long start = 0; start < n; start += block)
        {
            using var scope = NewDisposeScope();
            var (countX, countY) = blockCounts(start, Math.Min(block, n - start));
            sumPsiX += countX.digamma().sum().item<double>();
            sumPsiY += countY.digamma().sum().item<double>();
        }
        return SpecialFunctions.DiGamma(n) + SpecialFunctions.DiGamma(k) - sumPsiX / n - sumPsiY / n;
    }
}
