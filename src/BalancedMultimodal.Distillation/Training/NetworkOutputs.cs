using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>What <see cref="BalancedMultimodalNetwork.Forward"/> returns.</summary>
/// <param name="Embeddings">Per-modality embeddings h_m, each (n, e_m).</param>
/// <param name="ModalityLogits">Per-modality head logits z_m, each (n, C).</param>
/// <param name="FusedLogits">Fused classifier logits, (n, C).</param>
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
}
