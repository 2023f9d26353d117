using BalancedMultimodal.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// The steps of snfpy's <c>make_affinity</c> / <c>affinity_matrix</c> as small tensor functions, each matching its
/// snfpy (scipy) counterpart: column z-scoring, pairwise distances, and the scaled exponential kernel.
/// </summary>
/// <remarks>
/// All functions keep the device and dtype of their input and assume every sample is present; use
/// <see cref="AffinityBuilder"/> for validation and per-sample availability. Reference: Wang et al. (2014), Similarity
/// Network Fusion, Nature Methods 11(3); snfpy (rmarkello/snfpy) <c>snf/compute.py</c>.
/// </remarks>
public static class AffinityKernel
{
    /// <summary>numpy's <c>np.spacing(1)</c> (float64 machine epsilon), which snfpy adds to every scale.</summary>
    public const double Epsilon = 2.220446049250313e-16;

    private static readonly double SqrtTwoPi = Math.Sqrt(2 * Math.PI);

    /// <summary>
    /// Column z-scores with ddof = 1 (scipy <c>stats.zscore(X, ddof=1)</c>): <c>z_ij = (x_ij - mean_j) / sd_j</c>,
    /// <c>sd_j = sqrt(sum_i (x_ij - mean_j)^2 / (n - 1))</c>. A constant column (<c>sd_j &lt;= eps |mean_j|</c>, scipy's
    /// own test) becomes 0, as snfpy's <c>nan_to_num</c> makes it.
    /// </summary>
    /// <param name="features">Features of shape (n, d), n &gt;= 2, finite.</param>
    /// <returns>Z-scores of shape (n, d), same device and dtype; detached (the features are read as data), and the same for
    /// a strided view as for its contiguous copy.</returns>
    /// <exception cref="ArgumentException">When the features are not a finite floating (n, d) matrix with n &gt;= 2
    /// (naming the first non-finite row and column).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Tensor ZScoreColumns(Tensor features)
    {
        CheckFeatures(features, needTwoRows: true);
        using var scope = NewDisposeScope();
        var dtype = features.dtype;
        features = features.detach().contiguous();   // data, read row-major (as in PairwiseDistances)
        // Half precision in float32: its squares overflow near 256 and its scaled small values turn subnormal.
        if (dtype is ScalarType.Float16 or ScalarType.BFloat16) features = features.to(ScalarType.Float32);
        // Each column is first scaled by an exact power of two to a largest magnitude in [0.5, 1): z-scores do not
        // depend on it, the bits do not change where the plain computation is in range (float32, float64), and the
        // squares of the standard deviation can no longer overflow (features near 1e155 in float64) or underflow
        // (near 1e-165).
        features = features * PowerOfTwoScaling.ColumnScales(features);
        var mean = features.mean(new long[] { 0 }, keepdim: true);
        var sd = features.std(0, unbiased: true, keepdim: true);
        // The numbers as Scalars alive for the call and freed right after (docs/native-runtime.md): an implicit one is
        // left to the finalizer, and a loop of affinity builds then grew the resident set by megabytes per call.
        using var epsilon = Epsilon.ToScalar();
        using var zero = 0.0.ToScalar();
        var constant = sd <= mean.abs().mul(epsilon);
        var z = (features - mean) / sd;
        return z.masked_fill(constant, zero).to(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pairwise distances <c>D_ij = d(x_i, x_j)</c> between the rows of <paramref name="features"/> (scipy <c>cdist</c>),
    /// <c>1 - cos</c> for cosine. The result is symmetric with a zero diagonal.
    /// </summary>
    /// <remarks>
    /// Euclidean metrics: the columns are centred (distances do not change), then
    /// <c>D^2_ij = |x_i|^2 + |x_j|^2 - 2 x_i . x_j</c> comes from one matrix product (BLAS, O(n^2 d)). Its rounding error
    /// is about <c>eps (|x_i|^2 + |x_j|^2)</c>, negligible unless the pair is much closer than the rows are long, so
    /// every pair with <c>D^2_ij &lt;= tau (|x_i|^2 + |x_j|^2)</c> (tau = 1e-4 for float64, 1e-1 for float32, i.e.
    /// relative error at most about 2e-12 / 1e-6) is recomputed exactly as <c>sum_f (x_if - x_jf)^2</c>; duplicates
    /// therefore give exactly 0, as scipy's <c>cdist</c> does. The symmetric product is symmetrised exactly.
    /// </remarks>
    /// <param name="features">Features of shape (n, d), finite.</param>
    /// <param name="metric">The distance.</param>
    /// <returns>Distances of shape (n, n), same device and dtype; detached (the features are read as data), and the same
    /// for a strided view of the features as for its contiguous copy.</returns>
    /// <exception cref="ArgumentException">When the features are not a finite floating (n, d) matrix (naming the first
    /// non-finite row and column), or, for <see cref="DistanceMetric.Cosine"/>, when a row is all zero.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Tensor PairwiseDistances(Tensor features, DistanceMetric metric)
    {
        CheckFeatures(features, needTwoRows: false);
        if (!Enum.IsDefined(metric))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, $"Unknown distance metric {(int)metric}.");
        using var scope = NewDisposeScope();
        // Data, not a differentiable step (the diagonal is zeroed in place): read detached, and in row-major layout, so
        // that a transposed or sliced view gives the same float32 roundings as its contiguous copy.
        features = features.detach().contiguous();
        Tensor distances;
        switch (metric)
        {
            case DistanceMetric.SquaredEuclidean:
            case DistanceMetric.Euclidean:
                distances = SquaredEuclidean(features);
                if (metric == DistanceMetric.Euclidean) distances = distances.sqrt();
                break;
            case DistanceMetric.Cosine:
                var norms = features.norm(1, keepdim: true);
                using (var zeroScalar = 0.ToScalar())
                using (var zero = (norms == zeroScalar).nonzero())
                {
                    if (zero.shape[0] > 0)
                        throw new ArgumentException(
                            $"Sample {zero[0, 0].item<long>()} has an all-zero feature vector; the cosine distance is undefined for it.",
                            nameof(features));
                }
                var unit = features / norms;
                var cosine = unit.mm(unit.t());
                using (var minusOne = (-1.0).ToScalar())
                using (var one = 1.0.ToScalar())
                using (var two = 2.ToScalar())
                    cosine = cosine.Plus(cosine.t()).div(two).clamp(minusOne, one);
                distances = cosine.SubtractedFrom(1);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric.");
        }
        distances.diagonal().zero_();
        return distances.MoveToOuterDisposeScope();
    }

    private static Tensor SquaredEuclidean(Tensor features)
    {
        using var tau = (features.dtype == ScalarType.Float64 ? 1e-4 : 1e-1).ToScalar();
        using var minusTwo = (-2.0).ToScalar();
        using var half = 0.5.ToScalar();
        using var square = 2.ToScalar();   // the Int32 exponent TorchSharp's square() would convert itself
        var centred = features - features.mean(new long[] { 0 }, keepdim: true);
        var norms = centred.pow(square).sum(1, keepdim: true);
        var lengths = norms.Plus(norms.t());
        var squared = centred.mm(centred.t()).mul_(minusTwo).PlusInPlace(lengths);
        var suspect = squared.le(lengths.mul_(tau)).nonzero();
        // Exactly symmetric (the product is symmetric only up to rounding): the mean of both triangles.
        lengths.copy_(squared.t());
        squared.PlusInPlace(lengths).mul_(half);
        const long chunk = 1 << 16;
        for (long start = 0; start < suspect.shape[0]; start += chunk)
        {
            using var step = NewDisposeScope();
            var pairs = suspect.narrow(0, start, Math.Min(chunk, suspect.shape[0] - start));
            var rows = pairs[TensorIndex.Colon, 0];
            var columns = pairs[TensorIndex.Colon, 1];
            var exact = (centred.index_select(0, rows) - centred.index_select(0, columns)).pow(square).sum(1);
            squared.index_put_(exact, rows, columns);
        }
        return squared;
    }

    /// <summary>
    /// snfpy's scaled exponential kernel (<c>affinity_matrix</c>): with <c>m_i</c> the mean of the K smallest
    /// off-diagonal distances of row i plus eps, <c>s_ij = (m_i + m_j + D_ij) / 3</c>,
    /// <c>sigma_ij = s_ij + eps</c> where <c>s_ij &gt; eps</c> else <c>eps</c>, and
    /// <c>W_ij = exp(-(D_ij / (mu sigma_ij))^2 / 2) / (sqrt(2 pi) mu sigma_ij)</c>, i.e. scipy's
    /// <c>norm.pdf(D, 0, mu * sigma)</c>. Note D enters squared again: this is snfpy's kernel, not the paper's.
    /// </summary>
    /// <param name="distances">Symmetric distances of shape (n, n) with a zero diagonal, finite and non-negative.</param>
    /// <param name="k">Neighbours K, 1 &lt;= K &lt; n.</param>
    /// <param name="mu">Kernel width factor, &gt; 0.</param>
    /// <returns>The affinity W of shape (n, n), symmetric, same device and dtype; matches snfpy to 1e-10 in float64;
    /// detached (the distances are read as data).</returns>
    /// <exception cref="ArgumentException">When <paramref name="distances"/> is not a square floating matrix, holds a
    /// NaN, an infinity or a negative entry, has a non-zero diagonal entry or is not exactly symmetric (naming the entry;
    /// the K nearest neighbours are read from positions 1..K of each sorted row, which assumes METHOD.md section 2's
    /// D = (D + D^T) / 2 with diag(D) = 0).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Tensor ScaledExponential(Tensor distances, int k, double mu)
    {
        TensorArgument.ThrowIfNullOrDisposed(distances);
        if (distances.dim() != 2 || distances.shape[0] != distances.shape[1])
            throw new ArgumentException($"Distances must be a square (n, n) matrix, got shape ({string.Join(", ", distances.shape)}).", nameof(distances));
        if (!distances.is_floating_point())
            throw new ArgumentException($"Distances must be floating point, got {distances.dtype}.", nameof(distances));
        long n = distances.shape[0];
        // K against n first: it also refuses an empty matrix, whose reductions below would fail in native code.
        if (k < 1 || k >= n)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"K must lie in [1, {n - 1}] for {n} samples.");
        if (!PassesQuickChecks(distances))
        {
            // Something is wrong: the element-wise checks find the first offending entry and name it.
            CheckDistances(distances);
            CheckSymmetricWithZeroDiagonal(distances);
        }
        if (!double.IsFinite(mu) || mu <= 0)
            throw new ArgumentOutOfRangeException(nameof(mu), mu, "mu must be finite and positive.");
        using var scope = NewDisposeScope();
        distances = distances.detach().contiguous();   // data, as in PairwiseDistances (the kernel is built in place)
        // Every number as a Scalar alive for its calls and freed at the end (docs/native-runtime.md): implicit ones are
        // left to the finalizer, and a loop of affinity builds grew the resident set by about 2 MB per call (n = 200).
        using var epsilon = Epsilon.ToScalar();
        using var zero = 0.0.ToScalar();
        using var one = 1.ToScalar();
        using var three = 3.0.ToScalar();
        using var two = 2.0.ToScalar();
        using var width = mu.ToScalar();
        using var sqrtTwoPi = SqrtTwoPi.ToScalar();
        var smallest = distances.topk(k + 1, dim: 1, largest: false, sorted: true).values;
        var meanNeighbour = smallest[TensorIndex.Colon, TensorIndex.Slice(1, k + 1)].mean(new long[] { 1 }, keepdim: true).Plus(Epsilon);
        // In place, the same operations in the same order as snfpy (x * x is x ** 2 exactly, -x / 2 is -(x / 2)):
        // two n x n allocations instead of fourteen.
        var scale = meanNeighbour.Plus(meanNeighbour.t()).PlusInPlace(distances).div_(three);
        scale.masked_fill_(scale.le(epsilon), zero).add_(epsilon, one).mul_(width);
        var w = distances.div(scale);
        w.mul_(w).neg_().div_(two).exp_().div_(sqrtTwoPi).div_(scale);
        return w.MoveToOuterDisposeScope();
    }

