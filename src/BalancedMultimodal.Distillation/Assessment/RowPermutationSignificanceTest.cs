using BalancedMultimodal.Core.Information;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// Permutation test of I(X; Y): the rows of Y are shuffled P times (Fisher-Yates with <see cref="System.Random"/> seeded
/// by the given seed), which destroys the pairing but keeps both marginals, and I is re-estimated each time:
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
        int n = y.GetLength(0), columns = y.GetLength(1);
        if (x.GetLength(0) != n)
            throw new ArgumentException($"x has {x.GetLength(0)} rows but y has {n}; rows must be paired.", nameof(y));

        double observed = estimator.Estimate(x, y);
        var random = new Random(seed);
        var order = Enumerable.Range(0, n).ToArray();
        var shuffled = new double[n, columns];
        int atLeastObserved = 0;
        double nullSum = 0;
        for (int b = 0; b < permutations; b++)
        {
            for (int i = n - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < columns; c++)
                    shuffled[i, c] = y[order[i], c];
            }
            double value = estimator.Estimate(x, shuffled);
            nullSum += value;
            if (value >= observed)
                atLeastObserved++;
        }
        return new SignificanceResult(observed, (1.0 + atLeastObserved) / (1.0 + permutations), nullSum / permutations, permutations);
    }
}
