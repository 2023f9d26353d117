using System.Text;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>What <see cref="BalancedMultimodalNetwork.Forward"/> returns.</summary>
/// <param name="Embeddings">Per-modality embeddings h_m, each (n, e_m).</param>
/// <param name="ModalityLogits">Per-modality head logits z_m, each (n, C).</param>
/// <param name="FusedLogits">Fused classifier logits, (n, C).</param>
/// <remarks>Equality is by tensor <em>identity</em> (the same tensor and list objects), not by tensor values: a value
/// comparison would be a device computation that fails once a tensor is disposed, and TorchSharp's tensors hash by
/// identity. A <c>with</c> copy shares its tensors. <see cref="ToString"/> describes the tensors (shape, dtype, device)
/// without reading their values, and says when one was disposed.</remarks>
public sealed record NetworkOutputs(IReadOnlyList<Tensor> Embeddings, IReadOnlyList<Tensor> ModalityLogits, Tensor FusedLogits)
{
    /// <summary>Per-modality embeddings h_m, each (n, e_m).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor in the list.</exception>
    public IReadOnlyList<Tensor> Embeddings { get; init; } = RecordTensors.LiveEntries(Embeddings, nameof(Embeddings));

    /// <summary>Per-modality head logits z_m, each (n, C).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor in the list.</exception>
    public IReadOnlyList<Tensor> ModalityLogits { get; init; } = RecordTensors.LiveEntries(ModalityLogits, nameof(ModalityLogits));

    /// <summary>Fused classifier logits, (n, C).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor FusedLogits { get; init; } = RecordTensors.Live(FusedLogits, nameof(FusedLogits));

    /// <summary>Whether <paramref name="other"/> holds the same tensor and list objects (identity, not values).</summary>
    /// <param name="other">The outputs to compare with.</param>
    /// <returns>True when every member is the same object.</returns>
    public bool Equals(NetworkOutputs? other) =>
        other is not null && ReferenceEquals(Embeddings, other.Embeddings) && ReferenceEquals(ModalityLogits, other.ModalityLogits)
        && ReferenceEquals(FusedLogits, other.FusedLogits);

    /// <summary>A hash of the members' identities, consistent with <see cref="Equals(NetworkOutputs?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(RecordTensors.IdentityHash(Embeddings), RecordTensors.IdentityHash(ModalityLogits),
        RecordTensors.IdentityHash(FusedLogits));

    private bool PrintMembers(StringBuilder builder)
    {
        builder.AppendTensors(nameof(Embeddings), Embeddings, first: true).AppendTensors(nameof(ModalityLogits), ModalityLogits)
            .AppendTensor(nameof(FusedLogits), FusedLogits);
        return true;
    }
}
