using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>
/// A per-modality autoencoder: encoder d -> hidden... -> latent, decoder latent -> ...hidden -> d, LeakyReLU (0.25)
/// between hidden layers, a linear code and a linear reconstruction. <c>forward</c> returns the reconstruction,
/// <see cref="Encode"/> the code.
/// </summary>
/// <remarks>Trained by <see cref="AutoencoderCompressor"/>, which minimises the mean squared reconstruction error
/// (1/(n d)) sum_ij (x_ij - x̂_ij)^2 of standardised features with Adam's coupled L2 weight decay
/// lambda = <see cref="AutoencoderOptions.WeightDecay"/> (gradient g + lambda theta), full batch,
/// <see cref="AutoencoderOptions.Epochs"/> steps (METHOD.md section 1).</remarks>
public sealed class ModalityAutoencoder : nn.Module<Tensor, Tensor>
{
    private const double Slope = 0.25;
    private readonly ModuleList<Linear> encoder;
    private readonly ModuleList<Linear> decoder;

    /// <summary>Creates an untrained autoencoder.</summary>
    /// <param name="inputDim">Number of input features d (at least 1).</param>
    /// <param name="options">Latent width and hidden layers; validated.</param>
    /// <param name="device">Device of the parameters.</param>
    /// <param name="dtype">Floating dtype of the parameters (default float32).</param>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a floating type (float16, bfloat16, float32,
    /// float64).</exception>
    public ModalityAutoencoder(long inputDim, AutoencoderOptions options, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(ModalityAutoencoder))
    {
        ArgumentNullException.ThrowIfNull(options);
        if (inputDim < 1) throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, "An autoencoder needs at least one input feature.");
        ModuleArguments.FloatingDType(dtype, nameof(dtype));
        AutoencoderOptionsValidator.ThrowIfInvalid(options);
        InputDim = inputDim;
        LatentDim = options.LatentDim;
        var widths = new List<long> { inputDim };
        widths.AddRange(options.HiddenSizes.Select(h => (long)h));
        widths.Add(options.LatentDim);
        encoder = new ModuleList<Linear>();
        decoder = new ModuleList<Linear>();
        for (int i = 0; i + 1 < widths.Count; i++)
            encoder.Add(nn.Linear(widths[i], widths[i + 1], device: device, dtype: dtype));
        for (int i = widths.Count - 1; i > 0; i--)
            decoder.Add(nn.Linear(widths[i], widths[i - 1], device: device, dtype: dtype));
        RegisterComponents();
    }

    /// <summary>Number of input features d.</summary>
    public long InputDim { get; }

    /// <summary>Width of the latent code.</summary>
    public long LatentDim { get; }

    /// <summary>Encodes (n, d) features to (n, LatentDim) codes.</summary>
    /// <param name="input">Features, shape (n, d), on the parameters' device and dtype.</param>
    /// <returns>The latent codes.</returns>
    /// <exception cref="ArgumentException">The input is not (n, d) or not on the parameters' device and dtype.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public Tensor Encode(Tensor input)
    {
        TensorArgument.ThrowIfNullOrDisposed(input);
        ModuleArguments.MatchesParameters(input, encoder[0].weight!, InputDim, "autoencoder's encoder", nameof(input));
        return RunStack(encoder, input);
    }

    /// <summary>Decodes (n, LatentDim) codes to (n, d) reconstructions.</summary>
    /// <param name="code">Latent codes, shape (n, LatentDim), on the parameters' device and dtype.</param>
    /// <returns>The reconstructed features.</returns>
    /// <exception cref="ArgumentException">The code is not (n, LatentDim) or not on the parameters' device and dtype.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public Tensor Decode(Tensor code)
    {
        TensorArgument.ThrowIfNullOrDisposed(code);
        ModuleArguments.MatchesParameters(code, decoder[0].weight!, LatentDim, "autoencoder's decoder", nameof(code));
        return RunStack(decoder, code);
    }

    /// <summary>Reconstructs features: Decode(Encode(x)).</summary>
    /// <param name="input">Features, shape (n, d).</param>
    /// <returns>Reconstructions, shape (n, d).</returns>
    public override Tensor forward(Tensor input)
    {
        // The code is an intermediate: only the reconstruction reaches the caller's scope.
        using var scope = NewDisposeScope();
        return Decode(Encode(input)).MoveToOuterDisposeScope();
    }

    /// <summary>Runs the layers on <paramref name="x"/>; the intermediate activations are freed here (autograd keeps what
    /// backward needs), only the result reaches the caller's scope.</summary>
    private static Tensor RunStack(ModuleList<Linear> layers, Tensor x)
    {
        using var scope = NewDisposeScope();
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].forward(x);
            if (i + 1 < layers.Count) x = x.LeakyRelu(Slope);
        }
        return x.MoveToOuterDisposeScope();
    }
}
