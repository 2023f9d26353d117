using System.Globalization;
using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

/// <summary><see cref="KsgEstimatorOptions.ScaleColumns"/>: every column divided by its population standard deviation
/// before the neighbour search, as scikit-learn's <c>mutual_info_regression</c> does.</summary>
public class KsgEstimatorScaleColumnsTests
{
    private static readonly KsgEstimator Scaled = new(new KsgEstimatorOptions { ScaleColumns = true });

    [Theory]
    [InlineData(1000.0)]
    [InlineData(1e-3)]
    public void With_scaled_columns_a_rescaled_y_gives_the_same_estimate_and_without_it_does_not(double c)
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(200, 1, 0.9, seed: 5);
        var stretched = y * c;

        Scaled.Estimate(x, stretched).Should().BeApproximately(Scaled.Estimate(x, y), 1e-12);
        var plain = new KsgEstimator();
        Math.Abs(plain.Estimate(x, stretched) - plain.Estimate(x, y)).Should().BeGreaterThan(0.5,
            "the default estimates the data as given, and the max-norm KSG is not invariant to rescaling one variable");
    }

    [Fact]
    public void With_scaled_columns_each_column_of_a_multi_column_x_is_scaled_on_its_own()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(200, 2, 0.6, seed: 9);
        var factors = tensor(new[] { 1000.0, 1e-3 }, dtype: ScalarType.Float64).unsqueeze(0);
        var stretched = x * factors;

        Scaled.Estimate(stretched, y).Should().BeApproximately(Scaled.Estimate(x, y), 1e-12);
        Scaled.Estimate(stretched, y * 250.0).Should().BeApproximately(Scaled.Estimate(x, y), 1e-12);
        var plain = new KsgEstimator();
        Math.Abs(plain.Estimate(stretched, y) - plain.Estimate(x, y)).Should().BeGreaterThan(0.2);
    }

    [Fact]
    public void Every_path_scales_the_columns_blocks_arrays_float32_and_the_cached_permutations()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(120, 2, 0.7, seed: 2);
        var stretched = y * 1000.0;
        double expected = Scaled.Estimate(x, y);

        new KsgEstimator(new KsgEstimatorOptions { ScaleColumns = true, BlockSize = 7 }).Estimate(x, stretched)
            .Should().BeApproximately(expected, 1e-12);
        Scaled.Estimate(ToArray(x), ToArray(stretched)).Should().BeApproximately(expected, 1e-12);
        Scaled.Estimate(x.to_type(ScalarType.Float32), stretched.to_type(ScalarType.Float32))
            .Should().Be(Scaled.Estimate(x.to_type(ScalarType.Float32).to_type(ScalarType.Float64), stretched.to_type(ScalarType.Float32).to_type(ScalarType.Float64)));

        long[] identity = Enumerable.Range(0, 120).Select(i => (long)i).ToArray();
        long[] reversed = Enumerable.Reverse(identity).ToArray();
        var permuted = Scaled.EstimateWithPermutedY(x, stretched, [identity, reversed]);
        permuted.Should().NotBeNull();
        permuted![0].Should().BeApproximately(expected, 1e-12);
        permuted[1].Should().BeApproximately(Scaled.Estimate(x, y.index_select(0, tensor(reversed))), 1e-12);
    }

    [Fact]
    public void A_constant_or_near_constant_column_is_divided_by_one_as_scikit_learn_does()
    {
        // scikit-learn's _handle_zeros_in_scale: a standard deviation below 10 * 2^-52 is replaced by 1; here relative to
        // the column's largest magnitude. A column of spread 1e-15 around 7 (rounding noise of a constant) therefore stays
        // negligible, instead of being blown up to unit spread (noise that would dominate). (A column of spread 1e-15
        // around 0 is not constant relative to its magnitude and is scaled like any other: see the test above.)
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(100, 1, 0.8, seed: 4);
        var (tiny, _) = CorrelatedGaussian.Sample(100, 1, 0.0, seed: 8);
        var withConstant = cat([x * 1000.0, zeros(100, 1, dtype: ScalarType.Float64), full(100, 1, 7.0, dtype: ScalarType.Float64), tiny * 1e-15 + 7.0], 1);

        double estimate = Scaled.Estimate(withConstant, y);

        double.IsFinite(estimate).Should().BeTrue();
        estimate.Should().BeApproximately(Scaled.Estimate(x, y), 1e-12, "constant columns add nothing to a max-norm distance");
    }

    [Theory]
    [InlineData(1e160)]
    [InlineData(1e-16)]
    [InlineData(1e-200)]
    public void With_scaled_columns_a_column_far_from_unit_scale_gives_the_estimate_of_the_unscaled_one(double c)
    {
        // Overflow (1e160: the squares of a plain standard deviation are inf, the column turned to zeros and the estimate
        // to ~0) and an absolute zero-variance threshold (1e-16, 1e-200: a varying column of standard deviation below
        // 10 * 2^-52 counted as constant) both broke the invariance. The standard deviation is now computed on the column
        // pre-scaled by an exact power of two and compared with a threshold relative to its magnitude. c is not a power
        // of two, so x c and then x c / sd(x c) round differently from x / sd(x) (a few ulps, relative ~1e-16): a
        // neighbour count changes only when two distances tie within that, which these continuous samples do not, so
        // only the summation of the identical counts remains; 1e-12, as the other invariance tests here, is ample.
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(200, 1, 0.9, seed: 5);
        double expected = Scaled.Estimate(x, y);
        expected.Should().BeGreaterThan(0.5, "a strongly dependent pair, so a collapse to 0 is visible");

        Scaled.Estimate(x * c, y).Should().BeApproximately(expected, 1e-12);
        Scaled.Estimate(y, x * c).Should().BeApproximately(expected, 1e-12);
        Scaled.Estimate(cat([x * c, x], 1), y).Should().BeApproximately(Scaled.Estimate(cat([x, x], 1), y), 1e-12);
    }

    [Fact]
    public void A_constant_column_far_from_unit_scale_is_still_divided_by_one()
    {
        // Constant relative to its magnitude: columns of a single value, however large or small, stay constant (and so
        // add nothing to a max-norm distance) rather than being divided by a rounding residue.
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(100, 1, 0.8, seed: 4);
        var constants = cat([full(100, 1, 3e300, dtype: ScalarType.Float64), full(100, 1, 1e-300, dtype: ScalarType.Float64),
            full(100, 1, 0.1, dtype: ScalarType.Float64)], 1);

        Scaled.Estimate(cat([x, constants], 1), y).Should().Be(Scaled.Estimate(x, y));
        KsgEstimator.ScaledColumns(constants).eq(constants).all().item<bool>().Should().BeTrue("an exactly constant column is divided by 1");
    }

    [Fact]
    public void A_column_varying_by_1e_minus_12_around_1_is_scaled_to_unit_spread_not_treated_as_constant()
    {
        // Spread ~7e-13 around 1: far above the zero-variance threshold 10 * 2^-52 (~2.2e-15) relative to the column's
        // magnitude, far below a threshold a million times larger (~2.2e-10). Differences of 1e-12 near 1 carry a
        // relative rounding error of ~2e-4, so 1e-3 is the tolerance.
        using var scope = NewDisposeScope();
        var column = tensor(new[] { 1.0, 1.0 + 1e-12, 1.0 - 1e-12, 1.0 }, dtype: ScalarType.Float64).unsqueeze(1);

        var scaled = KsgEstimator.ScaledColumns(column);

        scaled.std(0, unbiased: false).item<double>().Should().BeApproximately(1.0, 1e-3,
            "a varying column is divided by its standard deviation, however small its spread relative to 1");
    }

    [Fact]
    public void Scaled_columns_divide_by_the_population_standard_deviation()
    {
        // [1, 2, 3]: population sd sqrt(2/3) (ddof = 0, scikit-learn's scale), not the sample sd 1 (ddof = 1).
        using var scope = NewDisposeScope();
        var column = tensor(new[] { 1.0, 2.0, 3.0 }, dtype: ScalarType.Float64).unsqueeze(1);

        var scaled = KsgEstimator.ScaledColumns(column);

        scaled[0, 0].item<double>().Should().BeApproximately(1.0 / Math.Sqrt(2.0 / 3.0), 1e-12, "the divisor is the population standard deviation");
    }

    [Fact]
    public void With_scaled_columns_the_estimate_is_scikit_learns_mutual_info_regression_on_columns_a_million_apart()
    {
        // Fixtures/mi/scaled (make_scaled_fixture.py): x ~ 1000 N(0, 1), y ~ 1e-3 (x / 1000 + 0.6 N(0, 1)), 200 rows.
        // scikit-learn scales both, adds noise of 1e-10 of the scaled values and clips at 0; the script checks that its
        // value equals the noise-free KSG of the scaled columns (difference 0: the noise moves no neighbour count), so
        // 1e-9 leaves only the rounding of the standard deviations, while the unscaled estimate is 0.66 nats away.
        var (x, y) = MiFixtures.Columns(Path.Combine("scaled", "data.csv"));
        var expected = File.ReadAllLines(MiFixtures.PathOf(Path.Combine("scaled", "expected.csv")))[1].Split(',')
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        double sklearn = expected[0], unscaled = expected[2];

        Scaled.Estimate(x, y).Should().BeApproximately(sklearn, 1e-9);
        new KsgEstimator(new KsgEstimatorOptions { ScaleColumns = true, K = 3 }).Estimate(y, x).Should().BeApproximately(sklearn, 1e-9);
        double plain = new KsgEstimator().Estimate(x, y);
        plain.Should().BeApproximately(unscaled, 1e-10);
        Math.Abs(plain - sklearn).Should().BeGreaterThan(0.5, "the fixture discriminates: unscaled, x dominates every joint distance");
    }

    [Fact]
    public void Scale_columns_is_off_by_default_and_copied_from_the_options()
    {
        var options = new KsgEstimatorOptions { ScaleColumns = true };
        var ksg = new KsgEstimator(options);
        options.ScaleColumns = false;

        new KsgEstimatorOptions().ScaleColumns.Should().BeFalse();
        new KsgEstimator().ScaleColumns.Should().BeFalse();
        ksg.ScaleColumns.Should().BeTrue();
        new KsgEstimatorOptionsValidator().Validate(null, new KsgEstimatorOptions { ScaleColumns = true }).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Scale_columns_is_bound_from_configuration_and_reaches_the_registered_estimator()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MutualInformation:Ksg:ScaleColumns"] = "true",
        }).Build();
        using var provider = new ServiceCollection().AddMutualInformationEstimators(configuration.GetSection("MutualInformation")).BuildServiceProvider();
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(100, 1, 0.8, seed: 6);

        var ksg = provider.GetRequiredService<KsgEstimator>();

        ksg.ScaleColumns.Should().BeTrue();
        provider.GetRequiredService<IMutualInformationEstimator>().Estimate(x, y * 1000.0).Should().BeApproximately(Scaled.Estimate(x, y), 1e-12);
    }

    private static double[,] ToArray(Tensor t)
    {
        var values = t.data<double>().ToArray();
        long rows = t.shape[0], columns = t.shape[1];
        var result = new double[rows, columns];
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < columns; j++) result[i, j] = values[i * columns + j];
        return result;
    }
}