    private static void CheckFeatures(Tensor features, bool needTwoRows)
    {
        TensorArgument.ThrowIfNullOrDisposed(features);
        if (features.dim() != 2 || features.shape[1] < 1 || features.shape[0] < (needTwoRows ? 2 : 1))
            throw new ArgumentException(
                $"Features must be an (n, d) matrix with n >= {(needTwoRows ? 2 : 1)} and d >= 1, got shape ({string.Join(", ", features.shape)}).", nameof(features));
        if (!features.is_floating_point())
            throw new ArgumentException($"Features must be floating point, got {features.dtype}.", nameof(features));
        using var scope = NewDisposeScope();   // the finiteness mask and its negation too, not only the positions
        var bad = features.isfinite().logical_not().nonzero();
        if (bad.shape[0] > 0)
            throw new ArgumentException($"Features row {bad[0, 0].item<long>()}, column {bad[0, 1].item<long>()} is not finite (NaN or infinity).", nameof(features));
    }

    /// <summary>Whether the distances are finite, non-negative, zero on the diagonal and exactly symmetric, from
    /// reductions and tile comparisons that build no n x n temporary (the element-wise checks, which name the first bad
    /// entry, each built n x n masks and read the transpose: a quarter of the kernel's time at n = 4000).</summary>
    private static bool PassesQuickChecks(Tensor distances)
    {
        using var scope = NewDisposeScope();
        using var zero = 0.ToScalar();
        // A NaN makes min and max NaN, so the comparisons below are false and the element-wise checks run.
        if (!(distances.min().to(ScalarType.Float64).item<double>() >= 0)) return false;
        if (!double.IsFinite(distances.max().to(ScalarType.Float64).item<double>())) return false;
        if (distances.diagonal().ne(zero).any().item<bool>()) return false;
        const long tile = 512;
        long n = distances.shape[0];
        for (long i = 0; i < n; i += tile)
        {
            long rows = Math.Min(tile, n - i);
            for (long j = i; j < n; j += tile)
            {
                using var step = NewDisposeScope();
                long columns = Math.Min(tile, n - j);
                var upper = distances.narrow(0, i, rows).narrow(1, j, columns);
                var lower = distances.narrow(0, j, columns).narrow(1, i, rows).t();
                if (upper.ne(lower).any().item<bool>()) return false;
            }
        }
        return true;
    }

