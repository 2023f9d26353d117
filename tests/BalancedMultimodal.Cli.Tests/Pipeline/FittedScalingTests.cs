using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>The pipeline's scaling step (shared by training and the fused-similarity plot).</summary>
public class FittedScalingTests
{
    private static MultimodalDataset Data() => TrainingPipelineOptionTests.Data();

    [Fact]
    public void Standardize_is_z_scoring_of_the_labelled_rows()
    {
        var data = Data();
        var fitted = FittedScaling.Fit(data, data.TrainIndices, FeatureScaling.Standardize);

        fitted.QuantileNormalizer.Should().BeNull();
        for (int m = 0; m < 2; m++)
            fitted.Scaled.Modalities[m].Values.ToArray().Should().Equal(Standardizer.FitTransform(data, data.TrainIndices).Modalities[m].Values.ToArray());
    }

    [Fact]
    public void Quantile_normal_is_rank_gauss_then_z_scoring_both_fitted_on_the_labelled_rows()
    {
        var data = Data();
        var fitted = FittedScaling.Fit(data, data.TrainIndices, FeatureScaling.QuantileNormal);

        var rankGauss = QuantileNormalizer.FitTransform(data, data.TrainIndices);
        var expected = Standardizer.FitTransform(rankGauss, data.TrainIndices);
        fitted.QuantileNormalizer.Should().NotBeNull();
        for (int m = 0; m < 2; m++)
            fitted.Scaled.Modalities[m].Values.ToArray().Should().Equal(expected.Modalities[m].Values.ToArray());
        FluentActions.Invoking(() => FittedScaling.Fit(data, data.TrainIndices, (FeatureScaling)5))
            .Should().Throw<ArgumentException>().WithMessage("Scaling must be Standardize or QuantileNormal, got 5.*");
    }
}
