using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>The name, shape and dtype of one saved tensor (as recorded in <c>manifest.json</c>).</summary>
/// <param name="Name">State-dict name.</param>
/// <param name="Shape">Shape.</param>
/// <param name="DType">TorchSharp scalar type name (e.g. <c>Float32</c>).</param>
public sealed record TensorDescription(string Name, long[] Shape, string DType)
{
    /// <summary>The scalar type named by <see cref="DType"/>.</summary>
    public ScalarType ParseDType() =>
        Enum.TryParse<ScalarType>(DType, out var t) ? t : throw new InvalidDataException($"Tensor '{Name}': unknown dtype '{DType}'.");
}
