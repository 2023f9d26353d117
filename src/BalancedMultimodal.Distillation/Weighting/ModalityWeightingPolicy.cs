namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>The per-modality loss-weighting policy that <see cref="ModalityLossWeighterFactory"/> creates.</summary>
public enum ModalityWeightingPolicy
{
    /// <summary><see cref="PerformanceGatedWeighter"/> (the method's policy, default).</summary>
    PerformanceGated,

    /// <summary><see cref="UniformWeighter"/> (baseline: every weight 1).</summary>
    Uniform,

    /// <summary><see cref="OgmGeWeighter"/> (damping of the dominant modality).</summary>
    OgmGe,

    /// <summary><see cref="UncertaintyWeighter"/> (learned log-variances, Kendall et al. 2018).</summary>
    Uncertainty,
}
