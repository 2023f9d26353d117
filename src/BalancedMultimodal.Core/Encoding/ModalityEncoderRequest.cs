using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>What an <see cref="IModalityEncoderFactory"/> needs to build the encoder of one modality.</summary>
/// <param name="ModalityIndex">Index of the modality in the dataset (0-based).</param>
/// <param name="ModalityName">Name of the modality (for messages and parameter names).</param>
/// <param name="InputDim">Number of input features d_in.</param>
/// <param name="Device">Device the encoder's parameters must live on.</param>
/// <param name="DType">Floating dtype of the parameters (float32 or float64).</param>
public sealed record ModalityEncoderRequest(int ModalityIndex, string ModalityName, long InputDim, Device Device, ScalarType DType)
{
    /// <summary>Name of the modality (for messages and parameter names).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public string ModalityName { get; init; } = ModalityName ?? throw new ArgumentNullException(nameof(ModalityName));

    /// <summary>Device the encoder's parameters must live on.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public Device Device { get; init; } = Device ?? throw new ArgumentNullException(nameof(Device));
}
