using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>The <c>/ (m - 1)</c> of the SNF update for the libtorch kernels (the host kernel folds it into its stores).</summary>
internal static class UpdateDivision
{
    /// <summary><c>result /= divisor</c> in place; nothing for 1. The Scalar is disposed at once: finalised Scalars
    /// pin the malloc heap and keep freed n x n blocks from the system.</summary>
    public static void Apply(Tensor result, double divisor)
    {
        if (divisor == 1) return;
        using var scalar = divisor.ToScalar();
        result.div_(scalar);
    }
}
