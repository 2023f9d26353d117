namespace BalancedMultimodal.Core.Information;

/// <summary>A bootstrap percentile interval for a mutual information estimate.</summary>
/// <param name="Estimate">The estimate on the original sample, in nats.</param>
/// <param name="Lower">The (1 - level)/2 quantile of the bootstrap estimates.</param>
/// <param name="Upper">The (1 + level)/2 quantile of the bootstrap estimates.</param>
/// <param name="ConfidenceLevel">The nominal coverage, e.g. 0.95.</param>
/// <param name="Resamples">The number of bootstrap resamples B.</param>
public sealed record ConfidenceInterval(double Estimate, double Lower, double Upper, double ConfidenceLevel, int Resamples);