    private static void CheckSymmetricWithZeroDiagonal(Tensor distances)
    {
        using var scope = NewDisposeScope();
        using var zero = 0.ToScalar();
        var diagonal = distances.diagonal().ne(zero).nonzero();
        if (diagonal.shape[0] > 0)
        {
            long i = diagonal[0, 0].item<long>();
            throw new ArgumentException(
                $"Distance ({i}, {i}) is {distances[i, i].to(ScalarType.Float64).item<double>()}; the diagonal must be 0 (METHOD.md section 2: diag(D) = 0).", nameof(distances));
        }
        var asymmetric = distances.ne(distances.t()).nonzero();
        if (asymmetric.shape[0] > 0)
        {
            long i = asymmetric[0, 0].item<long>(), j = asymmetric[0, 1].item<long>();
            throw new ArgumentException(
                $"Distances ({i}, {j}) = {distances[i, j].to(ScalarType.Float64).item<double>()} and ({j}, {i}) = {distances[j, i].to(ScalarType.Float64).item<double>()} differ; " +
                "the matrix must be symmetric (symmetrise it as (D + D^T) / 2, METHOD.md section 2).", nameof(distances));
        }
    }

    private static void CheckDistances(Tensor distances)
    {
        using var scope = NewDisposeScope();
        using var zero = 0.ToScalar();
        var bad = distances.isfinite().logical_not().logical_or(distances.lt(zero)).nonzero();
        if (bad.shape[0] > 0)
        {
            long row = bad[0, 0].item<long>(), column = bad[0, 1].item<long>();
            throw new ArgumentException(
                $"Distance ({row}, {column}) is {distances[row, column].to(ScalarType.Float64).item<double>()}; distances must be finite and non-negative.", nameof(distances));
        }
    }
}
