using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

public class StandardizerTests
{
    // Column 0: training values 1, 2, 3 (mean 2, ddof-1 sd 1); column 1 is constant 5 on the training rows.
    private static MultimodalDataset Dataset() =>
        new(new[] { new Modality("m", new double[,] { { 1, 5 }, { 2, 5 }, { 3, 5 }, { 6, 9 } }) },
            new[] { 0, 1, 0, 1 }, trainIndices: new[] { 0, 1, 2 }, testIndices: new[] { 3 });

    [Fact]
    public void Statistics_are_the_training_mean_and_ddof_1_standard_deviation()
    {
        var fitted = Standardizer.Fit(Dataset());

        fitted.Means[0].Should().Equal(2.0, 5.0);
        fitted.Scales[0][0].Should().Be(1.0);
    }

    [Fact]
    public void All_rows_are_transformed_with_the_training_statistics()
    {
        var z = Standardizer.FitTransform(Dataset()).Modalities[0];

        z.GetRow(0)[0].Should().Be(-1.0);
        z.GetRow(2)[0].Should().Be(1.0);
        z.GetRow(3)[0].Should().Be(4.0);
    }

    [Fact]
    public void A_constant_training_column_is_centred_with_scale_1()
    {
        var standardizer = Standardizer.Fit(Dataset());
        var z = standardizer.Transform(Dataset()).Modalities[0];

        standardizer.Scales[0][1].Should().Be(1.0);
        z.GetRow(1)[1].Should().Be(0.0);
        z.GetRow(3)[1].Should().Be(4.0);
    }

    [Fact]
    public void The_sample_standard_deviation_matches_a_hand_computed_value()
    {
        // Values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, ddof-1 variance 32 / 7.
        var values = new double[,] { { 2 }, { 4 }, { 4 }, { 4 }, { 5 }, { 5 }, { 7 }, { 9 } };
        var data = new MultimodalDataset(new[] { new Modality("m", values) }, new[] { 0, 1, 0, 1, 0, 1, 0, 1 });

        Standardizer.Fit(data).Scales[0][0].Should().BeApproximately(Math.Sqrt(32.0 / 7.0), 1e-15);
    }

    [Fact]
    public void Missing_rows_are_neither_fitted_nor_changed()
    {
        var partial = new Modality("m", new double[,] { { 1, 5 }, { 2, 5 }, { 3, 5 }, { 6, 9 } }, availability: new[] { true, true, true, false });
        var data = new MultimodalDataset(new[] { partial, new Modality("full", new double[,] { { 0 }, { 1 }, { 2 }, { 3 } }) }, new[] { 0, 1, 0, 1 });
        var z = Standardizer.FitTransform(data, new[] { 0, 1, 2, 3 }).Modalities[0];

        z.GetRow(3).ToArray().Should().Equal(6.0, 9.0);
        z.GetRow(0)[0].Should().Be(-1.0);
    }

    [Fact]
    public void Values_too_large_to_standardise_in_float64_are_rejected_naming_the_modality_and_column()
    {
        // Standard deviation sqrt(4 / 3) 1.7e308: beyond float64 (values near its limit whose mean and deviation are
        // in range are standardised, below).
        var values = new double[,] { { 1, 1.7e308 }, { 2, -1.7e308 }, { 3, 1.7e308 }, { 4, -1.7e308 } };
        var data = new MultimodalDataset(new[] { new Modality("m", values) }, new[] { 0, 1, 0, 1 });

        var act = () => Standardizer.Fit(data, new[] { 0, 1, 2, 3 });

        act.Should().Throw<ArgumentException>().WithParameterName("dataset")
            .WithMessage("Modality 'm', feature column 1: its values (from -1.7E+308 to 1.7E+308) are too large to standardise in float64*");
    }

