using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Tests.Training;
using BalancedMultimodal.Tests.Shared;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

/// <summary>
/// Cooperative cancellation of <see cref="ModalityAssessor.Assess"/>, <see cref="RowPermutationSignificanceTest"/> and
/// the trainer's gate: a token cancelled before the call stops it before any estimate, one cancelled during the run stops
/// it before the next pair estimate or permutation (counted in estimator calls), and an uncancelled token gives the same
/// plan.
/// </summary>
public class AssessmentCancellationTests
{
    /// <summary>A significance test that records the tokens it is given.</summary>
    private sealed class RecordingTest : IMutualInformationSignificanceTest
    {
        public List<CancellationToken> Tokens { get; } = [];

        public SignificanceResult Test(IMutualInformationEstimator estimator, double[,] x, double[,] y, int permutations, int seed,
            CancellationToken cancellationToken = default)
        {
            Tokens.Add(cancellationToken);
            return new SignificanceResult(Observed: estimator.Estimate(x, y), NullMean: 0.0, PValue: 0.01, Permutations: permutations);
        }
    }

    /// <summary>A fast-path estimator that records the token its fast path is given and declines it (null), so the
    /// permutation test falls back to one estimate per permutation.</summary>
    private sealed class TokenSpy(IMutualInformationEstimator inner) : IPermutationNullEstimator
    {
        public List<CancellationToken> Tokens { get; } = [];

        public string Name => inner.Name;

        public double Estimate(Tensor x, Tensor y) => inner.Estimate(x, y);

        public double Estimate(double[,] x, double[,] y) => inner.Estimate(x, y);

        public double[]? EstimateWithPermutedY(Tensor x, Tensor y, IReadOnlyList<long[]> permutations,
            CancellationToken cancellationToken = default)
        {
            Tokens.Add(cancellationToken);
            return null;
        }
    }

