using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Data;

/// <summary>Dtype classification helpers for validating tensor inputs.</summary>
internal static class ScalarTypes
{
    public static bool IsFloatingPoint(this ScalarType dtype) =>
        dtype is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    public static bool IsInteger(this ScalarType dtype) =>
        dtype is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64;
}
