namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>Which of OGM-GE's two published damping formulas <see cref="OgmGeWeighter"/> uses for a dominant modality (ratio &gt; 1).</summary>
public enum OgmGeFormula
{
    /// <summary>The paper's k = 1 - tanh(alpha * (ratio - 1)): continuous, no damping at ratio = 1.</summary>
    Paper,

    /// <summary>The released code's k = 1 - tanh(alpha * relu(ratio)): jumps to 1 - tanh(alpha) as soon as ratio exceeds 1.</summary>
    Code,
}
