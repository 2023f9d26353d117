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
}
