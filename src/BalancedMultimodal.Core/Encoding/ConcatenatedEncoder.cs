using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>
/// Runs several encoders on the same modality and concatenates their embeddings: h = [f_1(X), ..., f_K(X)],
/// input (n, d_in), output (n, sum_k e_k). Used to give a graph encoder a graph-free path (e.g. relational GCN + MLP),
/// so a modality's head sees both its neighbourhood-smoothed and its own features.
/// </summary>
public sealed class ConcatenatedEncoder : ModalityEncoder
{
    private readonly TorchSharp.Modules.ModuleList<ModalityEncoder> parts;

    /// <summary>Creates the encoder; it takes ownership of the parts.</summary>
    /// <param name="encoders">At least one encoder, all on the same device and dtype, all accepting the same input.</param>
    /// <exception cref="ArgumentException">No encoder given, a null entry, an encoder whose embedding width is below 1,
    /// or encoders whose parameters lie on different devices or dtypes (the offending encoder is named by its index).</exception>
    public ConcatenatedEncoder(IReadOnlyList<ModalityEncoder> encoders) : base(nameof(ConcatenatedEncoder))
    {
        ArgumentNullException.ThrowIfNull(encoders);
        if (encoders.Count == 0) throw new ArgumentException("At least one encoder is needed.", nameof(encoders));
        for (int k = 0; k < encoders.Count; k++)
            if (encoders[k] is null) throw new ArgumentException($"Encoder {k} is null.", nameof(encoders));
        for (int k = 0; k < encoders.Count; k++)
            if (encoders[k].EmbeddingDim < 1)
                throw new ArgumentException($"Encoder {k} has embedding width {encoders[k].EmbeddingDim}; at least 1 is needed.", nameof(encoders));
        // The embeddings are concatenated, so every part must produce them on one device and dtype: the first parameter
        // of each part that has one is compared with the first such parameter found.
        (int Index, TorchSharp.Modules.Parameter Parameter)? reference = null;
        for (int k = 0; k < encoders.Count; k++)
        {
            var first = encoders[k].parameters().FirstOrDefault();
            if (first is null) continue;
            if (reference is not { } r)
            {
                reference = (k, first);
                continue;
            }
            if (first.device.type != r.Parameter.device.type || first.device.index != r.Parameter.device.index || first.dtype != r.Parameter.dtype)
                throw new ArgumentException(
                    $"Encoder {k} holds {first.dtype} parameters on {first.device}; encoder {r.Index} holds {r.Parameter.dtype} on {r.Parameter.device}. All parts must share one device and dtype.",
                    nameof(encoders));
        }
        parts = new TorchSharp.Modules.ModuleList<ModalityEncoder>(encoders.ToArray());
        EmbeddingDim = encoders.Sum(e => e.EmbeddingDim);
        RegisterComponents();
    }

    /// <summary>Width sum_k e_k of the concatenated embeddings.</summary>
    public override long EmbeddingDim { get; }

    /// <summary>Every part's <see cref="ModalityEncoder.InputWeights"/>, parts in order.</summary>
    public override IReadOnlyList<TorchSharp.Modules.Parameter> InputWeights => parts.SelectMany(p => p.InputWeights).ToArray();

    /// <summary>The concatenated encoders, in order.</summary>
    public IReadOnlyList<ModalityEncoder> Parts => parts.ToArray();

    /// <summary>Encodes: (n, d_in) to (n, sum_k e_k), the parts' embeddings side by side in order.</summary>
    /// <param name="input">Features (n, d_in).</param>
    /// <returns>Embeddings (n, <see cref="EmbeddingDim"/>).</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public override Tensor forward(Tensor input)
    {
        TensorArgument.ThrowIfNullOrDisposed(input);
        using var scope = NewDisposeScope();
        return cat(parts.Select(p => p.forward(input)).ToArray(), 1).MoveToOuterDisposeScope();
    }
}