    [Fact]
    public void Values_near_the_float64_limit_whose_statistics_are_in_range_are_standardised()
    {
        // Mean 4.25e307 and standard deviation 1.73e308 are finite, though the squares and -1.7e308 - mean are not.
        var values = new double[,] { { 1.7e308 }, { 1.7e308 }, { -1.7e308 }, { 0 } };
        var data = new MultimodalDataset(new[] { new Modality("m", values) }, new[] { 0, 1, 0, 1 });
        double mean = 1.7e308 / 4, sd = Math.Sqrt((2 * Math.Pow(1.275, 2) + Math.Pow(2.125, 2) + Math.Pow(0.425, 2)) / 3) * 1e308;

        var z = Standardizer.Fit(data, new[] { 0, 1, 2, 3 }).Transform(data).Modalities[0];

        z.GetRow(0)[0].Should().BeApproximately((1.7e308 - mean) / sd, 1e-12);
        z.GetRow(2)[0].Should().BeApproximately(-2.125 / (sd / 1e308), 1e-12);
    }

    [Fact]
    public void Repeated_fitting_rows_are_refused_by_both_scalers()
    {
        // Fitted on [0, 0, 1, 2], row 0 counted twice: mean 0.75 where the rows' mean is 1.
        var data = new MultimodalDataset(new[] { new Modality("m", new double[,] { { 0 }, { 1 }, { 2 }, { 3 } }) }, new[] { 0, 1, 0, 1 });

        var standardize = () => Standardizer.Fit(data, new[] { 0, 0, 1, 2 });
        var quantiles = () => QuantileNormalizer.Fit(data, new[] { 0, 0, 1, 2 });

        standardize.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("Fitting row 0 is listed twice*");
        quantiles.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("Fitting row 0 is listed twice*");
    }

    [Fact]
    public void Saved_statistics_of_very_different_scales_transform_with_the_plain_formula()
    {
        var data = new MultimodalDataset(new[] { new Modality("m", new double[,] { { 1e300, 1 + Math.ScaleB(1.0, -52) }, { 1e300, 1 } }) }, new[] { 0, 1 });
        var standardizer = new Standardizer(["m"], [[1e300, 1.0]], [[1e-300, 3e-310]]);

        var z = standardizer.Transform(data).Modalities[0];

        z.GetRow(0)[0].Should().Be(0.0);
        z.GetRow(0)[1].Should().Be(Math.ScaleB(1.0, -52) / 3e-310);
    }

    [Fact]
    public void A_new_value_whose_z_score_exceeds_float64_is_refused_naming_modality_row_and_column()
    {
        var fitted = Standardizer.Fit(Dataset());   // column 0: mean 2, scale 1
        var data = new MultimodalDataset(new[] { new Modality("m", new double[,] { { 1, 5 }, { 2, 5 }, { 3, 5 }, { -1.7e308, 9 } }) },
            new[] { 0, 1, 0, 1 }, trainIndices: new[] { 0, 1, 2 }, testIndices: new[] { 3 });
        var tiny = Standardizer.Fit(new MultimodalDataset(new[] { new Modality("m", new double[,] { { 1e-300, 5 }, { 2e-300, 5 }, { 3e-300, 5 }, { 0, 9 } }) },
            new[] { 0, 1, 0, 1 }, trainIndices: new[] { 0, 1, 2 }, testIndices: new[] { 3 }));

        fitted.Transform(data).Modalities[0].GetRow(3)[0].Should().Be((-1.7e308 - 2) / 1);
        var act = () => tiny.Transform(data);

        act.Should().Throw<ArgumentException>().WithParameterName("dataset")
            .WithMessage("Modality 'm', row 3, feature column 0: the value -1.7E+308 standardises beyond float64's range*");
    }

    [Fact]
    public void Fitting_on_fewer_than_two_rows_is_rejected_naming_the_modality()
    {
        var act = () => Standardizer.Fit(Dataset(), new[] { 1 });

        act.Should().Throw<ArgumentException>().WithMessage("Modality 'm' has 1 available fitting row(s)*");
    }

    [Fact]
    public void Transforming_a_dataset_with_other_modalities_is_rejected()
    {
        var fitted = Standardizer.Fit(Dataset());
        var other = new MultimodalDataset(new[] { new Modality("other", new double[,] { { 1 }, { 2 } }) }, new[] { 0, 1 });

        var act = () => fitted.Transform(other);

        act.Should().Throw<ArgumentException>().WithMessage("*'other'*fitted on 'm'*");
    }

