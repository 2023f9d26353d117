using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

public class PermutationTestTests
{
    private static readonly PermutationTestOptions Options = new() { Permutations = 199, Seed = 1 };

    [Fact]
    public void Independent_data_give_a_p_value_above_0_05()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(400, 1, 0.0, seed: 21);

        new PermutationTest(new KsgEstimator(), Options).Run(x, y).PValue.Should().BeGreaterThan(0.05);
    }

    [Fact]
    public void Correlation_0_5_gives_a_p_value_below_0_01()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(400, 1, 0.5, seed: 22);

        var result = new PermutationTest(new KsgEstimator(), Options).Run(x, y);

        result.PValue.Should().BeLessThan(0.01);
        result.PValue.Should().Be(1.0 / 200, "no permutation reaches the observed estimate");
    }

    [Fact]
    public void Null_mean_is_near_zero_and_the_estimate_is_the_plain_estimate()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(400, 1, 0.5, seed: 22);
        var estimator = new GaussianMutualInformationEstimator();

        var result = new PermutationTest(estimator, Options).Run(x, y);

        result.Estimate.Should().Be(estimator.Estimate(x, y));
        result.NullMean.Should().BeApproximately(0.0, 0.01);
        result.Permutations.Should().Be(199);
    }

    [Fact]
    public void The_same_seed_gives_the_same_result()
    {
        var (x, y) = MiFixtures.Columns("cc_rho0.0.csv");
        var options = new PermutationTestOptions { Permutations = 30, Seed = 5 };

        new PermutationTest(new KsgEstimator(), options).Run(x, y)
            .Should().Be(new PermutationTest(new KsgEstimator(), options).Run(x, y));
    }

    [Theory]
    [InlineData(0)]    // automatic blocks: one block of all rows
    [InlineData(16)]   // many row blocks, the last one partial
    public void The_cached_ksg_null_equals_estimating_every_permuted_pair_from_scratch_bit_for_bit(int blockSize)
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(150, 3, 0.3, seed: 23);
        var y2 = y.narrow(1, 0, 2);
        var ksg = new KsgEstimator(new KsgEstimatorOptions { K = 3, BlockSize = blockSize });
        var options = new PermutationTestOptions { Permutations = 40, Seed = 9 };

        var cached = new PermutationTest(ksg, options).Run(x, y2);
        var fromScratch = new PermutationTest(new OnePairAtATime(ksg), options).Run(x, y2);

        cached.Should().Be(fromScratch);
        cached.NullMean.Should().NotBe(0.0);
        cached.PValue.Should().BeLessThan(0.05);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void The_cached_ksg_null_equals_estimating_every_pair_from_scratch_with_tied_and_duplicate_samples(int k)
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(120, 2, 0.4, seed: 24);
        // Rounded to a coarse grid: many equal distances, duplicate rows and radii of 0, the edge cases of the neighbour counts.
        var xr = (x * 2).round() / 2;
        var yr = (y * 2).round() / 2;
        var ksg = new KsgEstimator(new KsgEstimatorOptions { K = k });
        var options = new PermutationTestOptions { Permutations = 30, Seed = 3 };

        new PermutationTest(ksg, options).Run(xr, yr).Should().Be(new PermutationTest(new OnePairAtATime(ksg), options).Run(xr, yr));
    }

    [Fact]
    public void Above_the_cache_limit_the_ksg_estimator_declines_and_the_test_estimates_one_by_one()
    {
        using var scope = NewDisposeScope();
        int n = KsgEstimator.PermutationCacheRows + 1;
        using var generator = new Generator(98);
        var x = randn(n, 1, dtype: ScalarType.Float64, generator: generator);
        var permutation = Enumerable.Range(0, n).Select(i => (long)i).ToArray();

        ((IPermutationNullEstimator)new KsgEstimator()).EstimateWithPermutedY(x, x, [permutation]).Should().BeNull();
    }

    [Fact]
    public void A_permutation_of_the_wrong_length_is_rejected_naming_it()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(20, 1, 0.3, seed: 24);
        var act = () => ((IPermutationNullEstimator)new KsgEstimator()).EstimateWithPermutedY(x, y, [new long[] { 0, 1 }]);

        act.Should().Throw<ArgumentException>().WithParameterName("permutations").WithMessage("*Permutation 0 has 2 entries*20 rows*");
    }

    [Fact]
    public void A_repeated_row_in_a_permutation_is_rejected_naming_it()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(4, 1, 0.3, seed: 25);
        var act = () => new KsgEstimator(new KsgEstimatorOptions { K = 1 }).EstimateWithPermutedY(x, y, [[0, 1, 2, 3], [0, 1, 1, 3]]);

        act.Should().Throw<ArgumentException>().WithParameterName("permutations").WithMessage("*Permutation 1 is not a permutation of 0..3: row 1*");
    }

    /// <summary>Hides the KSG estimator's permutation cache, so the test takes the one-estimate-per-permutation path.</summary>
    private sealed class OnePairAtATime(IMutualInformationEstimator inner) : IMutualInformationEstimator
    {
        public string Name => inner.Name;
        public double Estimate(Tensor x, Tensor y) => inner.Estimate(x, y);
        public double Estimate(double[,] x, double[,] y) => inner.Estimate(x, y);
    }

    [Fact]
    public void Zero_permutations_are_rejected_naming_the_option()
    {
        var act = () => new PermutationTest(new KsgEstimator(), new PermutationTestOptions { Permutations = 0 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*Permutations*");
    }

    [Fact]
    public void The_p_value_counts_the_null_estimates_that_reach_the_observed_one_plus_one()
    {
        using var scope = NewDisposeScope();
        // Observed 0.5; null estimates 0.1, 0.5 (a tie counts), 0.7: p = (1 + 2) / (1 + 3), null mean 1.3 / 3.
        var estimator = new ScriptedEstimator(0.5, 0.1, 0.5, 0.7);

        var result = new PermutationTest(estimator, new PermutationTestOptions { Permutations = 3 }).Run(arange(5.0), arange(5.0));

        result.Estimate.Should().Be(0.5);
        result.PValue.Should().Be(0.75);
        result.NullMean.Should().BeApproximately(1.3 / 3, 1e-15);
        result.Permutations.Should().Be(3);
    }

    [Fact]
    public void Every_permutation_shuffles_the_rows_of_y_only_and_all_orders_occur()
    {
        using var scope = NewDisposeScope();
        var estimator = new ScriptedEstimator();

        new PermutationTest(estimator, new PermutationTestOptions { Permutations = 120, Seed = 7 }).Run(tensor(new[] { 1.0, 2, 3 }), tensor(new[] { 10.0, 20, 30 }));

        estimator.SeenY.Should().HaveCount(121);
        estimator.SeenY[0].Should().Equal(10, 20, 30);
        estimator.SeenX.Should().AllSatisfy(x => x.Should().Equal(1, 2, 3));
        var permuted = estimator.SeenY.Skip(1).ToArray();
        permuted.Should().AllSatisfy(y => y.Order().Should().Equal(10, 20, 30));
        permuted.Select(y => string.Join(",", y)).Distinct().Should().HaveCount(6, "a uniform shuffle of three rows reaches all 3! orders");
    }

    [Fact]
    public void The_default_options_run_199_permutations()
    {
        using var scope = NewDisposeScope();
        var estimator = new ScriptedEstimator();

        var result = new PermutationTest(estimator).Run(arange(4.0), arange(4.0));

        result.Permutations.Should().Be(199);
        estimator.SeenY.Should().HaveCount(200);
        result.PValue.Should().Be(1.0, "every null estimate (0) reaches the observed one (0)");
        new PermutationTest(estimator).Estimator.Should().BeSameAs(estimator);
    }

    [Fact]
    public void Array_input_runs_the_test_on_the_same_values()
    {
        var estimator = new ScriptedEstimator(1.0, 0.0, 2.0);

        var result = new PermutationTest(estimator, new PermutationTestOptions { Permutations = 2 })
            .Run(new double[,] { { 1 }, { 2 }, { 3 } }, new double[,] { { 4 }, { 5 }, { 6 } });

        result.Should().Be(new PermutationTestResult(1.0, 1.0, 2.0 / 3, 2));
        estimator.SeenX[0].Should().Equal(1, 2, 3);
        estimator.SeenY[0].Should().Equal(4, 5, 6);
    }

    [Fact]
    public void Null_arguments_are_rejected_naming_them()
    {
        using var scope = NewDisposeScope();
        var test = new PermutationTest(new ScriptedEstimator());

        FluentActions.Invoking(() => test.Run(null!, zeros(3))).Should().Throw<ArgumentNullException>().WithParameterName("x");
        FluentActions.Invoking(() => test.Run(zeros(3), null!)).Should().Throw<ArgumentNullException>().WithParameterName("y");
        FluentActions.Invoking(() => new PermutationTest(null!)).Should().Throw<ArgumentNullException>().WithParameterName("estimator");
        FluentActions.Invoking(() => new PermutationTest(new ScriptedEstimator(), (IOptions<PermutationTestOptions>)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Bound_options_are_validated_and_used()
    {
        using var scope = NewDisposeScope();
        var estimator = new ScriptedEstimator();

        new PermutationTest(estimator, Microsoft.Extensions.Options.Options.Create(new PermutationTestOptions { Permutations = 5 })).Run(arange(3.0), arange(3.0))
            .Permutations.Should().Be(5);
        FluentActions.Invoking(() => new PermutationTest(estimator, Microsoft.Extensions.Options.Options.Create(new PermutationTestOptions { Permutations = -1 })))
            .Should().Throw<OptionsValidationException>().WithMessage("*Permutations must be at least 1, got -1*");
    }

    [Theory]
    [InlineData(0.05, 0.05, true)]
    [InlineData(0.05, 0.04, false)]
    public void Significance_means_a_p_value_at_most_alpha(double pValue, double alpha, bool significant)
    {
        new PermutationTestResult(0.3, 0.0, pValue, 19).IsSignificant(alpha).Should().Be(significant);
    }

    [Fact]
    public void A_missing_or_out_of_range_permutation_is_rejected_naming_it()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(4, 1, 0.3, seed: 25);
        var ksg = new KsgEstimator(new KsgEstimatorOptions { K = 1 });

        FluentActions.Invoking(() => ksg.EstimateWithPermutedY(x, y, null!)).Should().Throw<ArgumentNullException>().WithParameterName("permutations");
        FluentActions.Invoking(() => ksg.EstimateWithPermutedY(x, y, [null!]))
            .Should().Throw<ArgumentException>().WithParameterName("permutations").WithMessage("Permutation 0 has 0 entries; Y has 4 rows*");
        FluentActions.Invoking(() => ksg.EstimateWithPermutedY(x, y, [[0, 1, 2, 4]]))
            .Should().Throw<ArgumentException>().WithMessage("*Permutation 0 is not a permutation of 0..3: row 4*");
        FluentActions.Invoking(() => ksg.EstimateWithPermutedY(x, y, [[0, 1, -1, 3]]))
            .Should().Throw<ArgumentException>().WithMessage("*Permutation 0 is not a permutation of 0..3: row -1*");
    }

    [Fact]
    public void A_single_permutation_is_allowed()
    {
        using var scope = NewDisposeScope();

        var result = new PermutationTest(new ScriptedEstimator(0.2, 0.4), new PermutationTestOptions { Permutations = 1 }).Run(arange(3.0), arange(3.0));

        result.Should().Be(new PermutationTestResult(0.2, 0.4, 1.0, 1));
    }

    [Theory]
    [InlineData(double.NaN, 0.2)]
    [InlineData(0.5, double.NaN)]
    [InlineData(0.5, double.PositiveInfinity)]
    public void A_non_finite_estimate_is_refused_naming_the_estimator_and_the_permutation(double observed, double second)
    {
        // A NaN null value counted as below the observed one: p = 1/(P + 1), "significant".
        using var scope = NewDisposeScope();
        var test = new PermutationTest(new ScriptedEstimator(observed, 0.1, second, 0.3), new PermutationTestOptions { Permutations = 3, Seed = 1 });

        var act = () => test.Run(randn(10, 1, dtype: ScalarType.Float64), randn(10, 1, dtype: ScalarType.Float64));

        act.Should().Throw<InvalidOperationException>()
            .WithMessage(double.IsNaN(observed) ? "The estimator 'scripted' returned NaN for the observed pairing*" : $"The estimator 'scripted' returned {second.ToString(System.Globalization.CultureInfo.InvariantCulture)} for permutation 2 of 3*");
    }
}
