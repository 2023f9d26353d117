namespace BalancedMultimodal.Distillation.Losses;

/// <summary>
/// Options of <see cref="DistillationLoss"/>: L = A1 * CE + A2 * T^2 * KL + A3 * RE (METHOD.md section 6).
/// Validated by <see cref="DistillationLossOptionsValidator"/>.
/// </summary>
public sealed class DistillationLossOptions
{
    /// <summary>The configuration section name used by the dependency-injection extension (<c>Loss</c>).</summary>
    public const string SectionName = "Loss";

    /// <summary>Weight a1 of the supervised cross-entropy over the labelled rows. Default 1. Must be &gt;= 0.</summary>
    public double CrossEntropyWeight { get; set; } = 1.0;

    /// <summary>Weight a2 of the temperature-scaled KL term T^2 * KL(teacher || student). Default 1. Must be &gt;= 0.</summary>
    public double KullbackLeiblerWeight { get; set; } = 1.0;

    /// <summary>
    /// Weight a3 of the representation term. Default 0.1: a hint, an order of magnitude below the two output terms,
    /// because an MSE between embeddings of unnormalised scale can otherwise dominate the loss. Must be &gt;= 0.
    /// </summary>
    public double RepresentationWeight { get; set; } = 0.1;

    /// <summary>
    /// Softmax temperature T &gt; 0. Default 2: Hinton et al. (2015) use 1-20; small class counts (2-5 subtypes)
    /// carry little "dark knowledge", so a mild softening is enough. The KL term is multiplied by T^2 so its
    /// gradient magnitude does not shrink as T grows; T^2 must therefore be a finite positive normal double (about
    /// 1.5e-154 &lt;= T &lt;= 1.3e154). Logits that overflow their dtype once divided by T are refused by
    /// <see cref="DistillationLoss.Compute"/>.
    /// </summary>
    public double Temperature { get; set; } = 2.0;

    /// <summary>The representation term: <see cref="RepresentationLossKind.ProjectedMse"/> (default) or cosine.</summary>
    public RepresentationLossKind Representation { get; set; } = RepresentationLossKind.ProjectedMse;
}
