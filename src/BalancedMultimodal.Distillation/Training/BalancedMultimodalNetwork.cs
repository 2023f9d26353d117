using BalancedMultimodal.Core.Encoding;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>
/// The network trained by <see cref="BalancedTrainer"/>: one encoder and one classifier head per modality, and a
/// fused classifier over the concatenated modality embeddings.
/// </summary>
/// <remarks>
/// For modality m with features X_m (n, d_m): h_m = encoder_m(X_m) (n, e_m); head logits z_m = Dropout(h_m) W_m + b_m
/// (n, C); fused logits z = Dropout([h_1, ..., h_M]) W + b (n, C). METHOD.md section 1 (phase 2: "fused classifier over
/// all modality embeddings + one auxiliary head per modality").
/// </remarks>
public sealed class BalancedMultimodalNetwork : nn.Module
{
    private readonly ModuleList<ModalityEncoder> encoders;
    private readonly ModuleList<Linear> heads;
    private readonly Linear fused;
    private readonly double _dropout;

    /// <summary>Creates the network around already built encoders (the network takes ownership of them).</summary>
    /// <param name="modalityEncoders">One encoder per modality (at least two).</param>
    /// <param name="classCount">Number of classes C (at least 2).</param>
    /// <param name="headDropout">Dropout before every classifier, in [0, 1).</param>
    /// <param name="device">Device of the heads (the encoders' device).</param>
    /// <param name="dtype">Floating dtype of the heads (the encoders' dtype).</param>
    public BalancedMultimodalNetwork(IReadOnlyList<ModalityEncoder> modalityEncoders, int classCount, double headDropout, Device device, ScalarType dtype)
        : base(nameof(BalancedMultimodalNetwork))
    {
        ArgumentNullException.ThrowIfNull(modalityEncoders);
        ArgumentNullException.ThrowIfNull(device);
        if (modalityEncoders.Count < 2) throw new ArgumentException("At least two modality encoders are needed.", nameof(modalityEncoders));
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "At least two classes are needed.");
        if (!(headDropout >= 0 && headDropout < 1)) throw new ArgumentOutOfRangeException(nameof(headDropout), headDropout, "Dropout must lie in [0, 1).");
        _dropout = headDropout;
        ClassCount = classCount;
        encoders = new ModuleList<ModalityEncoder>(modalityEncoders.ToArray());
        heads = new ModuleList<Linear>(modalityEncoders.Select(e => nn.Linear(e.EmbeddingDim, classCount, device: device, dtype: dtype)).ToArray());
        fused = nn.Linear(modalityEncoders.Sum(e => e.EmbeddingDim), classCount, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Number of modalities M.</summary>
    public int ModalityCount => encoders.Count;

    /// <summary>Number of classes C.</summary>
    public int ClassCount { get; }

    /// <summary>The encoder of modality <paramref name="modality"/>.</summary>
    /// <param name="modality">Modality index.</param>
    /// <returns>The encoder.</returns>
    public ModalityEncoder Encoder(int modality) => encoders[modality];

    /// <summary>The classifier head of modality <paramref name="modality"/> (e_m -> C).</summary>
    /// <param name="modality">Modality index.</param>
    /// <returns>The head.</returns>
    public Linear Head(int modality) => heads[modality];

    /// <summary>The fused classifier (sum_m e_m -> C).</summary>
    public Linear FusedHead => fused;

    /// <summary>Parameters of one modality's encoder and head (what phase 1 and distillation train).</summary>
    /// <param name="modality">Modality index.</param>
    /// <returns>The parameters.</returns>
    public IEnumerable<Parameter> ModalityParameters(int modality) =>
        encoders[modality].parameters().Concat(heads[modality].parameters());

    /// <summary>Embeds modality m: h_m = encoder_m(X_m), (n, e_m).</summary>
    /// <param name="modality">Modality index.</param>
    /// <param name="features">Features of modality m, (n, d_m).</param>
    /// <returns>The embeddings.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="modality"/> is not in [0, M).</exception>
    /// <exception cref="ArgumentException">When the encoder rejects the features; the message names the modality.</exception>
    public Tensor Embed(int modality, Tensor features)
    {
        if ((uint)modality >= (uint)ModalityCount)
            throw new ArgumentOutOfRangeException(nameof(modality), modality, $"The network has {ModalityCount} modalities.");
        ArgumentNullException.ThrowIfNull(features);
        try
        {
            return encoders[modality].forward(features);
        }
        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
        {
            throw new ArgumentException($"Modality {modality}: {e.Message}", nameof(features), e);
        }
    }

    /// <summary>Head logits of modality m from its embeddings: Dropout(h_m) W_m + b_m, (n, C).</summary>
    /// <param name="modality">Modality index.</param>
    /// <param name="embedding">Embeddings h_m, (n, e_m).</param>
    /// <returns>The logits.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="modality"/> is not in [0, M).</exception>
    public Tensor ModalityLogits(int modality, Tensor embedding)
    {
        if ((uint)modality >= (uint)ModalityCount)
            throw new ArgumentOutOfRangeException(nameof(modality), modality, $"The network has {ModalityCount} modalities.");
        ArgumentNullException.ThrowIfNull(embedding);
        return heads[modality].forward(InvertedDropout.Apply(embedding, _dropout, training));
    }

    /// <summary>Fused logits from all embeddings: Dropout([h_1..h_M]) W + b, (n, C).</summary>
    /// <param name="embeddings">One embedding matrix per modality, each (n, e_m).</param>
    /// <returns>The logits.</returns>
    public Tensor FusedLogits(IReadOnlyList<Tensor> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        using var joined = cat(embeddings.ToArray(), 1);
        return fused.forward(InvertedDropout.Apply(joined, _dropout, training));
    }

    /// <summary>Runs every encoder, every head and the fused classifier.</summary>
    /// <param name="features">Per-modality features, each (n, d_m).</param>
    /// <returns>Embeddings, per-modality logits and fused logits.</returns>
    public NetworkOutputs Forward(IReadOnlyList<Tensor> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count != ModalityCount)
            throw new ArgumentException($"Expected {ModalityCount} feature matrices, got {features.Count}.", nameof(features));
        var embeddings = new Tensor[ModalityCount];
        var logits = new Tensor[ModalityCount];
        for (int m = 0; m < ModalityCount; m++)
        {
            embeddings[m] = Embed(m, features[m]);
            logits[m] = ModalityLogits(m, embeddings[m]);
        }
        return new NetworkOutputs(embeddings, logits, FusedLogits(embeddings));
    }
}
