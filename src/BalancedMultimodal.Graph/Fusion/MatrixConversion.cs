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

    public static double[,] ToArray(Tensor matrix)
    {
        using var host = matrix.to_type(ScalarType.Float64).cpu().contiguous();
        int rows = (int)host.shape[0], columns = (int)host.shape[1];
        var flat = host.data<double>().ToArray();
        var result = new double[rows, columns];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }
}
