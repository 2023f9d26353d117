namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>
/// Which weighting policy to use and the options of each (the <c>Weighting</c> configuration section).
/// Validated by <see cref="ModalityWeightingOptionsValidator"/>.
/// </summary>
public sealed class ModalityWeightingOptions
{
    /// <summary>The configuration section name used by the dependency-injection extension (<c>Weighting</c>).</summary>
    public const string SectionName = "Weighting";

    /// <summary>The policy. Default <see cref="ModalityWeightingPolicy.PerformanceGated"/>.</summary>
    public ModalityWeightingPolicy Policy { get; set; } = ModalityWeightingPolicy.PerformanceGated;

    /// <summary>Options of the performance-gated policy.</summary>
    public PerformanceGatedWeighterOptions PerformanceGated { get; set; } = new();

    /// <summary>Options of the OGM-GE-style policy.</summary>
    public OgmGeWeighterOptions OgmGe { get; set; } = new();

    /// <summary>Options of the uncertainty policy.</summary>
    public UncertaintyWeighterOptions Uncertainty { get; set; } = new();
}