    private static GaussianMutualInformationEstimator Gaussian() =>
        new(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false });

    [Fact]
    public void A_cancelled_token_stops_the_assessment_before_any_estimate()
    {
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var estimator = new CancellingEstimator(Gaussian());
        var labelEstimator = new CancellingEstimator(new ContinuousDiscreteEstimator());

        // No permutations: the pair estimates are the assessor's own calls, so only its check can stop them.
        var act = () => new ModalityAssessor(estimator, new ModalityAssessmentOptions { Permutations = 0 }, labelEstimator)
            .Assess(data.Evidence(), data.Labels, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(0);
        labelEstimator.Calls.Should().Be(0);
    }

    [Fact]
    public void A_token_cancelled_after_a_pair_estimate_stops_before_the_label_estimate_and_the_next_pair()
    {
        var data = new SyntheticModalities(seed: 1);   // one strong teacher, two weak students: two pair estimates
        using var cancellation = new CancellationTokenSource();
        var estimator = new CancellingEstimator(Gaussian(), cancellation, cancelAfter: 1);
        var labelEstimator = new CancellingEstimator(new ContinuousDiscreteEstimator());

        var act = () => new ModalityAssessor(estimator, new ModalityAssessmentOptions { Permutations = 0 }, labelEstimator)
            .Assess(data.Evidence(), data.Labels, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(1, "the token is checked before every pair estimate");
        labelEstimator.Calls.Should().Be(0, "and before I(student; labels)");
    }

    [Fact]
    public void A_token_cancelled_during_a_permutation_test_stops_it_before_the_next_permutation()
    {
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        // Call 1 is the first pair's observed estimate, calls 2 and 3 its permutations 1 and 2.
        var estimator = new CancellingEstimator(Gaussian(), cancellation, cancelAfter: 3);

        var act = () => new ModalityAssessor(estimator, new ModalityAssessmentOptions { Permutations = 49 })
            .Assess(data.Evidence(), cancellationToken: cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(3, "the assessor passes its token to the significance test, which checks it between permutations");
    }

    [Fact]
    public void The_assessor_passes_its_token_to_the_significance_test()
    {
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var test = new RecordingTest();

        new ModalityAssessor(Gaussian(), new ModalityAssessmentOptions { Permutations = 19 }, significanceTest: test)
            .Assess(data.Evidence(), cancellationToken: cancellation.Token);

        test.Tokens.Should().HaveCount(2).And.OnlyContain(t => t == cancellation.Token);
    }

    [Fact]
    public void An_uncancelled_token_gives_the_same_plan_as_none()
    {
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var assessor = new ModalityAssessor(Gaussian(), new ModalityAssessmentOptions { Permutations = 19, Seed = 3 });

        var without = assessor.Assess(data.Evidence(), data.Labels);
        var with = assessor.Assess(data.Evidence(), data.Labels, cancellation.Token);

        with.Should().BeEquivalentTo(without, o => o.WithStrictOrdering());
        with.Modalities.Select(a => a.TeacherPValue).Should().Equal(without.Modalities.Select(a => a.TeacherPValue));
        with.Modalities.Select(a => a.MutualInformationWithTeacher).Should().Equal(without.Modalities.Select(a => a.MutualInformationWithTeacher));
    }

    [Fact]
    public void The_row_permutation_test_with_a_cancelled_token_throws_before_any_estimate()
    {
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var estimator = new CancellingEstimator(Gaussian());

        var act = () => new RowPermutationSignificanceTest().Test(estimator, data.StrongLogits, data.WeakLogits, 9, 1, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(0);
    }

    [Fact]
    public void The_row_permutation_test_cancelled_during_the_run_stops_before_the_next_permutation()
    {
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var estimator = new CancellingEstimator(Gaussian(), cancellation, cancelAfter: 5);

        var act = () => new RowPermutationSignificanceTest().Test(estimator, data.StrongLogits, data.WeakLogits, 49, 1, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(5);
    }

    [Fact]
    public void The_row_permutation_test_passes_its_token_to_the_estimators_fast_path()
    {
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var spy = new TokenSpy(Gaussian());

        new RowPermutationSignificanceTest().Test(spy, data.StrongLogits, data.WeakLogits, 9, 1, cancellation.Token);

        spy.Tokens.Should().Equal([cancellation.Token], "the finite-estimates wrapper hands the caller's token on to the fast path");
    }

    [Fact]
    public void A_cancelled_token_stops_the_assessment_even_when_every_modality_is_strong()
    {
        // Delta 0.9: all three modalities are strong, so there is no pair estimate and no per-teacher check; only the
        // check before any work can stop the call.
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => new ModalityAssessor(Gaussian(), new ModalityAssessmentOptions { Permutations = 0, Delta = 0.9 })
            .Assess(data.Evidence(), data.Labels, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
    }

    [Fact]
    public void A_token_cancelled_after_the_first_teachers_estimate_stops_before_the_second_teacher()
    {
        // Delta 0.4: "mrna" and "methylation" are strong, "noise" is weak, so the student has two teacher candidates.
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var estimator = new CancellingEstimator(Gaussian(), cancellation, cancelAfter: 1);

        var act = () => new ModalityAssessor(estimator, new ModalityAssessmentOptions { Permutations = 0, Delta = 0.4 })
            .Assess(data.Evidence(), cancellationToken: cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(1, "the token is checked before each teacher candidate's estimate");
    }

    [Fact]
    public void Invalid_modalities_with_a_cancelled_token_give_the_argument_exception()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => new ModalityAssessor(Gaussian(), new ModalityAssessmentOptions())
            .Assess(Array.Empty<ModalityEvidence>(), null, cancellation.Token);

        act.Should().Throw<ArgumentException>("the arguments are checked before the token");
    }

    [Fact]
    public void An_uncancelled_token_gives_the_same_row_permutation_test_as_none()
    {
        var data = new SyntheticModalities(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var test = new RowPermutationSignificanceTest();

        test.Test(Gaussian(), data.StrongLogits, data.WeakLogits, 19, 2, cancellation.Token)
            .Should().Be(test.Test(Gaussian(), data.StrongLogits, data.WeakLogits, 19, 2));
    }

    [Fact]
    public void The_trainer_passes_its_token_to_the_gate_which_stops_after_the_estimate_that_cancelled_it()
    {
        var data = TrainingFixtures.Tiny();
        using var cancellation = new CancellationTokenSource();
        // Delta 0: one strong modality, two students, so the gate makes two pair estimates; the first cancels.
        var estimator = new CancellingEstimator(new ConstantMutualInformationEstimator(1.0), cancellation, cancelAfter: 1);

        var act = () => TrainingFixtures.TinyTrainer(TrainingFixtures.TinyOptions(), estimator).Fit(data, cancellationToken: cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(1, "the gate checks the trainer's token before the second pair estimate");
    }

    [Fact]
    public void The_trainer_passes_its_token_to_the_gate_under_the_complementarity_criterion()
    {
        var data = TrainingFixtures.Tiny();
        using var cancellation = new CancellationTokenSource();
        // As above, but under the complementarity criterion the trainer calls the assessor on another branch (the
        // labelled validation rows, with I(student; labels)), which must receive the trainer's token too.
        var estimator = new CancellingEstimator(new ConstantMutualInformationEstimator(1.0), cancellation, cancelAfter: 1);
        var options = TrainingFixtures.TinyOptions();
        options.Assessment.RequireComplementarity = true;

        var act = () => TrainingFixtures.TinyTrainer(options, estimator).Fit(data, cancellationToken: cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(1, "the gate checks the trainer's token before I(student; labels) and the next pair estimate");
    }
}
