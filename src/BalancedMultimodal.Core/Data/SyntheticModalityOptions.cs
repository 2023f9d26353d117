namespace BalancedMultimodal.Core.Data;

/// <summary>One modality of <see cref="SyntheticMultiomicsOptions"/>.</summary>
public sealed class SyntheticModalityOptions
{
    /// <summary>The modality name (non-empty, distinct). Default "modality".</summary>
    public string Name { get; set; } = "modality";

    /// <summary>Number of features d (&gt;= 1). Default 100.</summary>
    public int FeatureCount { get; set; } = 100;

    /// <summary>Number of informative features k (0 &lt;= k &lt;= d): the first k columns carry the class signal. Default 20.</summary>
    public int InformativeFeatureCount { get; set; } = 20;

    /// <summary>
    /// Signal strength s &gt;= 0: class c's mean on informative feature j is s * u_cj with u_cj ~ N(0, 1), against unit noise.
    /// 0 makes the modality pure noise. Default 1.
    /// </summary>
    public double SignalStrength { get; set; } = 1.0;
}
