using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Plug-in (maximum-likelihood) mutual information of two discrete variables:
/// <code>
/// I = sum_{x, y} p(x, y) ln( p(x, y) / (p(x) p(y)) ),   p = empirical frequencies
/// </code>
/// Each distinct row of X (and of Y) is one category, so several columns form a joint discrete variable.
/// </summary>
/// <remarks>
/// <para>Shapes: X (n, d_x) or (n), Y (n, d_y) or (n), any real values (compared exactly, integer dtypes as integers;
/// NaN and infinities rejected), n &gt;= 1.
/// Matches scikit-learn's <c>mutual_info_score</c> (natural log) for label vectors. The plug-in estimate is biased
/// upwards by about (|X| - 1)(|Y| - 1) / (2n) (Miller-Madow); use the permutation test to judge dependence.</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class DiscreteMutualInformationEstimator : IMutualInformationEstimator
{
    /// <inheritdoc />
    public string Name => "discrete";

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public double Estimate(Tensor x, Tensor y)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        TensorArgument.ThrowIfNullOrDisposed(y);
        using var scope = NewDisposeScope();
        var (xm, ym) = MutualInformationInput.ValidateAndConvert(x, y, 1, Name);
        // Integer values are compared as integers: their float64 copies would merge int64 codes above 2^53.
        return EstimateCodes(Codes(x.is_floating_point() ? xm : AsIntegerMatrix(x)), Codes(y.is_floating_point() ? ym : AsIntegerMatrix(y)));
    }

    /// <inheritdoc />
    public double Estimate(double[,] x, double[,] y)
    {
        using var scope = NewDisposeScope();
        return Estimate(MutualInformationInput.FromArray(x, nameof(x), Name), MutualInformationInput.FromArray(y, nameof(y), Name));
    }

    /// <summary>Estimates I(X; Y) in nats for two label vectors.</summary>
    /// <param name="x">Labels of X, length n.</param>
    /// <param name="y">Labels of Y, length n.</param>
    /// <returns>The plug-in estimate in nats.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="y"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> and <paramref name="y"/> have different lengths (naming
    /// <paramref name="y"/>), or are empty (naming <paramref name="x"/>).</exception>
    public double Estimate(int[] x, int[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != y.Length)
            throw new ArgumentException($"{Name}: x has {x.Length} rows but y has {y.Length}; rows are paired samples and must match.", nameof(y));
        if (x.Length == 0) throw new ArgumentException($"{Name}: needs at least 1 sample, got 0.", nameof(x));
        var joint = new Dictionary<(int, int), long>();
        var px = new Dictionary<int, long>();
        var py = new Dictionary<int, long>();
        for (int i = 0; i < x.Length; i++)
        {
            joint[(x[i], y[i])] = joint.GetValueOrDefault((x[i], y[i])) + 1;
            px[x[i]] = px.GetValueOrDefault(x[i]) + 1;
            py[y[i]] = py.GetValueOrDefault(y[i]) + 1;
        }
        double n = x.Length, mi = 0;
        foreach (var ((a, b), c) in joint) mi += c / n * Math.Log(n * c / ((double)px[a] * py[b]));
        return mi;
    }

    private static Tensor AsIntegerMatrix(Tensor t) => (t.dim() == 1 ? t.unsqueeze(1) : t).detach().to_type(ScalarType.Int64);

    private static Tensor Codes(Tensor m)
    {
        var (_, inverse, _) = m.unique(sorted: true, return_inverse: true, return_counts: false, dim: 0);
        return inverse ?? throw new InvalidOperationException("torch.unique returned no inverse indices.");
    }

    private static double EstimateCodes(Tensor cx, Tensor cy)
    {
        long n = cx.shape[0];
        long ky = cy.max().item<long>() + 1;
        using var kyScalar = ky.ToScalar();
        using var zero = 0.ToScalar();
        var joint = cx.mul(kyScalar).Plus(cy);
        var countXY = joint.bincount(null).to_type(ScalarType.Float64);
        var countX = cx.bincount(null).to_type(ScalarType.Float64);
        var countY = cy.bincount(null).to_type(ScalarType.Float64);
        var nonzero = countXY.gt(zero).nonzero().squeeze(1);
        var cxy = countXY.index_select(0, nonzero);
        var margX = countX.index_select(0, nonzero.div(kyScalar, rounding_mode: RoundingMode.floor));
        var margY = countY.index_select(0, nonzero.remainder(kyScalar));
        using var nScalar = n.ToScalar();
        var terms = cxy.div(nScalar).mul(cxy.mul(nScalar).div(margX * margY).log());
        return terms.sum().item<double>();
    }
}
