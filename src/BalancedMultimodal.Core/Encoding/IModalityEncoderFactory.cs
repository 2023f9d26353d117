namespace BalancedMultimodal.Core.Encoding;

/// <summary>
/// Builds one <see cref="ModalityEncoder"/> per modality for the balanced training schedule.
/// </summary>
/// <remarks>
/// Implementations: <see cref="MlpEncoderFactory"/> (rows independent) here, and the relational-GCN encoder factory
/// of <c>BalancedMultimodal.Graph</c> (rows connected by a patient graph). Parameters are initialised from TorchSharp's
/// global generator, so seed it (<c>torch.manual_seed</c>) before calling <see cref="Create"/> for reproducible runs.
/// </remarks>
public interface IModalityEncoderFactory
{
    /// <summary>Creates a freshly initialised encoder for the requested modality.</summary>
    /// <param name="request">The modality, its input width, and the device and dtype of the parameters.</param>
    /// <returns>A new encoder module (the caller owns and disposes it).</returns>
    ModalityEncoder Create(ModalityEncoderRequest request);
}
