using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Estimates the mutual information I(X; Y) = E[ln p(x, y) / (p(x) p(y))], in nats, from n paired samples.
/// </summary>
/// <remarks>
/// <para>X is an (n, d_x) matrix and Y an (n, d_y) matrix whose row i describe the same sample. Tensor inputs may
/// live on any device and be float32 or float64; implementations compute on the inputs' device.</para>
/// <para>Implementations are stateless and safe to call from several threads at once. Inputs are validated at
/// this boundary: mismatched row counts, non-finite values and too few rows raise <see cref="ArgumentException"/>
/// naming the argument, row and column.</para>
/// <para>Reference: METHOD.md section 5; Kraskov, Stögbauer and Grassberger, Phys. Rev. E 69, 066138 (2004).</para>
/// </remarks>
public interface IMutualInformationEstimator
{
    /// <summary>A short, stable name of the estimator (e.g. <c>ksg</c>), used in logs and plans.</summary>
    string Name { get; }

    /// <summary>Estimates I(X; Y) in nats.</summary>
    /// <param name="x">Samples of X, shape (n, d_x) or (n).</param>
    /// <param name="y">Samples of Y, shape (n, d_y) or (n); same n and device as <paramref name="x"/>.</param>
    /// <returns>The estimate in nats (may be slightly negative for bias-corrected estimators).</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentException">Shapes other than (n, d) or (n), mismatched row counts, too few rows or a
    /// non-finite value, naming the argument (and the row and column of a non-finite value); each implementation
    /// documents its further conditions.</exception>
    double Estimate(Tensor x, Tensor y);

    /// <summary>Estimates I(X; Y) in nats from arrays (rows are samples).</summary>
    /// <param name="x">Samples of X, shape (n, d_x).</param>
    /// <param name="y">Samples of Y, shape (n, d_y).</param>
    /// <returns>The estimate in nats.</returns>
    /// <exception cref="ArgumentException">Shapes other than (n, d) or (n), mismatched row counts, too few rows or a
    /// non-finite value, naming the argument (and the row and column of a non-finite value); each implementation
    /// documents its further conditions.</exception>
    double Estimate(double[,] x, double[,] y);
}
