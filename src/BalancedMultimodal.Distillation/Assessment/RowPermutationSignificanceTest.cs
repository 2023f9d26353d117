using BalancedMultimodal.Core.Information;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// Permutation test of I(X; Y) for the MI gate, delegating to Core's <see cref="PermutationTest"/>: the rows of Y are
/// shuffled P times (seeded Fisher-Yates), which destroys the pairing but keeps both marginals, and I is re-estimated:
/// <code>
/// p = (1 + #{b : I(X; Y_pi_b) &gt;= I(X; Y)}) / (1 + P)
/// </code>
/// (the add-one form of Phipson and Smyth, 2010, never 0, exact in level).
/// </summary>
public sealed class RowPermutationSignificanceTest : IMutualInformationSignificanceTest
{
    /// <inheritdoc />
    public SignificanceResult Test(IMutualInformationEstimator estimator, double[,] x, double[,] y, int permutations, int seed)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(permutations, 1);
        if (x.GetLength(0) != y.GetLength(0))
            throw new ArgumentException($"x has {x.GetLength(0)} rows but y has {y.GetLength(0)}; rows must be paired.", nameof(y));
        var result = new PermutationTest(estimator, new PermutationTestOptions { Permutations = permutations, Seed = seed }).Run(x, y);
        return new SignificanceResult(result.Estimate, result.PValue, result.NullMean, result.Permutations);
    }
}
