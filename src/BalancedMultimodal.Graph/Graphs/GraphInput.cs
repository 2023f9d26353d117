using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Graphs;

/// <summary>Shared argument checks of the graph builders.</summary>
internal static class GraphInput
{
    /// <summary>Checks the name a builder gives its relation, before any O(n^2) work.</summary>
    public static void ValidateRelationName(string relationName, string name)
    {
        ArgumentNullException.ThrowIfNull(relationName, name);
        if (string.IsNullOrWhiteSpace(relationName))
            throw new ArgumentException("The relation name must not be empty or white space.", name);
    }

    /// <summary>Checks a similarity matrix; the temporaries of the check are freed before it returns.</summary>
    public static long ValidateSquareSimilarity(Tensor matrix, string name)
    {
        ArgumentNullException.ThrowIfNull(matrix, name);
        if (matrix.dim() != 2 || matrix.shape[0] != matrix.shape[1])
            throw new ArgumentException($"The similarity matrix must be square (n, n), got ({string.Join(", ", matrix.shape)}).", name);
        if (matrix.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"The similarity matrix must be float32 or float64, got {matrix.dtype}.", name);
        using var scope = NewDisposeScope();
        using var zero = 0.ToScalar();
        var bad = matrix.isfinite().logical_not().logical_or(matrix < zero).nonzero();
        if (bad.shape[0] > 0)
        {
            long i = bad[0, 0].item<long>(), j = bad[0, 1].item<long>();
            var value = matrix[i, j].to_type(ScalarType.Float64);
            throw new ArgumentException(
                $"Similarity row {i}, column {j} holds {value.item<double>()}; it must be finite and non-negative (it becomes an edge weight).", name);
        }
        return matrix.shape[0];
    }
}
