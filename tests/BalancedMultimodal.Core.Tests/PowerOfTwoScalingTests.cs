using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Core.Tests.Information;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests;

/// <summary><see cref="PowerOfTwoScaling"/>, and the scale-free statistics that use it: the same bits as the plain
/// computation at usual scales, the same values at scales where the plain squares overflow or underflow.</summary>
public class PowerOfTwoScalingTests
{
    [Theory]
    [InlineData(1.0, -1)]
    [InlineData(0.75, 0)]
    [InlineData(0.5, 0)]
    [InlineData(3.0, -2)]
    [InlineData(1e-161, 534)]
    [InlineData(double.MaxValue, -1022)]      // clamped: 2^-1024 is not a normal number
    [InlineData(double.Epsilon, 1023)]        // clamped: 2^1073 overflows
    [InlineData(0.0, 0)]
    public void The_scale_is_the_power_of_two_that_brings_the_magnitude_to_one_half_or_more_and_below_one(double maxAbs, int exponent)
    {
        double expected = Math.ScaleB(1.0, exponent);

        double scale = PowerOfTwoScaling.Scale(maxAbs);

        scale.Should().Be(expected);
        if (maxAbs > 1e-300 && maxAbs < 1e300) (maxAbs * scale).Should().BeInRange(0.5, 1.0 - 1e-16);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1.0)]
    public void A_magnitude_that_is_negative_or_not_finite_is_refused(double maxAbs) =>
        FluentActions.Invoking(() => PowerOfTwoScaling.Scale(maxAbs)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxAbs");

    [Fact]
    public void Column_and_row_scales_have_the_matrix_dtype_and_the_broadcast_shape()
    {
        using var matrix = tensor(new float[,] { { 1f, -3f, 0f }, { 0.25f, 2f, 0f } });

        using var columns = PowerOfTwoScaling.ColumnScales(matrix);
        using var rows = PowerOfTwoScaling.RowScales(matrix);

        columns.dtype.Should().Be(ScalarType.Float32);
        columns.shape.Should().Equal(1, 3);
        columns.data<float>().ToArray().Should().Equal(0.5f, 0.25f, 1f);   // |max| 1, 3, 0 (a zero column keeps 1)
        rows.shape.Should().Equal(2, 1);
        rows.data<float>().ToArray().Should().Equal(0.25f, 0.25f);
    }

    [Fact]
    public void Float32_scales_stay_normal_float32_numbers_at_both_ends_of_the_range()
    {
        using var matrix = tensor(new float[,] { { float.MaxValue, float.Epsilon, 1e-38f } });

        var scales = PowerOfTwoScaling.ColumnScales(matrix).data<float>().ToArray();

        scales.Should().Equal((float)Math.ScaleB(1.0, -126), (float)Math.ScaleB(1.0, 127), (float)Math.ScaleB(1.0, 126));
        scales.Should().OnlyContain(s => float.IsNormal(s));
    }

    [Theory]
    [InlineData(ScalarType.Float64, -1022, 1023)]
    [InlineData(ScalarType.Float32, -126, 127)]
    [InlineData(ScalarType.BFloat16, -126, 127)]
    [InlineData(ScalarType.Float16, -14, 15)]
    public void Tensor_scales_are_the_formula_for_every_magnitude_of_the_dtype(ScalarType dtype, int minExponent, int maxExponent)
    {
        // Magnitudes m 2^e for every exponent e of the dtype, subnormals included, and mantissas 1, 1.5 and just below 2.
        var exponents = Enumerable.Range(minExponent - 30, maxExponent - minExponent + 31).ToArray();
        var values = exponents.SelectMany(e => new[] { 1.0, 1.5, 1.96875 }.Select(f => f * Math.ScaleB(1.0, e))).ToArray();
        using var column = tensor(values, [values.Length, 1], ScalarType.Float64).to(dtype);
        var magnitudes = column.to(ScalarType.Float64).data<double>().ToArray();   // as the dtype holds them

        var scales = PowerOfTwoScaling.RowScales(column).to(ScalarType.Float64).data<double>().ToArray();

        for (int i = 0; i < magnitudes.Length; i++)
        {
            if (magnitudes[i] == 0 || double.IsInfinity(magnitudes[i])) { scales[i].Should().Be(1.0); continue; }
            int k = Math.Clamp(Math.ILogB(magnitudes[i]) + 1, -maxExponent, -minExponent);
            scales[i].Should().Be(Math.ScaleB(1.0, -k), $"magnitude {magnitudes[i]:R} in {dtype}");
        }
    }

    [Fact]
    public void A_column_holding_a_non_finite_value_keeps_scale_one_for_the_callers_own_check()
    {
        using var matrix = tensor(new double[,] { { double.NaN, 4.0 }, { 1.0, double.PositiveInfinity } });

        PowerOfTwoScaling.ColumnScales(matrix).data<double>().ToArray().Should().Equal(1.0, 1.0);
    }

    [Fact]
    public void An_empty_matrix_gets_ones_of_the_broadcast_shape()
    {
        using var noRows = zeros(0, 3, dtype: ScalarType.Float32);
        using var noColumns = zeros(3, 0, dtype: ScalarType.Float64);

        using var columns = PowerOfTwoScaling.ColumnScales(noRows);
        using var rows = PowerOfTwoScaling.RowScales(noColumns);

        columns.shape.Should().Equal(1, 3);
        columns.dtype.Should().Be(ScalarType.Float32);
        columns.data<float>().ToArray().Should().Equal(1f, 1f, 1f);
        rows.shape.Should().Equal(3, 1);
        rows.data<double>().ToArray().Should().Equal(1.0, 1.0, 1.0);
    }

    [Fact]
    public void A_matrix_that_is_not_floating_or_not_two_dimensional_is_refused()
    {
        using var integers = tensor(new long[,] { { 1, 2 } });
        using var vector = tensor(new[] { 1.0, 2.0 });

        FluentActions.Invoking(() => PowerOfTwoScaling.ColumnScales(integers)).Should().Throw<ArgumentException>().WithParameterName("matrix");
        FluentActions.Invoking(() => PowerOfTwoScaling.RowScales(vector)).Should().Throw<ArgumentException>().WithParameterName("matrix");
    }

    private static MultimodalDataset OneColumn(params double[] values)
    {
        var matrix = new double[values.Length, 1];
        for (int i = 0; i < values.Length; i++) matrix[i, 0] = values[i];
        return new MultimodalDataset([new Modality("m", matrix)], values.Select((_, i) => i % 2).ToArray(),
            trainIndices: Enumerable.Range(0, values.Length).ToArray(), validationIndices: [], testIndices: []);
    }

    [Theory]
    [InlineData(1e-161)]
    [InlineData(1e-162)]   // refused before: its squares underflowed to 0, a "constant" column of scale 0
    [InlineData(1e-300)]
    [InlineData(1e155)]    // refused before: its squares overflowed
    [InlineData(1e300)]
    public void The_standardizer_gives_unit_scale_z_scores_for_very_small_or_very_large_columns(double unit)
    {
        var z = Standardizer.FitTransform(OneColumn(1 * unit, 2 * unit, 3 * unit)).Modalities[0];

        z.GetRow(0)[0].Should().BeApproximately(-1.0, 1e-12);
        z.GetRow(1)[0].Should().BeApproximately(0.0, 1e-12);
        z.GetRow(2)[0].Should().BeApproximately(1.0, 1e-12);
    }

    [Fact]
    public void The_standardizer_statistics_are_the_plain_two_pass_sums_to_the_bit_at_usual_scales()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 57).Select(_ => random.NextDouble() * 40 - 13).ToArray();
        double mean = values.Sum() / values.Length;
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));

        var fitted = Standardizer.Fit(OneColumn(values));

        fitted.Means[0][0].Should().Be(mean);
        fitted.Scales[0][0].Should().Be(sd);
    }

    [Theory]
    [InlineData(1e-160)]
    [InlineData(1e-170)]
    [InlineData(1e150)]
    [InlineData(1e155)]    // refused as "singular" before, with the default ridge too
    public void The_gaussian_estimate_does_not_depend_on_the_unit_of_the_data(double unit)
    {
        var (x, y) = CorrelatedGaussian.Sample(500, 2, 0.9, seed: 1);
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false, Ridge = 0 });
        double reference = estimator.Estimate(x, y);

        double scaled = estimator.Estimate(x * unit, y * unit);

        scaled.Should().BeApproximately(reference, 1e-12 * Math.Abs(reference));
    }

    [Fact]
    public void The_gaussian_estimate_at_a_power_of_two_unit_is_the_same_to_the_bit()
    {
        // A power-of-two unit changes no bit of a correctly computed correlation: this pins that the scaling itself
        // is exact (no rounding added at usual scales).
        var (x, y) = CorrelatedGaussian.Sample(300, 3, 0.5, seed: 2);
        var estimator = new GaussianMutualInformationEstimator();

        estimator.Estimate(x * Math.ScaleB(1.0, 40), y * Math.ScaleB(1.0, -30)).Should().Be(estimator.Estimate(x, y));
    }
}
