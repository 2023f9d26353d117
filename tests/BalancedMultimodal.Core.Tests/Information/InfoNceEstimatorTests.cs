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

    [Theory]
    [InlineData(0.0, 2)]
    [InlineData(0.5, 4)]
    [InlineData(0.1, 15)]   // round(1.5) = 2 held-out rows (half away from zero), 13 to train
    [InlineData(0.9, 16)]   // round(14.4) = 14 held out, 2 to train; 15 rows would leave 1
    public void The_minimum_sample_count_leaves_two_rows_for_training_and_two_for_evaluation(double heldOutFraction, int expected)
    {
        new InfoNceEstimator(new InfoNceEstimatorOptions { HeldOutFraction = heldOutFraction }).MinimumSampleCount.Should().Be(expected);
    }

    [Theory]
    [InlineData(0.999)]
    [InlineData(0.003)]
    [InlineData(0.75)]
    public void The_minimum_sample_count_is_the_smallest_row_count_that_qualifies(double heldOutFraction)
    {
        static long HeldOut(long n, double f) => (long)Math.Round(n * f, MidpointRounding.AwayFromZero);
        int smallest = 4;
        while (HeldOut(smallest, heldOutFraction) < 2 || smallest - HeldOut(smallest, heldOutFraction) < 2) smallest++;

        new InfoNceEstimator(new InfoNceEstimatorOptions { HeldOutFraction = heldOutFraction }).MinimumSampleCount.Should().Be(smallest);
    }

    [Fact]
    public void A_fraction_that_no_int_row_count_can_satisfy_gives_int_max_instead_of_looping_forever()
    {
        var estimator = new InfoNceEstimator(new InfoNceEstimatorOptions { HeldOutFraction = 1 - 1e-12 });

        estimator.MinimumSampleCount.Should().Be(int.MaxValue);
    }

    [Fact]
    public void The_name_follows_the_bound()
    {
        new InfoNceEstimator().Name.Should().Be("infonce");
        new InfoNceEstimator(new InfoNceEstimatorOptions { Bound = NeuralMutualInformationBound.DonskerVaradhan }).Name.Should().Be("dv");
    }

    [Fact]
    public void Array_input_gives_the_tensor_estimate()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(40, 1, 0.5, seed: 47);
        var estimator = new InfoNceEstimator(new InfoNceEstimatorOptions { Steps = 5, BatchSize = 8, HiddenSize = 4 });
        var xa = new double[40, 1];
        var ya = new double[40, 1];
        for (int i = 0; i < 40; i++) { xa[i, 0] = x[i, 0].item<double>(); ya[i, 0] = y[i, 0].item<double>(); }

        estimator.Estimate(xa, ya).Should().Be(estimator.Estimate(x, y));
    }

    [Fact]
    public void Too_few_rows_to_train_at_a_large_held_out_fraction_are_rejected_naming_the_counts()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(15, 1, 0.5, seed: 48);

        var act = () => new InfoNceEstimator(new InfoNceEstimatorOptions { HeldOutFraction = 0.9 }).Estimate(x, y);

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage("infonce: HeldOutFraction = 0.9 of n = 15 rows leaves 1 rows to train the critic and 14 to evaluate it*");
    }

    [Fact]
    public void Scores_that_are_not_a_square_matrix_of_at_least_two_rows_are_rejected_giving_the_shape()
    {
        using var scope = NewDisposeScope();

        foreach (var (scores, shape) in new[] { (zeros(2, 3), "(2, 3)"), (zeros(1, 1), "(1, 1)"), (zeros(3, 3, 1), "(3, 3, 1)"), (zeros(4), "(4)") })
        {
            FluentActions.Invoking(() => InfoNceEstimator.Bound(scores, NeuralMutualInformationBound.InfoNce))
                .Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage($"scores must have shape (N, N) with N >= 2, got {shape}*");
        }
    }

    [Fact]
    public void Integer_scores_are_rejected()
    {
        using var scope = NewDisposeScope();

        var act = () => InfoNceEstimator.Bound(zeros(2, 2, dtype: ScalarType.Int32), NeuralMutualInformationBound.DonskerVaradhan);

        act.Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("scores must be floating point, got Int32*");
    }

    [Fact]
    public void Constant_scores_give_a_bound_of_zero_for_both_bounds()
    {
        using var scope = NewDisposeScope();
        var scores = full(4, 4, 1.5, dtype: ScalarType.Float64);

        InfoNceEstimator.Bound(scores, NeuralMutualInformationBound.InfoNce).item<double>().Should().BeApproximately(0.0, 1e-15);
        InfoNceEstimator.Bound(scores, NeuralMutualInformationBound.DonskerVaradhan).item<double>().Should().BeApproximately(0.0, 1e-15);
    }

    [Fact]
    public void Donsker_Varadhan_averages_the_exponentials_of_the_off_diagonal_scores_only()
    {
        using var scope = NewDisposeScope();
        // Off-diagonal scores 0, 1, 2, 0, 1, 2 and a diagonal (5, 7, 9): mean 7 - ln((2 + 2e + 2e^2) / 6).
        var scores = tensor(new double[,] { { 5, 0, 1 }, { 2, 7, 0 }, { 1, 2, 9 } });
        double expected = 7 - Math.Log((2 + 2 * Math.E + 2 * Math.E * Math.E) / 6);

        InfoNceEstimator.Bound(scores, NeuralMutualInformationBound.DonskerVaradhan).item<double>().Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_each_one()
    {
        FluentActions.Invoking(() => new InfoNceEstimator(new InfoNceEstimatorOptions { Steps = 0 }))
            .Should().Throw<OptionsValidationException>().WithMessage("*InfoNceEstimatorOptions.Steps must be at least 1, got 0*");
        FluentActions.Invoking(() => new InfoNceEstimator(new InfoNceEstimatorOptions { HiddenSize = 0 }))
            .Should().Throw<OptionsValidationException>().WithMessage("*InfoNceEstimatorOptions.HiddenSize must be at least 1, got 0*");
        FluentActions.Invoking(() => new InfoNceEstimator(new InfoNceEstimatorOptions { LearningRate = 0 }))
            .Should().Throw<OptionsValidationException>().WithMessage("*InfoNceEstimatorOptions.LearningRate must be finite and positive, got 0*");
        FluentActions.Invoking(() => new InfoNceEstimator(new InfoNceEstimatorOptions { LearningRate = double.PositiveInfinity }))
            .Should().Throw<OptionsValidationException>().WithMessage("*LearningRate must be finite and positive*");
        FluentActions.Invoking(() => new InfoNceEstimator(new InfoNceEstimatorOptions { Bound = (NeuralMutualInformationBound)9 }))
            .Should().Throw<OptionsValidationException>().WithMessage("*InfoNceEstimatorOptions.Bound is not a known bound: 9*");
        FluentActions.Invoking(() => new InfoNceEstimator((IOptions<InfoNceEstimatorOptions>)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => InfoNceEstimator.Bound(null!, NeuralMutualInformationBound.InfoNce))
            .Should().Throw<ArgumentNullException>().WithParameterName("scores");
    }
    private static InfoNceEstimatorOptions Tiny(NeuralMutualInformationBound bound = NeuralMutualInformationBound.InfoNce, double heldOut = 0.5) =>
        new() { Steps = 20, BatchSize = 16, HiddenSize = 8, Seed = 3, Bound = bound, HeldOutFraction = heldOut };

    [Theory]
    [InlineData(NeuralMutualInformationBound.InfoNce, 0.5)]
    [InlineData(NeuralMutualInformationBound.DonskerVaradhan, 0.0)]
    public void Columns_are_z_scored_so_an_affine_change_of_units_leaves_the_estimate_unchanged(NeuralMutualInformationBound bound, double heldOut)
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(40, 2, 0.6, seed: 50);
        var estimator = new InfoNceEstimator(Tiny(bound, heldOut));

        double estimate = estimator.Estimate(x, y);

        estimator.Estimate(x * 3 - 2, y * 0.5 + 7).Should().BeApproximately(estimate, 1e-9);
        estimate.Should().NotBe(estimator.Estimate(x, y.flip(0)), "the pairing of the rows matters");
    }

    [Fact]
    public void A_constant_column_is_only_centred_so_its_value_does_not_matter()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(40, 1, 0.6, seed: 51);
        var estimator = new InfoNceEstimator(Tiny());

        double withFive = estimator.Estimate(cat([x, full(40, 1, 5.0, dtype: ScalarType.Float64)], 1), y);
        double withMinusThree = estimator.Estimate(cat([x, full(40, 1, -3.0, dtype: ScalarType.Float64)], 1), y);

        double.IsFinite(withFive).Should().BeTrue();
        withMinusThree.Should().Be(withFive);
    }

    [Fact]
    public void Integer_input_is_estimated_as_float64_and_float32_input_in_float32()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(40, 1, 0.6, seed: 52);
        var xi = (x * 10).round().to(ScalarType.Int64);
        var estimator = new InfoNceEstimator(Tiny());

        estimator.Estimate(xi, y).Should().Be(estimator.Estimate(xi.to(ScalarType.Float64), y));
        var (x32, y32) = (x.to(ScalarType.Float32), y.to(ScalarType.Float32));
        double single = estimator.Estimate(x32, y32);
        double dual = estimator.Estimate(x32.to(ScalarType.Float64), y32.to(ScalarType.Float64));
        double.IsFinite(single).Should().BeTrue();
        single.Should().NotBe(dual, "the same values, but the critic's weights are drawn and trained in float32");
    }

    [Fact]
    public void The_donsker_varadhan_estimator_names_itself_in_its_errors()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(3, 1, 0.5, seed: 53);

        var act = () => new InfoNceEstimator(new InfoNceEstimatorOptions { Bound = NeuralMutualInformationBound.DonskerVaradhan }).Estimate(x, y);

        act.Should().Throw<ArgumentException>().WithParameterName("x").WithMessage(
            "dv: HeldOutFraction = 0.5 of n = 3 rows leaves 1 rows to train the critic and 2 to evaluate it; both need at least 2*");
    }
    [Theory]
    [InlineData(NeuralMutualInformationBound.InfoNce)]
    [InlineData(NeuralMutualInformationBound.DonskerVaradhan)]
    public void An_untrained_critic_gives_the_bound_of_pytorch_default_linear_layers_on_the_z_scored_rows(NeuralMutualInformationBound bound)
    {
        // A learning rate of 1e-300 leaves the weights at their initial values; with no held-out rows and one batch of all
        // n rows (the bound does not depend on the order of the rows) the estimate is the bound of the initial critic.
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(12, 2, 0.7, seed: 54);
        var options = new InfoNceEstimatorOptions { Steps = 1, BatchSize = 64, HiddenSize = 5, LearningRate = 1e-300, Seed = 6, HeldOutFraction = 0, Bound = bound };

        double expected = InfoNceEstimator.Bound(InitialCriticScores(x, y, hidden: 5, seed: 6), bound).item<double>();

        new InfoNceEstimator(options).Estimate(x, y).Should().BeApproximately(expected, 1e-12);
    }

    [Theory]
    [InlineData(3)]   // h = round(12 * 0.5) = 6 held-out rows: two batches of 3, averaged
    [InlineData(4)]   // one batch of 4; the other 2 held-out rows do not fill a batch
    public void The_held_out_bound_averages_disjoint_batches_of_the_seeded_held_out_rows(int batchSize)
    {
        // Untrained as above, so all 21 held-out measurements are equal. The held-out rows are the first h of
        // Random(Seed).Shuffle(0..n-1); the rows are z-scored over all n rows.
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(12, 2, 0.7, seed: 55);
        var options = new InfoNceEstimatorOptions { Steps = 1, BatchSize = batchSize, HiddenSize = 5, LearningRate = 1e-300, Seed = 7 };
        var rows = Enumerable.Range(0, 12).ToArray();
        new Random(7).Shuffle(rows);
        var scores = InitialCriticScores(x, y, hidden: 5, seed: 7);
        int batches = 6 / batchSize;
        double expected = Enumerable.Range(0, batches).Select(b =>
        {
            var index = tensor(rows.Skip(b * batchSize).Take(batchSize).Select(r => (long)r).ToArray());
            return InfoNceEstimator.Bound(scores.index_select(0, index).index_select(1, index), NeuralMutualInformationBound.InfoNce).item<double>();
        }).Average();

        new InfoNceEstimator(options).Estimate(x, y).Should().BeApproximately(expected, 1e-12);
    }

    /// <summary>Which held-out measurement a theory row's data make the best, so that the row also proves the
    /// measurement is taken (the one before the first step, or the one after the last).</summary>
    public enum BestMeasurement { Any, BeforeTraining, AfterLastStep }

    [Theory]
    [InlineData(NeuralMutualInformationBound.InfoNce, 0.5, 0.8, 0.05, BestMeasurement.Any)]
    [InlineData(NeuralMutualInformationBound.DonskerVaradhan, 0.5, 0.8, 0.05, BestMeasurement.Any)]
    [InlineData(NeuralMutualInformationBound.InfoNce, 0.0, 0.8, 0.05, BestMeasurement.Any)]
    [InlineData(NeuralMutualInformationBound.InfoNce, 0.5, 0.0, 20.0, BestMeasurement.BeforeTraining)]  // independent data, steps too large to learn anything
    [InlineData(NeuralMutualInformationBound.InfoNce, 0.5, 0.95, 0.005, BestMeasurement.AfterLastStep)] // still improving at the end
    public void Training_follows_the_documented_procedure_step_by_step(NeuralMutualInformationBound bound, double heldOutFraction,
        double correlation, double learningRate, BestMeasurement bestAt)
    {
        // A transcription of the procedure of the class remarks: seeded held-out split, batches of min(BatchSize, n - h)
        // training rows drawn without replacement (partial Fisher-Yates with Random(Seed)), Adam on the negated bound,
        // the held-out bound measured before the first step, every floor(Steps / 20) steps and after the last, the best
        // one kept; without held-out rows, one evaluation on all rows in a seeded random order after training.
        using var scope = NewDisposeScope();
        const int n = 24, steps = 45, batchSize = 8, hidden = 6, seed = 9;
        var (x, y) = CorrelatedGaussian.Sample(n, 1, correlation, seed: 56);
        var options = new InfoNceEstimatorOptions
        {
            Steps = steps, BatchSize = batchSize, HiddenSize = hidden, LearningRate = learningRate, Seed = seed, HeldOutFraction = heldOutFraction, Bound = bound,
        };

        static Tensor ZScore(Tensor m) => (m - m.mean([0], keepdim: true)) / m.std(0, unbiased: false, keepdim: true);
        var xz = ZScore(x);
        var yz = ZScore(y);
        var random = new Random(seed);
        var rows = Enumerable.Range(0, n).ToArray();
        int heldOut = (int)Math.Round(n * heldOutFraction, MidpointRounding.AwayFromZero);
        if (heldOut > 0) random.Shuffle(rows);
        var heldOutRows = rows[..heldOut];
        var order = rows[heldOut..];
        using var generator = new Generator((ulong)seed);
        var w = new[] { (hidden, 1L), (hidden, -1L), (hidden, (long)hidden), (hidden, -hidden), (hidden, 1L), (hidden, -1L), (hidden, (long)hidden), (hidden, -hidden) }
            .Select(p =>
            {
                long fanIn = Math.Abs(p.Item2);
                long[] shape = p.Item2 > 0 ? [p.Item1, fanIn] : [p.Item1];
                var init = rand(shape, dtype: ScalarType.Float64, generator: generator) * (2 / Math.Sqrt(fanIn)) - 1 / Math.Sqrt(fanIn);
                return new TorchSharp.Modules.Parameter(init.detach().clone(), requires_grad: true);
            }).ToArray();
        Tensor Scores(long[] index)
        {
            using var i = tensor(index);
            var g = nn.functional.linear(nn.functional.relu(nn.functional.linear(xz.index_select(0, i), w[0], w[1])), w[2], w[3]);
            var h = nn.functional.linear(nn.functional.relu(nn.functional.linear(yz.index_select(0, i), w[4], w[5])), w[6], w[7]);
            return g.matmul(h.t());
        }
        double Evaluate(int[] evaluationRows)
        {
            using var noGrad = no_grad();
            int size = Math.Min(batchSize, evaluationRows.Length);
            return Enumerable.Range(0, evaluationRows.Length / size)
                .Select(b => InfoNceEstimator.Bound(Scores(evaluationRows.Skip(b * size).Take(size).Select(r => (long)r).ToArray()), bound).item<double>())
                .Average();
        }

        var measurements = new List<double>();
        if (heldOut > 0) measurements.Add(Evaluate(heldOutRows));
        using (var adam = new BalancedMultimodal.Core.Optimization.ExplicitScalarAdam(w, learningRate))
        {
            int batch = Math.Min(batchSize, order.Length);
            for (int step = 1; step <= steps; step++)
            {
                for (int i = 0; i < batch; i++)
                {
                    int j = random.Next(i, order.Length);
                    (order[i], order[j]) = (order[j], order[i]);
                }
                adam.ZeroGrad();
                var loss = -InfoNceEstimator.Bound(Scores(order[..batch].Select(r => (long)r).ToArray()), bound);
                loss.backward();
                adam.Step();
                if (heldOut > 0 && (step % (steps / 20) == 0 || step == steps)) measurements.Add(Evaluate(heldOutRows));
            }
        }
        double expected = heldOut > 0 ? measurements.Max() : Evaluate(rows.OrderBy(_ => random.Next()).ToArray());
        foreach (var p in w) p.Dispose();
        if (bestAt == BestMeasurement.BeforeTraining)
            measurements.Skip(1).Should().OnlyContain(m => m < measurements[0], "this row's untrained critic must be the strict best");
        double last = measurements.Count > 0 ? measurements[measurements.Count - 1] : double.NaN;
        if (bestAt == BestMeasurement.AfterLastStep)
            measurements.SkipLast(1).Should().OnlyContain(m => m < last, "this row's final measurement must be the strict best");

        new InfoNceEstimator(options).Estimate(x, y).Should().BeApproximately(expected, 1e-9);
    }

    [Fact]
    public void Exactly_the_minimum_of_two_training_and_two_held_out_rows_is_estimated()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CorrelatedGaussian.Sample(4, 1, 0.5, seed: 57);

        double estimate = new InfoNceEstimator(new InfoNceEstimatorOptions { Steps = 2, HiddenSize = 4 }).Estimate(x, y);

        estimate.Should().BeLessThanOrEqualTo(Math.Log(2) + 1e-12, "InfoNCE over one held-out batch of 2 rows cannot exceed ln 2");
        double.IsFinite(estimate).Should().BeTrue();
    }

    [Fact]
    public void An_undefined_bound_is_named_in_the_message()
    {
        using var scope = NewDisposeScope();

        var act = () => InfoNceEstimator.Bound(zeros(2, 2, dtype: ScalarType.Float64), (NeuralMutualInformationBound)7);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Unknown NeuralMutualInformationBound 7; use InfoNce or DonskerVaradhan.*");
    }

    [Fact]
    public void An_estimate_leaves_no_tensor_alive()
    {
        using var x = randn(30, 2, dtype: ScalarType.Float64);
        using var y = randn(30, 1, dtype: ScalarType.Float64);
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        _ = new InfoNceEstimator(Tiny()).Estimate(x, y);

        TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before, "the critic's weights are freed");
    }

    /// <summary>S = g(X) h(Y)^T of the critic before training: g(x) = W2 relu(W1 x + b1) + b2 (h likewise), every weight
    /// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's Linear default) drawn in the order W1, b1, W2, b2 of g, then h's,
    /// from a generator seeded with the options' seed; X and Y z-scored with the population standard deviation.</summary>
    private static Tensor InitialCriticScores(Tensor x, Tensor y, int hidden, int seed)
    {
        using var generator = new Generator((ulong)seed);
        Tensor Draw(long[] shape, long fanIn) => rand(shape, dtype: ScalarType.Float64, generator: generator) * (2 / Math.Sqrt(fanIn)) - 1 / Math.Sqrt(fanIn);
        long dx = x.shape[1], dy = y.shape[1];
        var w = new[]
        {
            Draw([hidden, dx], dx), Draw([hidden], dx), Draw([hidden, hidden], hidden), Draw([hidden], hidden),
            Draw([hidden, dy], dy), Draw([hidden], dy), Draw([hidden, hidden], hidden), Draw([hidden], hidden),
        };
        static Tensor ZScore(Tensor m) => (m - m.mean([0], keepdim: true)) / m.std(0, unbiased: false, keepdim: true);
        var g = (ZScore(x).matmul(w[0].t()) + w[1]).relu().matmul(w[2].t()) + w[3];
        var h = (ZScore(y).matmul(w[4].t()) + w[5]).relu().matmul(w[6].t()) + w[7];
        return g.matmul(h.t());
    }
}