    [Fact]
    public void Saved_statistics_rebuild_the_same_transform()
    {
        var fitted = Standardizer.Fit(Dataset());
        var rebuilt = new Standardizer(fitted.ModalityNames, fitted.Means, fitted.Scales);

        rebuilt.Transform(Dataset()).Modalities[0].Values.ToArray()
            .Should().Equal(fitted.Transform(Dataset()).Modalities[0].Values.ToArray());
    }

    [Fact]
    public void A_non_positive_saved_scale_is_rejected()
    {
        var act = () => new Standardizer(new[] { "m" }, new[] { new[] { 0.0 } }, new[] { new[] { 0.0 } });

        act.Should().Throw<ArgumentException>().WithMessage("*'m': scale of column 0 is 0*");
    }

    [Fact]
    public void Saved_statistics_are_validated_naming_the_modality_column_and_argument()
    {
        string[] m = ["m"];
        double[][] one = [[0.0, 0.0]];

        FluentActions.Invoking(() => new Standardizer(m, [[0.0], [0.0]], [[1.0]]))
            .Should().Throw<ArgumentException>().WithParameterName("means").WithMessage("1 modality names, 2 mean vectors and 1 scale vectors do not match*");
        FluentActions.Invoking(() => new Standardizer(m, [[0.0]], [[1.0], [1.0]]))
            .Should().Throw<ArgumentException>().WithParameterName("means").WithMessage("1 modality names, 1 mean vectors and 2 scale vectors do not match*");
        FluentActions.Invoking(() => new Standardizer(m, one, [[1.0]]))
            .Should().Throw<ArgumentException>().WithParameterName("scales").WithMessage("Modality 'm': means and scales must both be given, with equal lengths*");
        FluentActions.Invoking(() => new Standardizer(m, [null!], [[1.0]]))
            .Should().Throw<ArgumentException>().WithParameterName("scales").WithMessage("Modality 'm': means and scales*");
        FluentActions.Invoking(() => new Standardizer(m, [[0.0]], [null!]))
            .Should().Throw<ArgumentException>().WithParameterName("scales").WithMessage("Modality 'm': means and scales*");
        FluentActions.Invoking(() => new Standardizer(m, [[0.0, double.NaN]], [[1.0, 1.0]]))
            .Should().Throw<ArgumentException>().WithParameterName("means").WithMessage("Modality 'm': mean of column 1 is not finite*");
        FluentActions.Invoking(() => new Standardizer(m, one, [[1.0, -2.0]]))
            .Should().Throw<ArgumentException>().WithParameterName("scales").WithMessage("Modality 'm': scale of column 1 is -2; scales must be finite and > 0*");
        FluentActions.Invoking(() => new Standardizer(["m", "m"], [[0.0], [0.0]], [[1.0], [1.0]]))
            .Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("Modality name 1 ('m') repeats modality name 0*");
        FluentActions.Invoking(() => new Standardizer([null!], [[0.0]], [[1.0]]))
            .Should().Throw<ArgumentException>().WithParameterName("modalityNames").WithMessage("Modality name 0 is null*");
        FluentActions.Invoking(() => new Standardizer(m, one, [[1.0, double.PositiveInfinity]]))
            .Should().Throw<ArgumentException>().WithParameterName("scales").WithMessage("Modality 'm': scale of column 1 is*");
    }

