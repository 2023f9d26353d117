using System.Text;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Losses;

/// <summary>
/// The result of <see cref="DistillationLoss.Compute"/>: the total loss and each unweighted term, all 0-d tensors on the
/// inputs' device and dtype.
/// </summary>
/// <param name="Total">a1 * CrossEntropy + a2 * KullbackLeibler + a3 * Representation, summed over the terms with a
/// positive weight only (a zero-weight term contributes neither value nor gradient). Differentiable.</param>
/// <param name="CrossEntropy">Cross-entropy of the student over the labelled rows, not multiplied by a1: the plain mean over the labelled rows, or the class-weighted mean sum_i w_{y_i} CE_i / sum_i w_{y_i} when classWeights is given.</param>
/// <param name="KullbackLeibler">T^2 * (1/B) sum_b KL(softmax(z_t/T) || softmax(z_s/T)) over the B distillation rows
/// (unweighted by a2, but including the T^2 factor).</param>
/// <param name="Representation">The representation term over the distillation rows (not multiplied by a3); NaN when either embedding is null (allowed only with a3 = 0).</param>
/// <remarks>Terms whose weight is zero are computed without gradient, for logging; a zero-weight term whose mask
/// selects no row is NaN.
/// Equality is by tensor <em>identity</em> (the same tensor objects), not by tensor values: a value comparison would be
/// a device computation that fails once a tensor is disposed, and TorchSharp's tensors hash by identity. A <c>with</c>
/// copy shares its tensors. <see cref="ToString"/> describes the tensors (shape, dtype, device) without reading their
/// values, and says when one was disposed.</remarks>
public sealed record DistillationLossTerms(Tensor Total, Tensor CrossEntropy, Tensor KullbackLeibler, Tensor Representation)
{
    /// <summary>a1 * CrossEntropy + a2 * KullbackLeibler + a3 * Representation, summed over the terms with a positive weight only (a zero-weight term contributes neither value nor gradient). Differentiable.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor Total { get; init; } = RecordTensors.Live(Total, nameof(Total));

    /// <summary>Cross-entropy of the student over the labelled rows, not multiplied by a1: the plain mean over the labelled rows, or the class-weighted mean sum_i w_{y_i} CE_i / sum_i w_{y_i} when classWeights is given.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor CrossEntropy { get; init; } = RecordTensors.Live(CrossEntropy, nameof(CrossEntropy));

    /// <summary>T^2 * (1/B) sum_b KL(softmax(z_t/T) || softmax(z_s/T)) over the B distillation rows (unweighted by a2, but including the T^2 factor).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor KullbackLeibler { get; init; } = RecordTensors.Live(KullbackLeibler, nameof(KullbackLeibler));

    /// <summary>The representation term over the distillation rows (not multiplied by a3); NaN when either embedding is null (allowed only with a3 = 0).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor Representation { get; init; } = RecordTensors.Live(Representation, nameof(Representation));

    /// <summary>Whether <paramref name="other"/> holds the same tensor objects (identity, not values).</summary>
    /// <param name="other">The terms to compare with.</param>
    /// <returns>True when every member is the same tensor object.</returns>
    public bool Equals(DistillationLossTerms? other) =>
        other is not null && ReferenceEquals(Total, other.Total) && ReferenceEquals(CrossEntropy, other.CrossEntropy)
        && ReferenceEquals(KullbackLeibler, other.KullbackLeibler) && ReferenceEquals(Representation, other.Representation);

    /// <summary>A hash of the tensors' identities, consistent with <see cref="Equals(DistillationLossTerms?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(RecordTensors.IdentityHash(Total), RecordTensors.IdentityHash(CrossEntropy),
        RecordTensors.IdentityHash(KullbackLeibler), RecordTensors.IdentityHash(Representation));

    private bool PrintMembers(StringBuilder builder)
    {
        builder.AppendTensor(nameof(Total), Total, first: true).AppendTensor(nameof(CrossEntropy), CrossEntropy)
            .AppendTensor(nameof(KullbackLeibler), KullbackLeibler).AppendTensor(nameof(Representation), Representation);
        return true;
    }
}
