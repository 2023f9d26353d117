using BalancedMultimodal.Core.Information;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

public class InfoNceEstimatorTests
{
    private static InfoNceEstimatorOptions Fast(NeuralMutualInformationBound bound) =>
        new() { Steps = 300, BatchSize = 128, HiddenSize = 32, Seed = 4, Bound = bound };

    [Theory]
    [InlineData(NeuralMutualInformationBound.InfoNce)]
    [InlineData(NeuralMutualInformationBound.DonskerVaradhan)]
    public void Bound_on_correlated_gaussians_is_within_0_15_nats_of_the_analytic_value(NeuralMutualInformationBound bound)
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(2000, 1, 0.9, seed: 41);

        new InfoNceEstimator(Fast(bound)).Estimate(x, y).Should().BeApproximately(CorrelatedGaussian.Truth(1, 0.9), 0.15);
    }

    [Fact]
    public void Independent_data_give_a_bound_near_zero()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(1000, 2, 0.0, seed: 42);

        new InfoNceEstimator(Fast(NeuralMutualInformationBound.InfoNce)).Estimate(x, y).Should().BeApproximately(0.0, 0.1, "the bound is evaluated on held-out rows");
    }

    [Fact]
    public void Held_out_evaluation_keeps_a_critic_that_memorised_its_rows_from_reading_dependence_into_independent_data()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(300, 5, 0.0, seed: 44);

        double onTrainingRows = new InfoNceEstimator(new InfoNceEstimatorOptions { Steps = 300, Seed = 4, HeldOutFraction = 0 }).Estimate(x, y);
        double onHeldOutRows = new InfoNceEstimator(new InfoNceEstimatorOptions { Steps = 300, Seed = 4 }).Estimate(x, y);

        onTrainingRows.Should().BeGreaterThan(1.0, "300 rows of 5 + 5 dimensions are few enough for the critic to memorise their pairing");
        onHeldOutRows.Should().BeInRange(-0.2, 0.05, "the true value is 0; the held-out bound is a lower bound in expectation, its best checkpoint a little above");
    }

    [Theory]
    [InlineData(NeuralMutualInformationBound.InfoNce)]
    [InlineData(NeuralMutualInformationBound.DonskerVaradhan)]
    public void The_held_out_bound_of_dependent_data_in_ten_dimensions_is_a_lower_bound_close_to_the_truth(NeuralMutualInformationBound bound)
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(2000, 10, 0.5, seed: 46);
        double truth = CorrelatedGaussian.Truth(10, 0.5);

        double estimate = new InfoNceEstimator(new InfoNceEstimatorOptions { Seed = 4, Bound = bound }).Estimate(x, y);

        estimate.Should().BeLessThan(truth + 0.05, "a lower bound (the best of the held-out checkpoints may pass the truth by noise only)");
        estimate.Should().BeGreaterThan(truth - 0.7, "the trained critic captures most of the dependence");
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_held_out_fraction_outside_0_to_1_is_rejected_naming_the_option(double fraction)
    {
        var act = () => new InfoNceEstimator(new InfoNceEstimatorOptions { HeldOutFraction = fraction });
        act.Should().Throw<OptionsValidationException>().WithMessage("*HeldOutFraction*");
    }

    [Fact]
    public void Too_few_rows_for_both_parts_are_rejected_before_training_naming_the_counts()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(3, 1, 0.5, seed: 45);

        var act = () => new InfoNceEstimator().Estimate(x, y);

        act.Should().Throw<ArgumentException>().WithMessage("*HeldOutFraction = 0.5 of n = 3 rows leaves 1 rows to train*");
        new InfoNceEstimator(new InfoNceEstimatorOptions { Steps = 5, HeldOutFraction = 0 }).Estimate(x, y).Should().BeLessThanOrEqualTo(Math.Log(3) + 1e-12);
    }

    [Fact]
    public void The_same_seed_gives_the_same_estimate()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(300, 1, 0.5, seed: 43);
        var options = new InfoNceEstimatorOptions { Steps = 50, BatchSize = 64, HiddenSize = 16, Seed = 8 };

        new InfoNceEstimator(options).Estimate(x, y).Should().Be(new InfoNceEstimator(options).Estimate(x, y));
    }

    [Fact]
    public void InfoNce_bound_of_known_scores_matches_the_formula()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new double[,] { { 2, 0 }, { 1, 3 } });
        double expected = Math.Log(2) + 0.5 * ((2 - Math.Log(Math.Exp(2) + 1)) + (3 - Math.Log(Math.Exp(1) + Math.Exp(3))));

        InfoNceEstimator.Bound(scores, NeuralMutualInformationBound.InfoNce).item<double>().Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Donsker_Varadhan_bound_of_known_scores_matches_the_formula()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new double[,] { { 2, 0 }, { 1, 3 } });
        double expected = 2.5 - Math.Log((Math.Exp(0) + Math.Exp(1)) / 2);

        InfoNceEstimator.Bound(scores, NeuralMutualInformationBound.DonskerVaradhan).item<double>().Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void An_undefined_bound_is_rejected_instead_of_being_treated_as_donsker_varadhan()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new double[,] { { 2, 0 }, { 1, 3 } });

        var act = () => InfoNceEstimator.Bound(scores, (NeuralMutualInformationBound)7);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("bound");
    }

    [Fact]
    public void A_batch_size_of_one_is_rejected_naming_the_option()
    {
        var act = () => new InfoNceEstimator(new InfoNceEstimatorOptions { BatchSize = 1 });

        act.Should().Throw<OptionsValidationException>().WithMessage("*BatchSize*");
    }

    [Fact]
    public void A_non_finite_score_is_rejected_naming_its_entry()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new double[,] { { 2, 0 }, { double.NaN, 3 } });

        var act = () => InfoNceEstimator.Bound(scores, NeuralMutualInformationBound.InfoNce);

        act.Should().Throw<ArgumentException>().WithMessage("scores[1, 0] is not finite*").And.ParamName.Should().Be("scores");
    }

    [Theory]
    [InlineData(NeuralMutualInformationBound.InfoNce)]
    [InlineData(NeuralMutualInformationBound.DonskerVaradhan)]
    public void The_functional_bound_leaves_only_its_result_alive(NeuralMutualInformationBound bound)
    {
        using var scores = tensor(new double[,] { { 2, 0, 1 }, { 1, 3, 0 }, { 0, 1, 2 } });
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        using (InfoNceEstimator.Bound(scores, bound))
            TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before + 1);

        TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before);
    }
}
