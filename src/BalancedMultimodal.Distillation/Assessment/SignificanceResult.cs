namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>The outcome of a significance test of I(X; Y). The positional order (observed, null mean, p-value,
/// permutations) is that of <see cref="BalancedMultimodal.Core.Information.PermutationTestResult"/>, so deconstructing
/// either into four variables gives the same meanings; construct it with named arguments.</summary>
/// <param name="Observed">The estimate on the paired data, in nats.</param>
/// <param name="NullMean">The mean of the P null estimates, in nats (the estimator's bias under independence).</param>
/// <param name="PValue">p = (1 + #{null &gt;= observed}) / (1 + P), in (0, 1].</param>
/// <param name="Permutations">P, the number of null estimates.</param>
public sealed record SignificanceResult(double Observed, double NullMean, double PValue, int Permutations)
{
    /// <summary>True when <see cref="PValue"/> is at most <paramref name="alpha"/> (the rule of
    /// <see cref="ModalityAssessor"/>'s gate, p &lt;= <see cref="ModalityAssessmentOptions.SignificanceLevel"/>).</summary>
    /// <param name="alpha">The significance level, e.g. 0.05.</param>
    /// <returns>Whether the dependence is significant at that level.</returns>
    public bool IsSignificant(double alpha) => PValue <= alpha;
}
