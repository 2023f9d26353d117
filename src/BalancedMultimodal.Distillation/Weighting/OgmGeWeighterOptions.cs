namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>Options of <see cref="OgmGeWeighter"/>. Validated by <see cref="OgmGeWeighterOptionsValidator"/>.</summary>
public sealed class OgmGeWeighterOptions
{
    /// <summary>alpha &gt; 0, the damping strength. Default 0.1, the default of common OGM-GE re-implementations; the
    /// OGM-GE paper tunes it per dataset (0.1-0.8).</summary>
    public double Alpha { get; set; } = 0.1;

    /// <summary>The damping formula: <see cref="OgmGeFormula.Paper"/> (default, continuous) or the released code's.</summary>
    public OgmGeFormula Formula { get; set; } = OgmGeFormula.Paper;
}
