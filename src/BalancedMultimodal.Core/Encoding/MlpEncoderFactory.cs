namespace BalancedMultimodal.Core.Encoding;

/// <summary>Creates an <see cref="MlpEncoder"/> for every modality, all with the same options.</summary>
public sealed class MlpEncoderFactory : IModalityEncoderFactory
{
    private readonly MlpEncoderOptions _options;

    /// <summary>Creates the factory; the options are validated now.</summary>
    /// <param name="options">Layer widths, dropout and slope.</param>
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
