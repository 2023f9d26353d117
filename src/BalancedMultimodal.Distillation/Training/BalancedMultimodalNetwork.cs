using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Encoding;
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
    /// <param name="modalityEncoders">One encoder per modality (at least two, none null, each with an embedding width &gt;= 1).</param>
    /// <param name="classCount">Number of classes C (at least 2).</param>
    /// <param name="headDropout">Dropout before every classifier, in [0, 1).</param>
    /// <param name="device">Device of the heads (the encoders' device).</param>
    /// <param name="dtype">Floating dtype of the heads (the encoders' dtype).</param>
    /// <exception cref="ArgumentException">Fewer than two encoders, a non-floating dtype, or a null encoder, one with no
    /// embedding width or one whose parameters are not on <paramref name="device"/> and <paramref name="dtype"/> (naming
    /// its index).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class count below 2 or a dropout outside [0, 1).</exception>
    public BalancedMultimodalNetwork(IReadOnlyList<ModalityEncoder> modalityEncoders, int classCount, double headDropout, Device device, ScalarType dtype)
        : base(nameof(BalancedMultimodalNetwork))
    {
        ArgumentNullException.ThrowIfNull(modalityEncoders);
        ArgumentNullException.ThrowIfNull(device);
        if (modalityEncoders.Count < 2) throw new ArgumentException("At least two modality encoders are needed.", nameof(modalityEncoders));
        Losses.TensorArguments.FloatingDType(dtype, nameof(dtype));
        for (int m = 0; m < modalityEncoders.Count; m++)
        {
            var encoder = modalityEncoders[m] ?? throw new ArgumentException($"The encoder of modality {m} is null.", nameof(modalityEncoders));
            if (encoder.EmbeddingDim < 1)
                throw new ArgumentException($"The encoder of modality {m} has embedding width {encoder.EmbeddingDim}; it must be at least 1.", nameof(modalityEncoders));
            var parameter = encoder.parameters().FirstOrDefault();
            // A negative index means the type's default device: torch.CUDA is cuda:-1 while its tensors report cuda:0, and
            // CPU tensors report cpu:-1 for a device given as cpu:0.
            if (parameter is not null && (parameter.dtype != dtype || parameter.device.type != device.type
                    || Math.Max(parameter.device.index, 0) != Math.Max(device.index, 0)))
                throw new ArgumentException($"The encoder of modality {m} has {parameter.dtype} parameters on {parameter.device}; the network's heads are {dtype} on {device}.", nameof(modalityEncoders));
        }
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
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="modality"/> is not in [0, M).</exception>
    public ModalityEncoder Encoder(int modality) => encoders[CheckModality(modality)];

    /// <summary>The classifier head of modality <paramref name="modality"/> (e_m -> C).</summary>
    /// <param name="modality">Modality index.</param>
    /// <returns>The head.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="modality"/> is not in [0, M).</exception>
    public Linear Head(int modality) => heads[CheckModality(modality)];

    /// <summary>The fused classifier (sum_m e_m -> C).</summary>
    public Linear FusedHead => fused;

    /// <summary>Parameters of one modality's encoder and head (what phase 1 and distillation train).</summary>
    /// <param name="modality">Modality index.</param>
    /// <returns>The parameters.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="modality"/> is not in [0, M) (raised at the call,
    /// not when the sequence is enumerated).</exception>
    public IEnumerable<Parameter> ModalityParameters(int modality)
    {
        CheckModality(modality);
        return encoders[modality].parameters().Concat(heads[modality].parameters());
    }

    /// <summary>Embeds modality m: h_m = encoder_m(X_m), (n, e_m).</summary>
    /// <param name="modality">Modality index.</param>
    /// <param name="features">Features of modality m, (n, d_m).</param>
    /// <returns>The embeddings.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="modality"/> is not in [0, M).</exception>
    /// <exception cref="ArgumentException">When the encoder rejects the features; the message names the modality.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public Tensor Embed(int modality, Tensor features)
    {
        CheckModality(modality);
        TensorArgument.ThrowIfNullOrDisposed(features);
        try
        {
            return encoders[modality].forward(features);
        }
        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
        {
            // The encoder's message without the " (Parameter 'x')" suffix .NET appends: the wrapper names its own.
            string suffix = e.ParamName is null ? "" : $" (Parameter '{e.ParamName}')";
            string message = suffix.Length > 0 && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
            throw new ArgumentException($"Modality {modality}: {message}", nameof(features), e);
        }
    }

    /// <summary>Head logits of modality m from its embeddings: Dropout(h_m) W_m + b_m, (n, C).</summary>
    /// <param name="modality">Modality index.</param>
    /// <param name="embedding">Embeddings h_m, (n, e_m).</param>
    /// <returns>The logits.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="modality"/> is not in [0, M).</exception>
    /// <exception cref="ArgumentException">When <paramref name="embedding"/> is not an (n, e_m) matrix of the heads' dtype
    /// and device; the message names the modality.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public Tensor ModalityLogits(int modality, Tensor embedding)
    {
        CheckModality(modality);
        TensorArgument.ThrowIfNullOrDisposed(embedding);
        CheckEmbedding(modality, embedding, embedding.dim() == 2 ? embedding.shape[0] : -1, nameof(embedding), "embedding");
        // In training mode the dropped-out embeddings are an intermediate: only the logits reach the caller's scope.
        using var scope = NewDisposeScope();
        return heads[modality].forward(InvertedDropout.Apply(embedding, _dropout, training)).MoveToOuterDisposeScope();
    }

    /// <summary>Fused logits from all embeddings: Dropout([h_1..h_M]) W + b, (n, C).</summary>
    /// <param name="embeddings">One embedding matrix per modality, each (n, e_m), of the heads' dtype and device.</param>
    /// <returns>The logits.</returns>
    /// <exception cref="ArgumentException">Not one embedding per modality, or an embedding that is null, not (n, e_m)
    /// with the same n as modality 0's, or of another dtype or device; the message names its index.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="embeddings"/> has
    /// been disposed; <see cref="ObjectDisposedException.ObjectName"/> names the parameter (<c>embeddings[i]</c> for an
    /// entry).</exception>
    public Tensor FusedLogits(IReadOnlyList<Tensor> embeddings)
    {
        TensorArgument.ThrowIfNullOrAnyDisposed(embeddings);
        if (embeddings.Count != ModalityCount)
            throw new ArgumentException($"Expected {ModalityCount} embedding matrices (one per modality), got {embeddings.Count}.", nameof(embeddings));
        long rows = -1;
        for (int m = 0; m < embeddings.Count; m++)
        {
            var h = embeddings[m] ?? throw new ArgumentException($"embeddings[{m}] is null.", nameof(embeddings));
            CheckEmbedding(m, h, rows, nameof(embeddings), $"embeddings[{m}]");
            if (m == 0) rows = h.shape[0];
        }
        // The joined and (in training mode) dropped-out embeddings are intermediates: only the logits reach the caller's scope.
        using var scope = NewDisposeScope();
        var joined = cat(embeddings.ToArray(), 1);
        return fused.forward(InvertedDropout.Apply(joined, _dropout, training)).MoveToOuterDisposeScope();
    }

    /// <summary>Returns <paramref name="modality"/> if it is in [0, M); otherwise throws.</summary>
    private int CheckModality(int modality) =>
        (uint)modality < (uint)ModalityCount
            ? modality
            : throw new ArgumentOutOfRangeException(nameof(modality), modality, $"The network has {ModalityCount} modalities.");

    /// <summary>Requires an (n, e_m) embedding of modality m, with <paramref name="rows"/> rows when that is not -1, on
    /// the heads' dtype and device.</summary>
    private void CheckEmbedding(int modality, Tensor embedding, long rows, string parameterName, string label)
    {
        long width = encoders[modality].EmbeddingDim;
        if (embedding.dim() != 2 || embedding.shape[1] != width || (rows >= 0 && embedding.shape[0] != rows))
            throw new ArgumentException(
                $"Modality {modality}: {label} must have shape ({(rows >= 0 ? rows.ToString(System.Globalization.CultureInfo.InvariantCulture) : "n")}, {width}), got ({string.Join(", ", embedding.shape)}).",
                parameterName);
        var weight = heads[modality].weight!;
        if (embedding.dtype != weight.dtype)
            throw new ArgumentException($"Modality {modality}: {label} is {embedding.dtype} but the heads are {weight.dtype}.", parameterName);
        if (embedding.device_type != weight.device_type || embedding.device_index != weight.device_index)
            throw new ArgumentException($"Modality {modality}: {label} is on {embedding.device} but the heads are on {weight.device}.", parameterName);
    }

    /// <summary>Runs every encoder, every head and the fused classifier.</summary>
    /// <param name="features">Per-modality features, each (n, d_m) with the same n.</param>
    /// <returns>Embeddings, per-modality logits and fused logits.</returns>
    /// <exception cref="ArgumentException">Not one feature matrix per modality, a null one or one that is not a matrix, or
    /// matrices of different row counts (checked before any encoder runs; the message names the modality whose count
    /// differs from the one most modalities share, or both when two modalities disagree); or an encoder rejects its
    /// features (the message names the modality).</exception>
    /// <exception cref="InvalidOperationException">An encoder returned embeddings that are not (n, e_m) for (n, d_m)
    /// features (naming the modality).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="features"/> has been
    /// disposed; <see cref="ObjectDisposedException.ObjectName"/> names the parameter (<c>features[i]</c> for an
    /// entry).</exception>
    public NetworkOutputs Forward(IReadOnlyList<Tensor> features)
    {
        TensorArgument.ThrowIfNullOrAnyDisposed(features);
        if (features.Count != ModalityCount)
            throw new ArgumentException($"Expected {ModalityCount} feature matrices, got {features.Count}.", nameof(features));
        long rows = CheckFeatureRows(features);
        var embeddings = new Tensor[ModalityCount];
        var logits = new Tensor[ModalityCount];
        for (int m = 0; m < ModalityCount; m++)
        {
            embeddings[m] = Embed(m, features[m]);
            var h = embeddings[m];
            if (h.dim() != 2 || h.shape[0] != rows || h.shape[1] != encoders[m].EmbeddingDim)
                throw new InvalidOperationException(
                    $"Modality {m}: its encoder ({encoders[m].GetType().Name}) returned embeddings of shape ({string.Join(", ", h.shape)}) for features of shape " +
                    $"({string.Join(", ", features[m].shape)}); expected ({rows}, {encoders[m].EmbeddingDim}), one row per sample and its EmbeddingDim columns.");
            logits[m] = ModalityLogits(m, embeddings[m]);
        }
        return new NetworkOutputs(embeddings, logits, FusedLogits(embeddings));
    }

    /// <summary>Requires non-null feature matrices of one row count n, which it returns; a count that disagrees is blamed
    /// on its modality (against the count most modalities share; when that is a tie, on both modalities compared).</summary>
    private static long CheckFeatureRows(IReadOnlyList<Tensor> features)
    {
        for (int m = 0; m < features.Count; m++)
        {
            var x = features[m] ?? throw new ArgumentException($"Modality {m}: features[{m}] is null.", nameof(features));
            if (x.dim() != 2)
                throw new ArgumentException($"Modality {m}: features[{m}] must be an (n, d) matrix, got shape ({string.Join(", ", x.shape)}).", nameof(features));
        }
        var counts = features.Select(x => x.shape[0]).ToArray();
        long rows = Losses.TensorArguments.ConsensusRows(features);
        int odd = Array.FindIndex(counts, c => c != rows);
        if (odd < 0) return rows;
        bool majority = counts.Count(c => c == rows) > counts.Count(c => c == counts[odd]);
        int agreeing = Array.IndexOf(counts, rows);
        throw new ArgumentException(majority
            ? $"Modality {odd}: features[{odd}] has {counts[odd]} rows but most modalities' features have {rows}; every modality's features hold the same n samples, one per row."
            : $"Modality {odd}: features[{odd}] has {counts[odd]} rows but features[{agreeing}] (modality {agreeing}) has {rows}; every modality's features hold the same n samples, one per row.",
            nameof(features));
    }
}
