namespace BalancedMultimodal.Core.Information;

/// <summary>Options of <see cref="GaussianMutualInformationEstimator"/> (configuration section <c>Gaussian</c>).</summary>
public sealed class GaussianMutualInformationEstimatorOptions
{
    /// <summary>Ridge r added to the diagonal of the sample correlation matrix before the log-determinants
    /// (dimensionless, since the estimator works on correlations). Default 1e-8: it keeps near-singular
    /// covariances (n &lt;= d, collinear columns) finite and lets constant columns contribute exactly 0. With 0, a
    /// constant column or a singular covariance is rejected with an <see cref="ArgumentException"/>. Must be &gt;= 0.</summary>
    public double Ridge { get; set; } = 1e-8;

    /// <summary>Subtract the exact small-sample bias of the Gaussian log-determinants (Wishart expectation, see
    /// <see cref="GaussianMutualInformationEstimator"/>). Default true: the plain closed form of METHOD.md
    /// overestimates by about d_x d_y / (2n) (0.025 nats at d = 10, n = 2,000); set false for the plain form. Needs
    /// n &gt; d_x + d_y samples (constant columns not counted, since they contribute exactly 0): with fewer, an
    /// estimate is rejected with an <see cref="ArgumentException"/>.</summary>
    public bool BiasCorrection { get; set; } = true;
}
