using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Information;

public class MutualInformationThreadSafetyTests
{
    [Fact]
    public void Several_threads_at_once_get_the_single_threaded_results()
    {
        var (x, y) = MiFixtures.Columns("cc_rho0.9.csv");
        var (c, labels) = MiFixtures.Columns("cd.csv");
        IMutualInformationEstimator[] estimators =
        [
            new KsgEstimator(), new GaussianMutualInformationEstimator(),
            new InfoNceEstimator(new InfoNceEstimatorOptions { Steps = 40, BatchSize = 64, HiddenSize = 16, Seed = 2 }),
        ];
        var mixed = new ContinuousDiscreteEstimator();
        var expected = estimators.Select(e => e.Estimate(x, y)).Append(mixed.Estimate(c, labels)).ToArray();

        var results = new double[6][];
        using var start = new Barrier(results.Length);
        var threads = Enumerable.Range(0, results.Length).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            results[t] = estimators.Select(e => e.Estimate(x, y)).Append(mixed.Estimate(c, labels)).ToArray();
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();

        foreach (var r in results) r.Should().Equal(expected);
    }
}
