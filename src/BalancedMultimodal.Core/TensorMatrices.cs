using static TorchSharp.torch;

namespace BalancedMultimodal.Core;

/// <summary>Copies a 2-D tensor into a <c>double[,]</c> array (<see cref="ToMatrix"/>), for the array overloads of the
/// public API.</summary>
public static class TensorMatrices
{
    /// <summary>Copies a 2-D tensor (any device, any real dtype) into a new <c>double[rows, columns]</c>.</summary>
    /// <param name="matrix">A tensor of shape (rows, columns).</param>
    /// <returns>The values, converted to float64, row-major (an empty array of the tensor's shape when it has no elements).</returns>
    /// <exception cref="ArgumentException">The tensor is not 2-D.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static double[,] ToMatrix(this Tensor matrix)
    {
        TensorArgument.ThrowIfNullOrDisposed(matrix);
        if (matrix.dim() != 2)
            throw new ArgumentException($"Expected a 2-D tensor, got shape ({string.Join(", ", matrix.shape)}).", nameof(matrix));
        // detach, to, cpu and contiguous each give a new handle: all of them are freed with this scope.
        using var scope = NewDisposeScope();
        var host = matrix.detach().to(ScalarType.Float64).cpu().contiguous();
        int rows = (int)host.shape[0], columns = (int)host.shape[1];
        var result = new double[rows, columns];
        if (result.Length == 0) return result;   // nothing to copy (and TorchSharp refuses to read an empty tensor's data)
        var flat = host.data<double>().ToArray();
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }
}
