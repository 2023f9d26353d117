using BalancedMultimodal.Core.Optimization;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>
/// Fits one <see cref="ModalityAutoencoder"/> per modality and compresses every row of that modality to its latent
/// code. The fit minimises (1/(n d)) sum (x - x̂)^2 over the fitted rows with Adam's coupled L2 weight decay
/// lambda = <see cref="AutoencoderOptions.WeightDecay"/> (gradient g + lambda theta), full batch, seeded,
/// <see cref="AutoencoderOptions.Epochs"/> steps (METHOD.md section 1).
/// </summary>
public sealed class AutoencoderCompressor
{
    private readonly AutoencoderOptions _options;

    /// <summary>Creates the compressor; options are validated now and copied (the hidden sizes too), so later changes
    /// to the caller's object do not affect it.</summary>
    /// <param name="options">Latent width, layers, epochs, learning rate, weight decay, fit rows and seed.</param>
    public AutoencoderCompressor(AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        AutoencoderOptionsValidator.ThrowIfInvalid(options);
        _options = new AutoencoderOptions
        {
            LatentDim = options.LatentDim, HiddenSizes = new List<int>(options.HiddenSizes), Epochs = options.Epochs,
            LearningRate = options.LearningRate, WeightDecay = options.WeightDecay, FitRows = options.FitRows, Seed = options.Seed,
        };
    }

    /// <summary>
    /// Fits an autoencoder on the chosen rows of <paramref name="features"/> and returns it in evaluation mode. The
    /// initialisation draws from TorchSharp's process-wide generator seeded with <see cref="AutoencoderOptions.Seed"/>;
    /// the CPU generator's state is put back when the fit ends, so the caller's draws afterwards are what they would
    /// have been without it. Because that generator is shared by the whole process, fits run one at a time: concurrent
    /// calls (from any compressor) wait for each other, so each gives its sequential result. Other code that draws from
    /// TorchSharp's generator on another thread during a fit still changes it (as for every seeded TorchSharp run).
    /// </summary>
    /// <param name="features">Standardised features of all n samples, shape (n, d), float32, float64 or bfloat16 (float16
    /// is refused: Adam cannot train it), any device; read as data (detached).</param>
    /// <param name="trainingRows">Rows fitted on when <see cref="AutoencoderOptions.FitRows"/> is <see cref="AutoencoderFitRows.Training"/>.</param>
    /// <param name="modalityName">Name used in error messages.</param>
    /// <param name="cancellationToken">Checked before any work and between epochs (never inside a tensor operation).</param>
    /// <returns>The fitted autoencoder on the features' device and dtype; the caller owns and disposes it (its parameters
    /// survive the dispose scope it is fitted in, as any module's).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception): before the fit, or between two epochs; the partly trained autoencoder is disposed and the caller's
    /// generator state is put back.</exception>
    /// <exception cref="ArgumentException">Bad features or rows (naming the modality), or a fit whose weights are not
    /// finite at the end (features too large for their dtype, e.g. float32 values near 1e20, or a too large learning
    /// rate): refused instead of returning NaN codes.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public ModalityAutoencoder Fit(Tensor features, IReadOnlyList<int> trainingRows, string modalityName, CancellationToken cancellationToken = default)
    {
        TensorArgument.ThrowIfNullOrDisposed(features);
        ArgumentNullException.ThrowIfNull(trainingRows);
        ArgumentNullException.ThrowIfNull(modalityName);
        if (features.dim() != 2 || features.shape[0] < 2 || features.shape[1] < 1)
            throw new ArgumentException($"Modality '{modalityName}': features must have shape (n >= 2, d >= 1), got ({string.Join(", ", features.shape)}).", nameof(features));
        if (!features.is_floating_point())
            throw new ArgumentException($"Modality '{modalityName}': features must be floating point, got {features.dtype}.", nameof(features));
        if (features.dtype == ScalarType.Float16)
            throw new ArgumentException(
                $"Modality '{modalityName}': float16 features are not supported: Adam's epsilon (1e-8) and small squared gradients " +
                "round to 0 in float16, so training turns to NaN; use float32 (or float64, bfloat16).", nameof(features));
        long n = features.shape[0];
        foreach (var row in trainingRows)
            if (row < 0 || row >= n)
                throw new ArgumentOutOfRangeException(nameof(trainingRows), row, $"Modality '{modalityName}': training row {row} is outside [0, {n}).");
        if (_options.FitRows == AutoencoderFitRows.Training && trainingRows.Count < 2)
            throw new ArgumentException($"Modality '{modalityName}': at least two training rows are needed to fit the autoencoder.", nameof(trainingRows));
        using (NewDisposeScope())
            if (features.isfinite().logical_not().any().item<bool>())
                throw new ArgumentException($"Modality '{modalityName}': features contain NaN or infinite values.", nameof(features));
        cancellationToken.ThrowIfCancellationRequested();

        // Seeded from AutoencoderOptions.Seed on TorchSharp's process-wide generator, whose state is put back afterwards:
        // the caller's own seeding still decides every later draw.
        // One fit at a time: two concurrent fits would interleave their draws and each restore the other's state.
        lock (SeededFits)
        {
            using var callersGenerator = random.get_rng_state();
            try
            {
                manual_seed(_options.Seed);
                // The features are data to reconstruct: a requires-grad input must neither carry its graph into every
                // epoch's backward pass nor receive gradients from the fit.
                using var data = features.detach();
                return FitSeeded(data, trainingRows, modalityName, cancellationToken);
            }
            finally
            {
                random.set_rng_state(callersGenerator);
            }
        }
    }

