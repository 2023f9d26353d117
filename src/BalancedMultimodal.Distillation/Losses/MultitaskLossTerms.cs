using System.Text;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Losses;

/// <summary>The result of <c>MultitaskLoss.Compute</c> (either overload); every tensor is 0-d, on the inputs' device and dtype.</summary>
/// <param name="Total">Fused + WeightedModalities + Distillation (differentiable).</param>
/// <param name="Fused">CE of the fused classifier over the labelled rows (class-weighted mean when classWeights is given).</param>
/// <param name="ModalityLosses">CE of each auxiliary head over the labelled rows (those having the modality when masks are given), in modality order, not multiplied by w_m: the plain mean over those rows, or the class-weighted mean sum_i w_{y_i} CE_i / sum_i w_{y_i} when classWeights is given.</param>
/// <param name="ModalityWeights">The weights w_m in force for this step (for the learned policy: exp(-s_m)).</param>
/// <param name="WeightedModalities">The weighter's combination of <paramref name="ModalityLosses"/> (sum_m w_m L_m,
/// or sum_m exp(-s_m) L_m + s_m for the learned policy).</param>
/// <param name="Distillation">The sum of the distillation totals passed in (0 when none).</param>
/// <remarks>Equality is by tensor <em>identity</em> (the same tensor and list objects), not by tensor values: a value
/// comparison would be a device computation that fails once a tensor is disposed, and TorchSharp's tensors hash by
/// identity. A <c>with</c> copy shares its tensors. <see cref="ToString"/> describes the tensors (shape, dtype, device)
/// without reading their values, and says when one was disposed.</remarks>
public sealed record MultitaskLossTerms(
    Tensor Total,
    Tensor Fused,
    IReadOnlyList<Tensor> ModalityLosses,
    IReadOnlyList<double> ModalityWeights,
    Tensor WeightedModalities,
    Tensor Distillation)
{
    /// <summary>Fused + WeightedModalities + Distillation (differentiable).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor Total { get; init; } = RecordTensors.Live(Total, nameof(Total));

    /// <summary>CE of the fused classifier over the labelled rows (class-weighted mean when classWeights is given).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor Fused { get; init; } = RecordTensors.Live(Fused, nameof(Fused));

    /// <summary>CE of each auxiliary head over the labelled rows (those having the modality when masks are given), in modality order, not multiplied by w_m: the plain mean over those rows, or the class-weighted mean sum_i w_{y_i} CE_i / sum_i w_{y_i} when classWeights is given.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor in the list.</exception>
    public IReadOnlyList<Tensor> ModalityLosses { get; init; } = RecordTensors.LiveEntries(ModalityLosses, nameof(ModalityLosses));

    /// <summary>The weights w_m in force for this step (for the learned policy: exp(-s_m)).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public IReadOnlyList<double> ModalityWeights { get; init; } = ModalityWeights ?? throw new ArgumentNullException(nameof(ModalityWeights));

    /// <summary>The weighter's combination of <see cref="ModalityLosses"/> (sum_m w_m L_m, or sum_m exp(-s_m) L_m + s_m for the learned policy).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor WeightedModalities { get; init; } = RecordTensors.Live(WeightedModalities, nameof(WeightedModalities));

    /// <summary>The sum of the distillation totals passed in (0 when none).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor Distillation { get; init; } = RecordTensors.Live(Distillation, nameof(Distillation));

    /// <summary>Whether <paramref name="other"/> holds the same tensor and list objects (identity, not values).</summary>
    /// <param name="other">The terms to compare with.</param>
    /// <returns>True when every member is the same object.</returns>
    public bool Equals(MultitaskLossTerms? other) =>
        other is not null && ReferenceEquals(Total, other.Total) && ReferenceEquals(Fused, other.Fused)
        && ReferenceEquals(ModalityLosses, other.ModalityLosses) && ReferenceEquals(ModalityWeights, other.ModalityWeights)
        && ReferenceEquals(WeightedModalities, other.WeightedModalities) && ReferenceEquals(Distillation, other.Distillation);

    /// <summary>A hash of the members' identities, consistent with <see cref="Equals(MultitaskLossTerms?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(RecordTensors.IdentityHash(Total), RecordTensors.IdentityHash(Fused),
        RecordTensors.IdentityHash(ModalityLosses), RecordTensors.IdentityHash(ModalityWeights),
        RecordTensors.IdentityHash(WeightedModalities), RecordTensors.IdentityHash(Distillation));

    private bool PrintMembers(StringBuilder builder)
    {
        builder.AppendTensor(nameof(Total), Total, first: true).AppendTensor(nameof(Fused), Fused)
            .AppendTensors(nameof(ModalityLosses), ModalityLosses)
            .Append(", ").Append(nameof(ModalityWeights)).Append(" = [")
            .Append(string.Join(", ", ModalityWeights.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))).Append(']')
            .AppendTensor(nameof(WeightedModalities), WeightedModalities).AppendTensor(nameof(Distillation), Distillation);
        return true;
    }
}
