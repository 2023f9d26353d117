namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>The outcome of a significance test of I(X; Y).</summary>
/// <param name="Observed">The estimate on the paired data, in nats.</param>
/// <param name="PValue">p = (1 + #{null &gt;= observed}) / (1 + P), in (0, 1].</param>
/// <param name="NullMean">The mean of the P null estimates, in nats (the estimator's bias under independence).</param>
/// <param name="Permutations">P, the number of null estimates.</param>
public sealed record SignificanceResult(double Observed, double PValue, double NullMean, int Permutations);
