using FluentAssertions;
using MathNet.Numerics.Distributions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.TestDoubles;

/// <summary>The test double itself is checked against the analytic value before the other tests rely on it.</summary>
public class GaussianTestDoubleTests
{
    [Fact]
    public void Correlated_gaussian_scalars_give_minus_half_log_one_minus_rho_squared()
    {
        var random = new Random(3);
        const int n = 20000;
        const double rho = 0.8;
        var x = new double[n, 1];
        var y = new double[n, 1];
        for (int i = 0; i < n; i++)
        {
            double a = Normal.Sample(random, 0, 1), b = Normal.Sample(random, 0, 1);
            x[i, 0] = a;
            y[i, 0] = rho * a + Math.Sqrt(1 - rho * rho) * b;
        }

        new GaussianTestDoubleMutualInformationEstimator().Estimate(x, y)
            .Should().BeApproximately(-0.5 * Math.Log(1 - rho * rho), 0.02);
    }
}
