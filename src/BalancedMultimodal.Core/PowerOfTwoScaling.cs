using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core;

/// <summary>
/// Exact rescaling by powers of two, for the scale-free statistics of the library (z-scores, correlations, cosines,
/// ratios), so that squares and sums of very large or very small but valid values neither overflow nor underflow.
/// </summary>
/// <remarks>
/// <para>
/// For a vector with largest magnitude <c>m &gt; 0</c> the scale is <c>s = 2^-k</c> with <c>k = floor(log2 m) + 1</c>,
/// so that <c>m s</c> lies in [0.5, 1); a vector of zeros gets <c>s = 1</c>. <c>k</c> is clamped so that <c>s</c> is a
/// normal number of the dtype (<c>2^-1022 .. 2^1023</c> for float64, <c>2^-126 .. 2^127</c> for float32 and bfloat16,
/// <c>2^-14 .. 2^15</c> for float16); the largest scaled magnitude is then below 4 at either end of the range.
/// </para>
/// <para>
/// Multiplying by a power of two is exact whenever the product is a normal number, and IEEE addition, subtraction,
/// multiplication, division and square root commute with it. A statistic that does not depend on the scale (a z-score
/// <c>(x - mean) / sd</c>, a correlation, a cosine, a ratio) therefore gives bit for bit the same result on <c>x s</c>
/// as on <c>x</c> wherever neither computation leaves the normal numbers (the plain one by overflowing or underflowing,
/// the scaled one by making a value much smaller than its vector's largest subnormal), and a correct one where the
/// plain one would overflow or underflow (e.g. <c>sum x^2</c> of values near 1e155, or near 1e-165, in float64). In
/// float32 and float64 a scaled value turns subnormal only when it is 2^125 (float32) or 2^1021 (float64) times
/// smaller than its vector's largest; in float16 already at 2^13, so the library's users of this class with
/// half-precision inputs (affinity z-scores, column-mean imputation, the cosine representation term) compute in float32.
/// </para>
/// </remarks>
public static class PowerOfTwoScaling
{
    /// <summary>The scale <c>2^-k</c> of a vector whose largest magnitude is <paramref name="maxAbs"/>, clamped to
    /// float64's normal range (see the class remarks).</summary>
    /// <param name="maxAbs">The largest magnitude, finite and &gt;= 0.</param>
    /// <returns>An exact power of two; 1 when <paramref name="maxAbs"/> is 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="maxAbs"/> is negative or not finite.</exception>
    public static double Scale(double maxAbs)
    {
        if (!double.IsFinite(maxAbs) || maxAbs < 0)
            throw new ArgumentOutOfRangeException(nameof(maxAbs), maxAbs, "The largest magnitude must be finite and >= 0.");
        if (maxAbs == 0) return 1.0;
        var (minExponent, maxExponent) = ExponentRange(ScalarType.Float64);
        return Math.ScaleB(1.0, -Math.Clamp(Math.ILogB(maxAbs) + 1, -maxExponent, -minExponent));
    }

    /// <summary>Per column j of a matrix, the exact power of two <c>s_j = 2^-k_j</c> that brings the column's largest
    /// magnitude into [0.5, 1) (class remarks), as a (1, d) tensor of the matrix's dtype and device (detached).</summary>
    /// <param name="matrix">A floating (n, d) matrix. A column holding a non-finite value gets scale 1, so the value
    /// reaches the caller's own finiteness check unchanged.</param>
    /// <returns>The scales, shape (1, d); multiply the matrix by them (broadcast) before a scale-free statistic.</returns>
    /// <exception cref="ArgumentException">When the matrix is not a 2-D floating tensor.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Tensor ColumnScales(Tensor matrix) => Scales(matrix, dimension: 0);

    /// <summary>Per row i of a matrix, the exact power of two <c>s_i = 2^-k_i</c> that brings the row's largest
    /// magnitude into [0.5, 1) (class remarks), as an (n, 1) tensor of the matrix's dtype and device (detached).</summary>
    /// <param name="matrix">A floating (n, d) matrix. A row holding a non-finite value gets scale 1.</param>
    /// <returns>The scales, shape (n, 1).</returns>
    /// <exception cref="ArgumentException">When the matrix is not a 2-D floating tensor.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Tensor RowScales(Tensor matrix) => Scales(matrix, dimension: 1);

    private static Tensor Scales(Tensor matrix, long dimension)
    {
        TensorArgument.ThrowIfNullOrDisposed(matrix);
        if (matrix.dim() != 2 || !matrix.is_floating_point())
            throw new ArgumentException(
                $"Expected a floating 2-D matrix, got {matrix.dtype} of shape ({string.Join(", ", matrix.shape)}).", nameof(matrix));
        // On the matrix's device, without a host round trip (a per-step loss calls this): with the largest magnitude m
        // clamped into the range whose k = floor(log2 m) + 1 lies in [-maxExponent, -minExponent], frexp gives
        // m = f 2^k with f in [0.5, 1), and f / m is exactly 2^-k (an IEEE division whose exact result is representable).
        // Scalars held in usings (per-step code: see ExplicitScalarArithmetic for TorchSharp's Scalar-finalizer race).
        var (minExponent, maxExponent) = ExponentRange(matrix.dtype);
        using var zero = 0.0.ToScalar();
        using var one = 1.0.ToScalar();
        using var lowest = Math.ScaleB(1.0, -maxExponent - 1).ToScalar();
        using var beyond = Math.ScaleB(1.0, -minExponent).ToScalar();
        using var highest = Math.ScaleB(1.0, -minExponent - 1).ToScalar();
        if (matrix.numel() == 0)   // no entry to scale: ones of the broadcast shape
            return ones(dimension == 0 ? [1, matrix.shape[1]] : [matrix.shape[0], 1], dtype: matrix.dtype, device: matrix.device);
        using var scope = NewDisposeScope();
        var largest = matrix.detach().abs().amax([dimension], keepdim: true);
        var usable = largest.isfinite().logical_and(largest.gt(zero));
        var clamped = largest.clamp_min(lowest).masked_fill(largest.ge(beyond), highest);
        var (fraction, _) = clamped.frexp();
        return (fraction / clamped).masked_fill(usable.logical_not(), one).MoveToOuterDisposeScope();
    }

    private static (int Min, int Max) ExponentRange(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 => (-14, 15),
        ScalarType.Float32 or ScalarType.BFloat16 => (-126, 127),
        _ => (-1022, 1023),
    };
}
