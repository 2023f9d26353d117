using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

/// <summary>Seeded samples of d-dimensional X, Y with corr(x_c, y_c) = rho and independent coordinate pairs;
/// true I(X; Y) = -d/2 ln(1 - rho^2).</summary>
internal static class CorrelatedGaussian
{
    public static (Tensor X, Tensor Y) Sample(int n, int d, double rho, int seed)
    {
        using var generator = new Generator((ulong)seed);
        var x = randn(new long[] { n, d }, dtype: ScalarType.Float64, generator: generator);
        var noise = randn(new long[] { n, d }, dtype: ScalarType.Float64, generator: generator);
        return (x, rho * x + Math.Sqrt(1 - rho * rho) * noise);
    }

    public static double Truth(int d, double rho) => -0.5 * d * Math.Log(1 - rho * rho);
}
