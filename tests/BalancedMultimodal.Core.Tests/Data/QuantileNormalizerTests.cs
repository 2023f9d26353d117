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
        FluentActions.Invoking(() => new QuantileNormalizer(new[] { "omics", "omics" }, new[] { new[] { new[] { 0.0, 1.0 } }, new[] { new[] { 0.0, 1.0 } } }))
            .Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("Modality name 1 ('omics') repeats modality name 0*");
        FluentActions.Invoking(() => new QuantileNormalizer(new[] { " " }, new[] { new[] { new[] { 0.0, 1.0 } } }))
            .Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("Modality name 0 is empty*");

        var other = new QuantileNormalizer(new[] { "omics" }, new[] { new[] { new[] { 0.0, 1.0 } } });
        FluentActions.Invoking(() => other.Transform(data))
            .Should().Throw<ArgumentException>().WithMessage("*'omics' with 5 features*fitted on 'omics' with 1*");
    }

    [Theory]
    [InlineData(0.5, -0.6744897501960817)]   // u = 1/4
    [InlineData(1.0, 0.0)]                   // u = 1/2, on a quantile
    [InlineData(1.5, 0.6744897501960817)]    // u = 3/4
    [InlineData(3e-7, -5.123447000016431)]   // 2e-7 above the threshold: u = 1.5e-7, interpolated
    [InlineData(2 - 3e-7, 5.123447000045885)]
    [InlineData(5e-8, -5.199337582605575)]   // within the threshold of the lowest quantile: u = 0, lower clip
    [InlineData(-3.0, -5.199337582605575)]
    [InlineData(2 - 5e-8, 5.199337582605575)] // within the threshold of the highest quantile: u = 1, upper clip
    [InlineData(9.0, 5.199337582605575)]
    public void Saved_quantiles_map_a_value_through_the_interpolated_reference_and_the_normal_quantile(double x, double expected)
    {
        // Quantiles 0, 1, 2 at the references 0, 1/2, 1; expected values are Phi^-1(u) (Python statistics.NormalDist).
        var normaliser = new QuantileNormalizer(new[] { "m" }, new[] { new[] { new[] { 0.0, 1.0, 2.0 } } });

        var z = normaliser.Transform(0, new Modality("m", new double[,] { { x } }));

        z.GetRow(0)[0].Should().BeApproximately(expected, 1e-9);
    }

    [Theory]
    [InlineData(0.5, -0.9674215661017014)]   // u = 1/6 on the segment (0, 1) of references (0, 1/3)
    [InlineData(1.0, 0.0)]                   // the repeated quantile: the middle of its references 1/3 and 2/3
    [InlineData(1.5, 0.9674215661017014)]    // u = 5/6
    public void A_repeated_quantile_maps_to_the_middle_of_its_references(double x, double expected)
    {
        var normaliser = new QuantileNormalizer(new[] { "m" }, new[] { new[] { new[] { 0.0, 1.0, 1.0, 2.0 } } });

        var z = normaliser.Transform(0, new Modality("m", new double[,] { { x } }));

        z.GetRow(0)[0].Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Each_column_uses_its_own_quantiles_and_unavailable_rows_are_left_alone()
    {
        var normaliser = new QuantileNormalizer(new[] { "m" }, new[] { new[] { new[] { 0.0, 1.0, 2.0 }, new[] { 0.0, 10.0, 20.0, 30.0 } } });
        var modality = new Modality("m", new double[,] { { 1.0, 15.0 }, { 7.0, 7.0 } }, availability: new[] { true, false });

        var z = normaliser.Transform(0, modality);

        z.GetRow(0)[0].Should().Be(0.0);
        z.GetRow(0)[1].Should().BeApproximately(0.0, 1e-12, "15 lies halfway between the references 1/3 and 2/3 of 10 and 20");
        z.GetRow(1).ToArray().Should().Equal(7.0, 7.0);
        z.IsAvailable(1).Should().BeFalse();
    }

    [Fact]
    public void Missing_saved_quantiles_and_a_bad_modality_index_are_rejected()
    {
        FluentActions.Invoking(() => new QuantileNormalizer(new[] { "omics" }, new IReadOnlyList<IReadOnlyList<double>>[] { null! }))
            .Should().Throw<ArgumentException>().WithParameterName("quantiles").WithMessage("Modality 'omics': the quantile table is missing*");
        FluentActions.Invoking(() => new QuantileNormalizer(new[] { "omics" }, new[] { new IReadOnlyList<double>[] { new[] { 0.0, 1.0 }, null! } }))
            .Should().Throw<ArgumentException>().WithParameterName("quantiles").WithMessage("Modality 'omics': the quantiles of column 1 are missing*");
        var normaliser = new QuantileNormalizer(new[] { "omics" }, new[] { new[] { new[] { 0.0, 1.0 } } });
        FluentActions.Invoking(() => normaliser.Transform(-1, new Modality("omics", new double[,] { { 0.5 } })))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modalityIndex");
        FluentActions.Invoking(() => normaliser.Transform(0, new Modality("omics", new double[,] { { 0.5, 0.5 } })))
            .Should().Throw<ArgumentException>().WithParameterName("modality").WithMessage("Modality 0 is 'omics' with 2 features but the normaliser was fitted on 'omics' with 1*");
        FluentActions.Invoking(() => normaliser.Transform(new MultimodalDataset(
                new[] { new Modality("omics", new double[,] { { 1 }, { 2 } }), new Modality("more", new double[,] { { 1 }, { 2 } }) }, new[] { 0, 1 })))
            .Should().Throw<ArgumentException>().WithParameterName("dataset").WithMessage("The dataset has 2 modalities but the normaliser was fitted on 1*");
        FluentActions.Invoking(() => QuantileNormalizer.Fit(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void With_two_quantiles_the_fit_keeps_the_minimum_and_maximum_of_the_fitting_rows()
    {
        var data = new MultimodalDataset(new[] { new Modality("m", new double[,] { { 4 }, { -2 }, { 7 }, { 1 }, { 100 } }) }, new[] { 0, 1, 0, 1, 0 },
            trainIndices: new[] { 0, 1, 2, 3 }, testIndices: new[] { 4 });

        var fitted = QuantileNormalizer.Fit(data, maxQuantiles: 2);

        fitted.Quantiles[0][0].Should().Equal(-2.0, 7.0);
        QuantileNormalizer.Fit(data, maxQuantiles: 3).Quantiles[0][0].Should().Equal(-2.0, 2.5, 7.0);
    }

    [Fact]
    public void The_clip_values_are_the_normal_quantiles_of_the_bounds_threshold_minus_machine_epsilon()
    {
        // Phi^-1(1e-7 - 2^-52) and Phi^-1(1 - (1e-7 - 2^-52)) (Python statistics.NormalDist); with + 2^-52 instead they
        // would move by about 8e-10.
        var normaliser = new QuantileNormalizer(new[] { "m" }, new[] { new[] { new[] { 0.0, 1.0 } } });

        var z = normaliser.Transform(0, new Modality("m", new double[,] { { -1.0 }, { 2.0 } }));

        z.GetRow(0)[0].Should().BeApproximately(-5.199337582605575, 1e-10);
        z.GetRow(1)[0].Should().BeApproximately(5.19933758270342, 1e-10);
    }

    [Fact]
    public void Two_fitting_rows_are_enough()
    {
        var data = Dataset();
        var fitted = QuantileNormalizer.Fit(data, new[] { 5, 6 });

        // With two rows the quantiles are the two values of each column, sorted (scikit-learn's n_quantiles = n rule).
        var omics = data.Modalities[0];
        for (int j = 0; j < omics.FeatureCount; j++)
            fitted.Quantiles[0][j].Should().Equal(new[] { omics[5, j], omics[6, j] }.Order());
    }

    [Fact]
    public void Null_arguments_are_rejected_and_the_messages_name_the_problem()
    {
        var normaliser = new QuantileNormalizer(new[] { "omics" }, new[] { new[] { new[] { 0.0, 1.0 } } });

        FluentActions.Invoking(() => new QuantileNormalizer(null!, new[] { new[] { new[] { 0.0, 1.0 } } })).Should().Throw<ArgumentNullException>().WithParameterName("modalityNames");
        FluentActions.Invoking(() => new QuantileNormalizer(new[] { "omics" }, null!)).Should().Throw<ArgumentNullException>().WithParameterName("quantiles");
        FluentActions.Invoking(() => normaliser.Transform(null!)).Should().Throw<ArgumentNullException>().WithParameterName("dataset");
        FluentActions.Invoking(() => normaliser.Transform(0, null!)).Should().Throw<ArgumentNullException>().WithParameterName("modality");
        FluentActions.Invoking(() => normaliser.Transform(1, new Modality("omics", new double[,] { { 0.5 } })))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("The normaliser was fitted on 1 modalities*");
        FluentActions.Invoking(() => QuantileNormalizer.Fit(Dataset(), maxQuantiles: 1))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("At least two quantiles per column are needed*");
    }

    [Fact]
    public void Transforming_a_dataset_whose_modality_does_not_match_names_the_dataset_argument()
    {
        var normaliser = new QuantileNormalizer(new[] { "omics" }, new[] { new[] { new[] { 0.0, 1.0 } } });
        var other = new MultimodalDataset(new[] { new Modality("other", new double[,] { { 1 }, { 2 } }) }, new[] { 0, 1 });

        var act = () => normaliser.Transform(other);

        act.Should().Throw<ArgumentException>().WithParameterName("dataset").WithMessage("Modality 0 is 'other' with 1 features but the normaliser was fitted on 'omics' with 1*");
    }

    [Theory]
    [InlineData(1e-7, -4.264890793923331)]      // x - 1e-7 == q_0 exactly: not below it, so interpolated: u = 1e-5
    [InlineData(0.01 - 1e-7, 4.26489079392384)] // x + 1e-7 == q_1 exactly: not above it, so interpolated: u = 1 - 1e-5
    public void A_value_exactly_the_bounds_threshold_inside_the_range_is_interpolated_not_mapped_to_the_end(double x, double expected)
    {
        // A steep column (quantiles 0 and 0.01 at references 0 and 1) makes the interpolated u large enough to escape the
        // clip. Its range is below 1, so its tolerance is 1e-7 x 0.01 = 1e-9: 1e-7 inside the range is interpolated.
        var normaliser = new QuantileNormalizer(new[] { "m" }, new[] { new[] { new[] { 0.0, 0.01 } } });

        var z = normaliser.Transform(0, new Modality("m", new double[,] { { x } }));

        z.GetRow(0)[0].Should().BeApproximately(expected, 1e-9);
    }

    [Theory]
    [InlineData(5e-10, -5.199337582605575)]     // within 1e-9 of the lowest quantile: the lower clip
    [InlineData(0.01 - 5e-10, 5.199337582605575)]
    [InlineData(2e-9, -5.068957749717791)]      // 2e-9 inside: interpolated, u = 2e-7 (Phi^-1 from Python statistics.NormalDist)
    public void A_column_whose_range_is_below_one_has_the_tolerance_scaled_by_its_range(double x, double expected)
    {
        var normaliser = new QuantileNormalizer(new[] { "m" }, new[] { new[] { new[] { 0.0, 0.01 } } });

        double z = normaliser.Transform(0, new Modality("m", new double[,] { { x } })).GetRow(0)[0];

        z.Should().BeApproximately(expected, 1e-9);
    }

    [Fact]
    public void A_column_on_a_tiny_scale_is_transformed_as_the_same_column_on_a_unit_scale()
    {
        // scikit-learn's absolute tolerance 1e-7 would send every value of a column spread over 1e-12 to the lower clip.
        var unit = Dataset();
        var tinyValues = new double[unit.SampleCount, unit.Modalities[0].FeatureCount];
        for (int i = 0; i < unit.SampleCount; i++)
            for (int j = 0; j < tinyValues.GetLength(1); j++) tinyValues[i, j] = unit.Modalities[0][i, j] * 1e-12;
        var tiny = unit.WithModalities([new Modality("omics", tinyValues)]);

        var expected = QuantileNormalizer.Fit(unit, unit.TrainIndices).Transform(unit).Modalities[0];
        var actual = QuantileNormalizer.Fit(tiny, tiny.TrainIndices).Transform(tiny).Modalities[0];

        for (int i = 0; i < unit.SampleCount; i++)
            actual.GetRow(i).ToArray().Should().Equal(expected.GetRow(i).ToArray(), (a, b) => Math.Abs(a - b) < 1e-6, $"row {i}");
        Enumerable.Range(0, unit.SampleCount).Select(i => actual[i, 0]).Distinct().Count().Should().BeGreaterThan(unit.SampleCount / 2);
    }
}
