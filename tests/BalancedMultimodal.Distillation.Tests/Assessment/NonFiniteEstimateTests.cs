using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

/// <summary>A NaN or an infinite mutual-information estimate compares false with every bound, so a NaN observed value
/// used to give the smallest p-value and an open-looking gate ("p = 0.05 &lt;= 0.05 ... I = NaN"). The permutation test
/// and the assessor refuse it, naming the estimator, the estimate (observed or permutation b) and the pair.</summary>
public class NonFiniteEstimateTests
{
    private static readonly double[,] X = { { 0.1 }, { 0.5 }, { 0.2 }, { 0.9 }, { 0.4 }, { 0.7 } };
    private static readonly double[,] Y = { { 1.0 }, { 0.3 }, { 0.8 }, { 0.2 }, { 0.6 }, { 0.5 } };

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_finite_observed_estimate_is_refused_naming_the_estimator(double value)
    {
        var act = () => new RowPermutationSignificanceTest().Test(new CallScriptedEstimator(call => call == 0 ? value : 0.1), X, Y, 19, 3);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"The mutual-information estimator 'call-scripted' returned {value} for the observed estimate (the rows as paired)*");
    }

    [Fact]
    public void A_non_finite_permutation_estimate_is_refused_naming_its_index()
    {
        var act = () => new RowPermutationSignificanceTest().Test(new CallScriptedEstimator(call => call == 3 ? double.NaN : 0.1), X, Y, 19, 3);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("The mutual-information estimator 'call-scripted' returned NaN for the estimate of permutation 3 of 19*");
    }

    [Fact]
    public void A_non_finite_value_from_the_fast_permutation_path_is_refused_naming_its_index()
    {
        var estimator = new FastPathEstimator(b => b == 4 ? double.NegativeInfinity : 0.05);

        var act = () => new RowPermutationSignificanceTest().Test(estimator, X, Y, 9, 3);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("The mutual-information estimator 'fast-path' returned -Infinity for the estimate of permutation 5 of 9*");
        estimator.FastPathCalls.Should().Be(1, "the wrapped estimator's fast path is still used");
    }

    [Fact]
    public void Finite_estimates_give_the_same_result_as_cores_permutation_test()
    {
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false });
        var core = new PermutationTest(estimator, new PermutationTestOptions { Permutations = 29, Seed = 7 }).Run(X, Y);

        var result = new RowPermutationSignificanceTest().Test(estimator, X, Y, 29, 7);

        result.Observed.Should().Be(core.Estimate);
        result.PValue.Should().Be(core.PValue);
        result.NullMean.Should().Be(core.NullMean);
    }

    [Fact]
    public void The_assessor_names_the_estimator_and_the_pair_with_permutations()
    {
        var data = new SyntheticModalities(seed: 1, rows: 60);
        var assessor = new ModalityAssessor(new CallScriptedEstimator(_ => double.NaN), new ModalityAssessmentOptions { Permutations = 19 });

        var act = () => assessor.Assess(data.Evidence());

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("Assessing teacher candidate 'mrna' and student 'methylation': The mutual-information estimator 'call-scripted' returned NaN for the observed estimate*");
    }

    [Fact]
    public void The_assessor_names_the_estimator_and_the_pair_without_permutations()
    {
        var data = new SyntheticModalities(seed: 1, rows: 60);
        var assessor = new ModalityAssessor(new CallScriptedEstimator(_ => double.NaN), new ModalityAssessmentOptions { Permutations = 0 });

        var act = () => assessor.Assess(data.Evidence());

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("The mutual-information estimator 'call-scripted' returned NaN for teacher candidate 'mrna' and student 'methylation'; the gate needs a finite estimate.");
    }

    [Fact]
    public void The_assessor_refuses_a_non_finite_estimate_of_the_student_and_the_labels()
    {
        var data = new SyntheticModalities(seed: 1, rows: 60);
        var assessor = new ModalityAssessor(new CallScriptedEstimator(_ => 0.3), new ModalityAssessmentOptions { Permutations = 0 },
            labelEstimator: new CallScriptedEstimator(_ => double.PositiveInfinity));

        var act = () => assessor.Assess(data.Evidence(), data.Labels);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("The label estimator 'call-scripted' returned Infinity for I(student; labels) of student 'methylation'*");
    }

    /// <summary>Returns the value the test gives for the n-th call (0-based), on tensors and arrays alike.</summary>
    private sealed class CallScriptedEstimator(Func<int, double> value) : IMutualInformationEstimator
    {
        private int _calls;

        public string Name => "call-scripted";

        public double Estimate(Tensor x, Tensor y) => value(_calls++);

        public double Estimate(double[,] x, double[,] y) => value(_calls++);
    }

    /// <summary>An estimator with the fast permuted-Y path, whose value for permutation b (0-based) the test gives.</summary>
    private sealed class FastPathEstimator(Func<int, double> permuted) : IPermutationNullEstimator
    {
        public int FastPathCalls { get; private set; }

        public string Name => "fast-path";

        public double Estimate(Tensor x, Tensor y) => 0.2;

        public double Estimate(double[,] x, double[,] y) => 0.2;

        public double[]? EstimateWithPermutedY(Tensor x, Tensor y, IReadOnlyList<long[]> permutations, CancellationToken cancellationToken = default)
        {
            FastPathCalls++;
            return Enumerable.Range(0, permutations.Count).Select(permuted).ToArray();
        }
    }
}
