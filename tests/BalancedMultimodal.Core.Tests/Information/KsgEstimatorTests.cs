using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

public class KsgEstimatorTests
{
    [Theory]
    [InlineData("cc_rho0.0.csv", 3)]
    [InlineData("cc_rho0.0.csv", 5)]
    [InlineData("cc_rho0.5.csv", 3)]
    [InlineData("cc_rho0.5.csv", 5)]
    [InlineData("cc_rho0.9.csv", 3)]
    [InlineData("cc_rho0.9.csv", 5)]
    public void Estimate_matches_scikit_learn_compute_mi_cc_to_1e10(string file, int k)
    {
        var (x, y) = MiFixtures.Columns(file);
        var estimator = new KsgEstimator(new KsgEstimatorOptions { K = k });

        estimator.Estimate(x, y).Should().BeApproximately(MiFixtures.Expected(file, k), 1e-10);
    }
}
