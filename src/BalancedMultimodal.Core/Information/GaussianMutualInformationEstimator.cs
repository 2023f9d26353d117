using MathNet.Numerics;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Closed-form mutual information of jointly Gaussian X and Y from log-determinants:
/// <code>
/// I = 1/2 [ ln det R_xx + ln det R_yy - ln det R ],   R = D^-1/2 S D^-1/2 + r I
/// </code>
/// where S is the (n - 1)-normalised sample covariance of [X, Y], D its diagonal (1 for constant columns, which
/// are zeroed), R_xx, R_yy the diagonal blocks and r the ridge. Correlations instead of covariances make the ridge
/// scale-free; without ridge the value equals 1/2 ln(det S_xx det S_yy / det S). For scalars: -1/2 ln(1 - rho^2).
/// </summary>
/// <remarks>
/// <para>Shapes: X (n, d_x) or (n), Y (n, d_y) or (n), n &gt;= 2; computed in float64 on the inputs' device.</para>
/// <para>With <see cref="GaussianMutualInformationEstimatorOptions.BiasCorrection"/> (default), each log-determinant of a
/// p-dimensional block is replaced by its unbiased version ln det S - sum_{i=1..p} [psi((n - i)/2) + ln(2/(n - 1))]
/// (the expectation of the log-determinant of a Wishart matrix), removing the ~ d_x d_y / (2n) upward bias. Derivation:
/// (n - 1) S ~ W_p(n - 1, Sigma), and det((n - 1) S) / det Sigma is distributed as the product of independent chi-square
/// variables with n - 1, n - 2, ..., n - p degrees of freedom (R. J. Muirhead, <i>Aspects of Multivariate Statistical
/// Theory</i>, Wiley, 1982, Theorem 3.2.15), with E ln chi^2_k = psi(k/2) + ln 2. This needs n - p &gt;= 1 for the joint
/// block, p = d_x + d_y: with fewer samples (n &lt;= d_x + d_y) the correction is undefined and
/// <see cref="Estimate(Tensor, Tensor)"/> throws rather than apply it to the marginal blocks only. Constant columns
/// (zeroed, with Ridge &gt; 0) have no sampling variability and are not counted in d_x, d_y or p, so a constant
/// column changes neither the corrected estimate nor the sample-count check.</para>
/// <para>Exact for jointly Gaussian data; otherwise a second-moment summary that can under- or over-state I
/// (uncorrelated but dependent data give 0; near-deterministic discrete relations give more than I: X = +-1 and
/// Y = X + 0.01 N give about 4.6 nats, above I &lt;= ln 2). This is the ground truth used to test the other
/// estimators on Gaussian data (METHOD.md section 5). Stateless and thread-safe.</para>
/// </remarks>
public sealed class GaussianMutualInformationEstimator : IMutualInformationEstimator
{
    private readonly GaussianMutualInformationEstimatorOptions _options;

    /// <summary>Creates the estimator with the default options. (A separate constructor rather than an optional
    /// parameter, so that a dependency-injection container that registers the options pattern picks the
    /// <c>IOptions</c> constructor unambiguously.)</summary>
    public GaussianMutualInformationEstimator()
        : this((GaussianMutualInformationEstimatorOptions?)null)
    {
    }

    /// <summary>Creates the estimator with validated options (default Ridge = 1e-8, bias correction on).</summary>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <exception cref="OptionsValidationException">An option is out of range (the message names it).</exception>
    public GaussianMutualInformationEstimator(GaussianMutualInformationEstimatorOptions? options)
    {
        var source = options ?? new GaussianMutualInformationEstimatorOptions();
        OptionsCheck.Validated(source, new GaussianMutualInformationEstimatorOptionsValidator());
        _options = new GaussianMutualInformationEstimatorOptions { Ridge = source.Ridge, BiasCorrection = source.BiasCorrection };
    }

