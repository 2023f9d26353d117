using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>What <see cref="BalancedMultimodalNetwork.Forward"/> returns.</summary>
/// <param name="Embeddings">Per-modality embeddings h_m, each (n, e_m).</param>
/// <param name="ModalityLogits">Per-modality head logits z_m, each (n, C).</param>
/// <param name="FusedLogits">Fused classifier logits, (n, C).</param>
public sealed record NetworkOutputs(IReadOnlyList<Tensor> Embeddings, IReadOnlyList<Tensor> ModalityLogits, Tensor FusedLogits);
