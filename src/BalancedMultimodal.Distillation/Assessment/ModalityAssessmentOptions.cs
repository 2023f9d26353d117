namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// Options of <see cref="ModalityAssessor"/> (METHOD.md section 7). Validated by <see cref="ModalityAssessmentOptionsValidator"/>.
/// </summary>
public sealed class ModalityAssessmentOptions
{
    /// <summary>The configuration section name used by the dependency-injection extension (<c>Assessment</c>).</summary>
    public const string SectionName = "Assessment";

    /// <summary>delta &gt;= 0: a modality is strong iff its score &gt;= best score - delta. Default 0.05 (five macro-F1 points).</summary>
    public double Delta { get; set; } = 0.05;

    /// <summary>
    /// P, the number of row permutations of the significance test of I(teacher; student); 0 disables the test (the
    /// threshold alone then gates). Default 199, so the smallest attainable p-value is 1/200 = 0.005.
    /// </summary>
    public int Permutations { get; set; } = 199;

    /// <summary>The gate needs p &lt;= this level (in (0, 1)). Default 0.05. Must be &gt;= 1/(1 + P) when P &gt; 0.</summary>
    public double SignificanceLevel { get; set; } = 0.05;

    /// <summary>The gate needs I(teacher; student) &gt; this many nats (finite, &gt;= 0). Default 0: any positive dependence.</summary>
    public double MinimumMutualInformation { get; set; }

    /// <summary>
    /// When true, the gate also needs the complementarity criterion I(teacher; student) &gt; I(student; labels), so the
    /// teacher offers the student more than the labels already do; labels are then required. Default false.
    /// </summary>
    public bool RequireComplementarity { get; set; }

    /// <summary>When true, outputs with more than <see cref="PcaComponents"/> columns (e.g. embeddings) are reduced by PCA before MI estimation. Default false.</summary>
    public bool UsePca { get; set; }

    /// <summary>The number of principal components kept when <see cref="UsePca"/> is on (&gt;= 1). Default 10.</summary>
    public int PcaComponents { get; set; } = 10;

    /// <summary>The seed of the permutation tests; the same inputs and seed give the same plan. Default 0.</summary>
    public int Seed { get; set; }
}