    /// <summary>Called on the fitting thread after every epoch (0-based index): the tests' seam to cancel mid-fit.</summary>
    internal Action<int>? AfterEpoch { get; set; }

    /// <summary>Serialises the seeded fits of every compressor: they share TorchSharp's process-wide generator.</summary>
    private static readonly object SeededFits = new();

    private ModalityAutoencoder FitSeeded(Tensor features, IReadOnlyList<int> trainingRows, string modalityName, CancellationToken cancellationToken)
    {
        var model = new ModalityAutoencoder(features.shape[1], _options, features.device, features.dtype);
        try
        {
            using var optimizer = new ExplicitScalarAdam(model.parameters(), _options.LearningRate, weightDecay: _options.WeightDecay);
            using var rows = tensor(trainingRows.Select(r => (long)r).ToArray(), device: features.device);
            using var fitRows = _options.FitRows == AutoencoderFitRows.All ? features.alias() : features.index_select(0, rows);
            model.train();
            for (int epoch = 0; epoch < _options.Epochs; epoch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                var loss = nn.functional.mse_loss(model.forward(fitRows), fitRows);
                loss.backward();
                optimizer.Step();
                AfterEpoch?.Invoke(epoch);
            }
        }
        catch
        {
            // A cancelled or failed fit (a libtorch error, the optimiser's constructor, the epoch hook) returns nothing:
            // its partly trained autoencoder is freed here.
            model.Dispose();
            throw;
        }
        model.eval();
        // One check after the fit (not a read per epoch): features too large for the dtype overflow the reconstruction
        // error, and every weight, and so every code, turns NaN.
        bool finite;
        using (NewDisposeScope())
            finite = stack(model.parameters().Select(p => p.detach().isfinite().all()).ToArray()).all().item<bool>();
        if (!finite)
        {
            model.Dispose();
            double largest;
            using (NewDisposeScope()) largest = features.abs().max().to(ScalarType.Float64).item<double>();
            throw new ArgumentException(
                $"Modality '{modalityName}': the autoencoder's training diverged (its weights are not finite after {_options.Epochs} epochs); " +
                $"the features reach {largest:G3} in {features.dtype}. Standardise them (Standardizer) or lower the learning rate.", "features");
        }
        return model;
    }

    /// <summary>Fits an autoencoder (see <see cref="Fit"/>) and returns the latent codes of all n rows, shape (n, LatentDim).</summary>
    /// <param name="features">Standardised features, shape (n, d).</param>
    /// <param name="trainingRows">Training rows.</param>
    /// <param name="modalityName">Name used in error messages.</param>
    /// <param name="cancellationToken">Checked before any work and between epochs of the fit (see <see cref="Fit"/>).</param>
    /// <returns>The codes (no gradient), on the features' device and dtype; the encoder's intermediate activations are
    /// freed here, so only the codes reach the caller's dispose scope.</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception): before the fit, or between two epochs; no codes are computed and the partly trained autoencoder is
    /// disposed.</exception>
    public Tensor FitTransform(Tensor features, IReadOnlyList<int> trainingRows, string modalityName, CancellationToken cancellationToken = default)
    {
        TensorArgument.ThrowIfNullOrDisposed(features);
        ArgumentNullException.ThrowIfNull(modalityName);
        using var model = Fit(features, trainingRows, modalityName, cancellationToken);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.Encode(features).detach().MoveToOuterDisposeScope();
    }
}
