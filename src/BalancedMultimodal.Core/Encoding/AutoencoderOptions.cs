namespace BalancedMultimodal.Core.Encoding;

/// <summary>Options of <see cref="ModalityAutoencoder"/> and <see cref="AutoencoderCompressor"/>.</summary>
public sealed class AutoencoderOptions
{
    /// <summary>Width of the latent code (the compressed features). Default 100.</summary>
    public int LatentDim { get; set; } = 100;

    /// <summary>Widths of the hidden layers between input and latent (mirrored in the decoder). Default [] (linear
    /// encoder d -> latent with a LeakyReLU-free code, i.e. a regularised PCA-like compression).</summary>
    public IList<int> HiddenSizes { get; set; } = new List<int>();

    /// <summary>Full-batch Adam epochs. Default 300.</summary>
    public int Epochs { get; set; } = 300;

    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Adam weight decay (L2). Default 1e-4.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Rows used for fitting. Default <see cref="AutoencoderFitRows.Training"/>.</summary>
    public AutoencoderFitRows FitRows { get; set; } = AutoencoderFitRows.Training;

    /// <summary>Seed of the initialisation. Default 0.</summary>
    public int Seed { get; set; }
}
