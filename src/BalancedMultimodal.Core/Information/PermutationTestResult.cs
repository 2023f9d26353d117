namespace BalancedMultimodal.Core.Information;

/// <summary>The outcome of a <see cref="PermutationTest"/>.</summary>
/// <param name="Estimate">The estimate on the original pairing, in nats.</param>
/// <param name="NullMean">The mean estimate over the permuted pairings (the estimator's value under independence).</param>
/// <param name="PValue">(1 + #{null &gt;= Estimate}) / (1 + Permutations), in (0, 1].</param>
/// <param name="Permutations">The number of permutations P.</param>
public sealed record PermutationTestResult(double Estimate, double NullMean, double PValue, int Permutations)
{
    /// <summary>True when <see cref="PValue"/> is at most <paramref name="alpha"/>.</summary>
    /// <param name="alpha">The significance level, e.g. 0.05.</param>
    /// <returns>Whether the dependence is significant at that level.</returns>
    public bool IsSignificant(double alpha) => PValue <= alpha;
}
