namespace BalancedMultimodal.Core.Information;

/// <summary>Options of <see cref="BootstrapConfidenceInterval"/> (configuration section <c>Bootstrap</c>).</summary>
public sealed class BootstrapOptions
{
    /// <summary>Number of bootstrap resamples B. Default 200. Must be at least 2.</summary>
    public int Resamples { get; set; } = 200;

    /// <summary>Coverage of the interval, in (0, 1). Default 0.95.</summary>
    public double ConfidenceLevel { get; set; } = 0.95;

    /// <summary>Seed of the resampling (System.Random). Default 0.</summary>
    public int Seed { get; set; }
}