    /// <summary>Creates the estimator from bound options (dependency injection).</summary>
    /// <param name="options">The options accessor; its value is validated.</param>
    public GaussianMutualInformationEstimator(IOptions<GaussianMutualInformationEstimatorOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <inheritdoc />
    public string Name => "gaussian";

    /// <summary>Whether the Wishart bias correction is applied (<see cref="GaussianMutualInformationEstimatorOptions.BiasCorrection"/>);
    /// it needs n &gt; d_x + d_y samples.</summary>
    public bool BiasCorrection => _options.BiasCorrection;

    /// <summary>The analytic I(X; Y) of d-dimensional X, Y whose coordinate pairs (x_c, y_c) are independent with
    /// correlation rho: -d/2 ln(1 - rho^2) nats (the standard bivariate-normal result, summed over the d pairs; Cover
    /// and Thomas, <i>Elements of Information Theory</i>, ch. 8).</summary>
    /// <param name="dimension">d, at least 1.</param>
    /// <param name="rho">The per-coordinate correlation, in (-1, 1).</param>
    /// <returns>The mutual information in nats.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is less than 1, or
    /// <paramref name="rho"/> is not a number in (-1, 1) (NaN included).</exception>
    public static double AnalyticCorrelatedVectors(int dimension, double rho)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!(Math.Abs(rho) < 1)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must lie in (-1, 1).");
        return -0.5 * dimension * Math.Log(1 - rho * rho);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Bad shapes, mismatched rows, n &lt; 2, a non-finite value, (with
    /// Ridge = 0) a constant column or a singular covariance (naming x when x's block is singular, y when y's block is,
    /// or when the joint one is while both blocks are regular: a column of y then depends on the columns of x and the
    /// other columns of y), or (with BiasCorrection) n &lt;= d_x + d_y, where the Wishart correction of the joint block
    /// is undefined (the message gives n and d_x + d_y; add samples or set BiasCorrection = false).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public double Estimate(Tensor x, Tensor y)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        TensorArgument.ThrowIfNullOrDisposed(y);
        using var scope = NewDisposeScope();
        var (xm, ym) = MutualInformationInput.ValidateAndConvert(x, y, 2, Name);
        long dx = xm.shape[1], dy = ym.shape[1], n = xm.shape[0];
        var joint = cat(new[] { xm, ym }, 1);
        var constant = joint.amax(0).eq(joint.amin(0));
        // A constant column has no sampling variability: it is zeroed below and contributes exactly 0, so the
        // Wishart correction counts only the varying columns of each block.
        long constantX = constant.narrow(0, 0, dx).sum().item<long>(), constantY = constant.narrow(0, dx, dy).sum().item<long>();
        long varyingX = dx - constantX, varyingY = dy - constantY;
        if (_options.BiasCorrection && n <= varyingX + varyingY)
            throw new ArgumentException(
                $"{Name}: the bias correction needs more samples than joint dimensions (n > d_x + d_y, constant columns not counted), " +
                $"got n = {n} and d_x + d_y = {varyingX + varyingY}; add samples, reduce the dimensions, or set BiasCorrection = false.", nameof(x));
        if (_options.Ridge == 0 && constant.any().item<bool>())
        {
            long column = constant.nonzero()[0, 0].item<long>();
            string name = column < dx ? $"x column {column}" : $"y column {column - dx}";
            throw new ArgumentException($"{Name}: {name} is constant (zero variance); set Ridge > 0 to let it contribute 0, or drop it.",
                column < dx ? nameof(x) : nameof(y));
        }
        // Each column scaled by an exact power of two to a largest magnitude in [0.5, 1) first: the correlation does
        // not depend on it (the same bits where the plain products are in range), and the products can no longer
        // overflow or underflow for valid but very large or very small values.
        joint = joint * PowerOfTwoScaling.ColumnScales(joint);
        using var zero = 0.0.ToScalar();
        using var one = 1.0.ToScalar();
        var centred = (joint - joint.mean(new long[] { 0 }, keepdim: true)).masked_fill(constant.unsqueeze(0), zero);
        using var degreesOfFreedom = (n - 1).ToScalar();
        var covariance = centred.t().matmul(centred).div(degreesOfFreedom);
        var scale = covariance.diagonal().masked_fill(constant, one).sqrt();
        var correlation = covariance / scale.unsqueeze(0) / scale.unsqueeze(1);
        if (_options.Ridge > 0)
            correlation = correlation.Plus(eye(dx + dy, dtype: ScalarType.Float64, device: correlation.device).Times(_options.Ridge));

        double ldx = LogDeterminant(correlation.narrow(0, 0, dx).narrow(1, 0, dx),
            "in x's block (collinear columns of x, or n <= d_x)", nameof(x));
        double ldy = LogDeterminant(correlation.narrow(0, dx, dy).narrow(1, dx, dy),
            "in y's block (collinear columns of y, or n <= d_y)", nameof(y));
        // Reached only with both blocks regular: a null vector (a, b) of the joint matrix then has b != 0 (x's columns
        // are independent), so a column of y is a combination of x's columns and y's other ones, and y is named.
        double ld = LogDeterminant(correlation,
            "in the joint block although x's and y's are not: a column of y is a linear combination of the columns of x " +
            "and the other columns of y (or n <= d_x + d_y)", nameof(y));
        double mi = 0.5 * (ldx + ldy - ld);
        if (_options.BiasCorrection)
            mi -= 0.5 * (LogDetBias(varyingX, n) + LogDetBias(varyingY, n) - LogDetBias(varyingX + varyingY, n));
        return mi;
    }

    /// <inheritdoc />
    public double Estimate(double[,] x, double[,] y)
    {
        using var scope = NewDisposeScope();
        return Estimate(MutualInformationInput.FromArray(x, nameof(x), Name), MutualInformationInput.FromArray(y, nameof(y), Name));
    }

    /// <summary>ln det of a correlation block; a singular block is reported as an <see cref="ArgumentException"/> naming
    /// <paramref name="paramName"/>, the argument whose columns make it singular.</summary>
    private double LogDeterminant(Tensor matrix, string where, string paramName)
    {
        var (sign, logAbs) = linalg.slogdet(matrix);
        double s = sign.item<double>(), value = logAbs.item<double>();
        if (s <= 0 || !double.IsFinite(value))
            throw new ArgumentException($"{Name}: the sample covariance is singular {where}; set Ridge > 0.", paramName);
        return value;
    }

    /// <summary>E[ln det S] - ln det Sigma for a p-dimensional sample covariance of n Gaussian samples (n &gt; p, checked
    /// by <see cref="Estimate(Tensor, Tensor)"/> for the joint block, which implies it for the marginal ones).</summary>
    private static double LogDetBias(long p, long n)
    {
        System.Diagnostics.Debug.Assert(n - p >= 1, "the caller checks n > d_x + d_y");
        double bias = 0;
        for (long i = 1; i <= p; i++) bias += SpecialFunctions.DiGamma((n - i) / 2.0) + Math.Log(2.0 / (n - 1));
        return bias;
    }
}
