using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>
/// A multilayer perceptron encoder: h_{l+1} = LeakyReLU(Dropout(h_l) W_l + b_l), rows encoded independently.
/// Dropout is <see cref="InvertedDropout"/> (libtorch's semantics, a faster mask on the CPU).
/// Input (n, d_in), output (n, HiddenSizes[^1]).
/// </summary>
/// <remarks>Used for early-fusion and per-modality baselines, and as the non-graph encoder of the balanced
/// schedule. A slope of 1 makes the activation the identity, so the encoder is linear (a rank-limited linear map
/// when a hidden width is below d_in); the activation is then skipped, with the same values. Layers are TorchSharp
/// <c>Linear</c> modules (Kaiming-uniform initialisation, as PyTorch).</remarks>
public sealed class MlpEncoder : ModalityEncoder
{
    private readonly ModuleList<Linear> layers;
    private readonly double _dropout;
    private readonly double _slope;

    /// <summary>Creates the encoder.</summary>
    /// <param name="inputDim">Number of input features d_in (at least 1).</param>
    /// <param name="options">Layer widths, dropout and slope; validated.</param>
    /// <param name="device">Device of the parameters (default: TorchSharp's default device).</param>
    /// <param name="dtype">Floating dtype of the parameters (default float32).</param>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a floating type (float16, bfloat16, float32,
    /// float64).</exception>
    public MlpEncoder(long inputDim, MlpEncoderOptions options, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(MlpEncoder))
    {
        ArgumentNullException.ThrowIfNull(options);
        if (inputDim < 1) throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, "An encoder needs at least one input feature.");
        ModuleArguments.FloatingDType(dtype, nameof(dtype));
        MlpEncoderOptionsValidator.ThrowIfInvalid(options);
        _dropout = options.Dropout;
        _slope = options.NegativeSlope;
        layers = new ModuleList<Linear>();
        long width = inputDim;
        foreach (var hidden in options.HiddenSizes)
        {
            layers.Add(nn.Linear(width, hidden, hasBias: true, device: device, dtype: dtype));
            width = hidden;
        }
        EmbeddingDim = width;
        InputDim = inputDim;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override long EmbeddingDim { get; }

    /// <summary>The first layer's weight W_0, shape (HiddenSizes[0], d_in).</summary>
    public override IReadOnlyList<Parameter> InputWeights => [layers[0].weight!];

    /// <summary>Number of input features d_in the encoder was built for.</summary>
    public long InputDim { get; }

    /// <summary>Encodes rows: (n, d_in) to (n, EmbeddingDim).</summary>
    /// <param name="input">Features of shape (n, d_in), on the parameters' device and dtype.</param>
    /// <returns>Embeddings of shape (n, EmbeddingDim).</returns>
    /// <exception cref="ArgumentException">When the input is not (n, d_in) or not on the parameters' device and dtype.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public override Tensor forward(Tensor input)
    {
        TensorArgument.ThrowIfNullOrDisposed(input);
        ModuleArguments.MatchesParameters(input, layers[0].weight!, InputDim, "MLP encoder", nameof(input));
        // The intermediate activations are freed here (autograd keeps what backward needs); only the embedding reaches
        // the caller's scope, as with the relational-GCN encoder.
        using var scope = NewDisposeScope();
        var h = input;
        foreach (var layer in layers)
        {
            h = InvertedDropout.Apply(h, _dropout, training);
            var affine = layer.forward(h);
            // LeakyReLU with slope 1 is the identity (x for x > 0, 1 * x otherwise, exactly): a linear encoder.
            h = _slope == 1.0 ? affine : affine.LeakyRelu(_slope);
        }
        return h.MoveToOuterDisposeScope();
    }
}
