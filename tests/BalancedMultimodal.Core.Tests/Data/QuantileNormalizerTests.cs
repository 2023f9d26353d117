using System.Globalization;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>
/// <see cref="QuantileNormalizer"/> against scikit-learn 1.2.1's QuantileTransformer(output_distribution="normal")
/// (fixtures from Fixtures/Data/quantile/make_quantile_fixture.py: skewed, uniform, tied, constant and outlier columns,
/// rows beyond the fitted range and exactly on fitted values).
/// </summary>
public class QuantileNormalizerTests
{
    private const int FittingRows = 40;

    private static double[][] Csv(string file) =>
        File.ReadAllLines(TestData.Fixture("quantile", file))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();

    private static MultimodalDataset Dataset(bool[]? availability = null)
    {
        var x = Csv("x.csv");
        var values = new double[x.Length, x[0].Length];
        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < x[0].Length; j++) values[i, j] = x[i][j];
        var modalities = new List<Modality> { new("omics", values, availability: availability) };
        if (availability is not null) modalities.Add(new Modality("complete", values)); // every sample keeps one modality
        return new MultimodalDataset(modalities,
            Enumerable.Range(0, x.Length).Select(i => i % 2).ToArray(),
            trainIndices: Enumerable.Range(0, FittingRows).ToArray(),
            testIndices: Enumerable.Range(FittingRows, x.Length - FittingRows).ToArray());
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(7)]
    public void Quantiles_match_scikit_learn(int maxQuantiles)
    {
        var expected = Csv($"quantiles_{maxQuantiles}.csv");

        var fitted = QuantileNormalizer.Fit(Dataset(), maxQuantiles: maxQuantiles);

        fitted.Quantiles[0].Should().HaveCount(expected.Length);
        for (int j = 0; j < expected.Length; j++)
        {
            fitted.Quantiles[0][j].Should().HaveCount(Math.Min(maxQuantiles, FittingRows));
            for (int k = 0; k < expected[j].Length; k++)
                fitted.Quantiles[0][j][k].Should().BeApproximately(expected[j][k], 1e-12, $"column {j}, quantile {k}");
        }
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(7)]
    public void Every_row_is_transformed_as_scikit_learn_does(int maxQuantiles)
    {
        var expected = Csv($"transformed_{maxQuantiles}.csv");
        var data = Dataset();

        var z = QuantileNormalizer.Fit(data, maxQuantiles: maxQuantiles).Transform(data).Modalities[0];

        for (int i = 0; i < expected.Length; i++)
            for (int j = 0; j < expected[i].Length; j++)
                z.GetRow(i)[j].Should().BeApproximately(expected[i][j], 1e-9, $"row {i}, column {j}");
    }

    [Fact]
    public void Ties_map_to_the_middle_of_their_references_and_the_range_ends_to_the_clip_values()
    {
        var data = Dataset();
        var z = QuantileNormalizer.FitTransform(data).Modalities[0];
        var x = data.Modalities[0];

        // Column 3 is constant on the fitting rows: every row at that value maps to the lower clip value, as in
        // scikit-learn; row 43 (3.0) lies above it.
        for (int i = 0; i < x.SampleCount; i++)
            z.GetRow(i)[3].Should().BeApproximately(i == 43 ? 5.1993375827034196 : -5.1993375826055752, 1e-9, $"row {i}");
        // Row 41 lies above the fitted range of column 0, row 42 below that of column 1.
        z.GetRow(41)[0].Should().BeApproximately(5.1993375826055752, 1e-9);
        z.GetRow(42)[1].Should().BeApproximately(-5.1993375826055752, 1e-9);
        // Column 2 holds integers 0-4; the middle value's many ties sit around the median, so it maps near 0.
        var middle = Enumerable.Range(0, FittingRows).First(i => x.GetRow(i)[2] == 2);
        Math.Abs(z.GetRow(middle)[2]).Should().BeLessThan(0.5);
    }

    [Fact]
    public void A_normaliser_rebuilt_from_its_quantiles_transforms_identically()
    {
        var data = Dataset();
        var fitted = QuantileNormalizer.Fit(data, maxQuantiles: 7);

        var rebuilt = new QuantileNormalizer(fitted.ModalityNames, fitted.Quantiles);

        rebuilt.Transform(data).Modalities[0].Values.ToArray().Should().Equal(fitted.Transform(data).Modalities[0].Values.ToArray());
    }

    [Fact]
    public void One_modality_of_new_samples_is_transformed_like_the_same_rows_of_the_dataset()
    {
        var data = Dataset();
        var fitted = QuantileNormalizer.Fit(data, maxQuantiles: 7);

        var alone = fitted.Transform(0, data.Modalities[0]);

        alone.Values.ToArray().Should().Equal(fitted.Transform(data).Modalities[0].Values.ToArray());
        FluentActions.Invoking(() => fitted.Transform(1, data.Modalities[0]))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modalityIndex");
        FluentActions.Invoking(() => fitted.Transform(0, new Modality("other", new double[,] { { 1, 2, 3, 4, 5 } })))
            .Should().Throw<ArgumentException>().WithMessage("*'other'*fitted on 'omics'*");
    }

    [Fact]
    public void Missing_rows_are_neither_fitted_nor_transformed()
    {
        var availability = Enumerable.Range(0, 60).Select(i => i != 3).ToArray();
        var complete = Dataset();
        var withMissing = Dataset(availability);

        var fitted = QuantileNormalizer.Fit(withMissing);
        var z = fitted.Transform(withMissing).Modalities[0];

        fitted.Quantiles[0][0].Should().HaveCount(FittingRows - 1);
        z.IsAvailable(3).Should().BeFalse();
        z.Values.Slice(3 * 5, 5).ToArray().Should().Equal(withMissing.Modalities[0].Values.Slice(3 * 5, 5).ToArray());
        fitted.Quantiles[0][0].Should().NotEqual(QuantileNormalizer.Fit(complete).Quantiles[0][0]);
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_the_offending_option_row_or_modality()
    {
        var data = Dataset();

        FluentActions.Invoking(() => QuantileNormalizer.Fit(data, maxQuantiles: 1))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxQuantiles");
        FluentActions.Invoking(() => QuantileNormalizer.Fit(data, new[] { 0, 60 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*position 1*");
        FluentActions.Invoking(() => QuantileNormalizer.Fit(data, new[] { 4 }))
            .Should().Throw<ArgumentException>().WithMessage("*'omics' has 1 available fitting row*");
        FluentActions.Invoking(() => new QuantileNormalizer(new[] { "omics" }, new[] { new[] { new[] { 0.0, 2.0, 1.0 } } }))
            .Should().Throw<ArgumentException>().WithMessage("*'omics'*column 0*decrease at position 2*");
        FluentActions.Invoking(() => new QuantileNormalizer(new[] { "omics" }, new[] { new[] { new[] { 0.0, double.NaN } } }))
            .Should().Throw<ArgumentException>().WithMessage("*'omics'*quantile 1 of column 0*");
        FluentActions.Invoking(() => new QuantileNormalizer(new[] { "omics" }, new[] { new[] { new[] { 0.0 } } }))
            .Should().Throw<ArgumentException>().WithMessage("*column 0 has 1 quantile*");
        FluentActions.Invoking(() => new QuantileNormalizer(new[] { "a", "b" }, new[] { new[] { new[] { 0.0, 1.0 } } }))
            .Should().Throw<ArgumentException>().WithMessage("*2 modality names and 1 quantile tables*");

        var other = new QuantileNormalizer(new[] { "omics" }, new[] { new[] { new[] { 0.0, 1.0 } } });
        FluentActions.Invoking(() => other.Transform(data))
            .Should().Throw<ArgumentException>().WithMessage("*'omics' with 5 features*fitted on 'omics' with 1*");
    }
}