    [Fact]
    public void Saved_statistics_standardise_each_column_with_its_own_mean_and_scale()
    {
        var standardizer = new Standardizer(new[] { "m" }, new[] { new[] { 1.0, -2.0 } }, new[] { new[] { 2.0, 0.5 } });
        var data = new MultimodalDataset(new[] { new Modality("m", new double[,] { { 5, -1 }, { 1, -3 } }) }, new[] { 0, 1 });

        var z = standardizer.Transform(data).Modalities[0];

        z.GetRow(0).ToArray().Should().Equal(2.0, 2.0);
        z.GetRow(1).ToArray().Should().Equal(0.0, -2.0);
        standardizer.ModalityNames.Should().Equal("m");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void A_fitting_row_outside_the_dataset_is_rejected_naming_its_position(int row)
    {
        var act = () => Standardizer.Fit(Dataset(), new[] { 0, row });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rows").WithMessage("Fitting row at position 1 must lie in [0, 4)*");
    }

    [Fact]
    public void Transforming_a_dataset_with_another_modality_count_or_feature_count_is_rejected()
    {
        var fitted = Standardizer.Fit(Dataset());
        var two = new MultimodalDataset(
            new[] { new Modality("m", new double[,] { { 1, 2 }, { 2, 3 } }), new Modality("n", new double[,] { { 1 }, { 2 } }) }, new[] { 0, 1 });
        var narrow = new MultimodalDataset(new[] { new Modality("m", new double[,] { { 1 }, { 2 } }) }, new[] { 0, 1 });

        FluentActions.Invoking(() => fitted.Transform(two))
            .Should().Throw<ArgumentException>().WithParameterName("dataset").WithMessage("The dataset has 2 modalities but the standardizer was fitted on 1*");
        FluentActions.Invoking(() => fitted.Transform(narrow))
            .Should().Throw<ArgumentException>().WithParameterName("dataset").WithMessage("Modality 0 is 'm' with 1 features but the standardizer was fitted on 'm' with 2*");
        FluentActions.Invoking(() => Standardizer.Fit(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void A_column_whose_largest_value_comes_first_is_not_taken_for_constant()
    {
        // Column 0 decreases (3, 2, 1), column 1 increases (-1, 0, 4): mean 2 and 1, ddof-1 sd 1 and sqrt(7).
        var data = new MultimodalDataset(new[] { new Modality("m", new double[,] { { 3, -1 }, { 2, 0 }, { 1, 4 } }) }, new[] { 0, 1, 0 });

        var fitted = Standardizer.Fit(data);

        fitted.Means[0].Should().Equal(2.0, 1.0);
        fitted.Scales[0][0].Should().Be(1.0);
        fitted.Scales[0][1].Should().BeApproximately(Math.Sqrt(7.0), 1e-15);
    }

    [Fact]
    public void Two_fitting_rows_are_enough()
    {
        var fitted = Standardizer.Fit(Dataset(), new[] { 0, 1 });

        fitted.Means[0].Should().Equal(1.5, 5.0);
        fitted.Scales[0][0].Should().BeApproximately(Math.Sqrt(0.5), 1e-15);
    }

    [Fact]
    public void A_constant_column_is_centred_on_its_exact_value_even_when_negative_or_inexact()
    {
        // 0.1 + 0.1 + 0.1 = 0.30000000000000004 and its third is not 0.1: the constant is taken as is, so its rows become exactly 0.
        var data = new MultimodalDataset(new[] { new Modality("m", new double[,] { { 0.1, -5, 1 }, { 0.1, -5, 2 }, { 0.1, -5, 4 } }) }, new[] { 0, 1, 0 });

        var fitted = Standardizer.Fit(data);
        var z = fitted.Transform(data).Modalities[0];

        fitted.Means[0].Take(2).Should().Equal(0.1, -5.0);
        fitted.Scales[0].Take(2).Should().Equal(1.0, 1.0);
        Enumerable.Range(0, 3).Select(i => z.GetRow(i)[0]).Should().Equal(0.0, 0.0, 0.0);
        Enumerable.Range(0, 3).Select(i => z.GetRow(i)[1]).Should().Equal(0.0, 0.0, 0.0);
    }

    [Fact]
    public void Null_arguments_are_rejected_naming_them()
    {
        var fitted = Standardizer.Fit(Dataset());

        FluentActions.Invoking(() => new Standardizer(null!, new[] { new[] { 0.0 } }, new[] { new[] { 1.0 } })).Should().Throw<ArgumentNullException>().WithParameterName("modalityNames");
        FluentActions.Invoking(() => new Standardizer(new[] { "m" }, null!, new[] { new[] { 1.0 } })).Should().Throw<ArgumentNullException>().WithParameterName("means");
        FluentActions.Invoking(() => new Standardizer(new[] { "m" }, new[] { new[] { 0.0 } }, null!)).Should().Throw<ArgumentNullException>().WithParameterName("scales");
        FluentActions.Invoking(() => fitted.Transform(null!)).Should().Throw<ArgumentNullException>().WithParameterName("dataset");
    }
}
