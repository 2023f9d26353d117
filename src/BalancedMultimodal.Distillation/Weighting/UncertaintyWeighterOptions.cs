namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>Options of <see cref="UncertaintyWeighter"/>. Validated by <see cref="UncertaintyWeighterOptionsValidator"/>.</summary>
public sealed class UncertaintyWeighterOptions
{
    /// <summary>The initial log-variance s_m of every modality (finite). Default 0, i.e. initial weights exp(-0) = 1.</summary>
    public double InitialLogVariance { get; set; }
}
