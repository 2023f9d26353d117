namespace BalancedMultimodal.Core.Encoding;

/// <summary>Creates an <see cref="MlpEncoder"/> for every modality, all with the same options.</summary>
public sealed class MlpEncoderFactory : IModalityEncoderFactory
{
    private readonly MlpEncoderOptions _options;

    /// <summary>Creates the factory; the options are validated now.</summary>
    /// <param name="options">Layer widths, dropout and slope. The factory keeps this object, not a copy: a change made
    /// to it later reaches the encoders created afterwards (each <see cref="MlpEncoder"/> validates it again), not the
    /// ones already created.</param>
    public MlpEncoderFactory(MlpEncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        MlpEncoderOptionsValidator.ThrowIfInvalid(options);
        _options = options;
    }

    /// <inheritdoc />
    public ModalityEncoder Create(ModalityEncoderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new MlpEncoder(request.InputDim, _options, request.Device, request.DType);
    }
}
