using BalancedMultimodal.Core;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation;

/// <summary>The property initialisers of the result records (<c>NetworkOutputs</c>, <c>DistillationLossTerms</c>,
/// <c>MultitaskLossTerms</c>): each tensor (or list of tensors) is checked with <see cref="TensorArgument"/> and
/// returned, so a record built with a null or disposed tensor is refused naming the property.</summary>
internal static class RecordTensors
{
    /// <summary>Returns <paramref name="tensor"/> after <see cref="TensorArgument.ThrowIfNullOrDisposed"/>.</summary>
    public static Tensor Live(Tensor? tensor, string name)
    {
        TensorArgument.ThrowIfNullOrDisposed(tensor, name);
        return tensor;
    }

    /// <summary>Returns <paramref name="tensors"/> after <see cref="TensorArgument.ThrowIfNullOrAnyDisposed"/>.</summary>
    public static IReadOnlyList<Tensor> LiveEntries(IReadOnlyList<Tensor>? tensors, string name)
    {
        TensorArgument.ThrowIfNullOrAnyDisposed(tensors, name);
        return tensors;
    }
}
