using BalancedMultimodal.Core;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>Copies between <c>double[,]</c> arrays and float64 tensors for the convenience overloads.</summary>
internal static class MatrixConversion
{
    public static Tensor ToTensor(double[,] values, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(values, argumentName);
        return tensor(values, dtype: ScalarType.Float64);
    }

    public static double[,] ToArray(Tensor matrix) => matrix.ToMatrix();
}
