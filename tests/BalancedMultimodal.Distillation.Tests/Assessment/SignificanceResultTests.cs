using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

/// <summary>The two significance records share one positional order, (observed/estimate, null mean, p-value,
/// permutations), so deconstructing either into four variables gives the same meanings. Before, SignificanceResult was
/// (Observed, PValue, NullMean, Permutations): the same deconstruction swapped the p-value and the null mean.</summary>
public class SignificanceResultTests
{
    [Fact]
    public void Significance_result_deconstructs_as_observed_null_mean_p_value_permutations()
    {
        var (observed, nullMean, pValue, permutations) =
            new SignificanceResult(Observed: 0.7, NullMean: 0.1, PValue: 0.02, Permutations: 99);

        observed.Should().Be(0.7);
        nullMean.Should().Be(0.1);
        pValue.Should().Be(0.02);
        permutations.Should().Be(99);
    }

    [Fact]
    public void Permutation_test_result_deconstructs_in_the_same_order()
    {
        var (estimate, nullMean, pValue, permutations) =
            new PermutationTestResult(Estimate: 0.7, NullMean: 0.1, PValue: 0.02, Permutations: 99);

        estimate.Should().Be(0.7);
        nullMean.Should().Be(0.1);
        pValue.Should().Be(0.02);
        permutations.Should().Be(99);
    }

    [Fact]
    public void Both_records_have_the_same_positional_parameter_order()
    {
        static string[] Names(Type type) =>
            type.GetConstructors().Single(c => c.GetParameters().Length == 4).GetParameters().Select(p => p.Name!).ToArray();

        Names(typeof(SignificanceResult)).Should().Equal("Observed", "NullMean", "PValue", "Permutations");
        Names(typeof(PermutationTestResult)).Should().Equal("Estimate", "NullMean", "PValue", "Permutations");
    }

    [Theory]
    [InlineData(0.04, 0.05, true)]
    [InlineData(0.05, 0.05, true)]
    [InlineData(0.06, 0.05, false)]
    public void Is_significant_is_p_at_most_alpha_as_for_the_permutation_test_result(double p, double alpha, bool expected)
    {
        new SignificanceResult(Observed: 0.7, NullMean: 0.1, PValue: p, Permutations: 99).IsSignificant(alpha).Should().Be(expected);
        new PermutationTestResult(Estimate: 0.7, NullMean: 0.1, PValue: p, Permutations: 99).IsSignificant(alpha).Should().Be(expected);
    }

    [Fact]
    public void The_row_permutation_test_copies_each_field_of_the_permutation_test_to_its_namesake()
    {
        var rng = new Random(3);
        var x = new double[60, 1];
        var y = new double[60, 1];
        for (int i = 0; i < 60; i++)
        {
            x[i, 0] = rng.NextDouble();
            y[i, 0] = x[i, 0] + 0.5 * rng.NextDouble();
        }
        var estimator = new GaussianMutualInformationEstimator(new GaussianMutualInformationEstimatorOptions { BiasCorrection = false });
        var expected = new PermutationTest(estimator, new PermutationTestOptions { Permutations = 19, Seed = 5 }).Run(x, y);

        var result = new RowPermutationSignificanceTest().Test(estimator, x, y, 19, 5);

        result.Should().Be(new SignificanceResult(Observed: expected.Estimate, NullMean: expected.NullMean, PValue: expected.PValue,
            Permutations: expected.Permutations));
    }
}
