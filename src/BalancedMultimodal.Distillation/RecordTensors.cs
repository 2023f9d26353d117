using System.Runtime.CompilerServices;
using System.Text;
using BalancedMultimodal.Core;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation;

/// <summary>The property initialisers of the result records (<c>NetworkOutputs</c>, <c>DistillationLossTerms</c>,
/// <c>MultitaskLossTerms</c>): each tensor (or list of tensors) is checked with <see cref="TensorArgument"/> and
/// returned, so a record built with a null or disposed tensor is refused naming the property; and the members of their
/// identity-based equality and metadata-only <c>ToString</c>.</summary>
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

    /// <summary>The identity hash of a member (0 for null): tensors and lists are compared by identity, as
    /// <see cref="object.ReferenceEquals"/>.</summary>
    public static int IdentityHash(object? member) => member is null ? 0 : RuntimeHelpers.GetHashCode(member);

    /// <summary>Appends <c>name = description</c> of a tensor member (<see cref="TensorArgument.Describe"/>), after a
    /// comma unless <paramref name="first"/>.</summary>
    public static StringBuilder AppendTensor(this StringBuilder builder, string name, Tensor? tensor, bool first = false) =>
        builder.Append(first ? "" : ", ").Append(name).Append(" = ").Append(TensorArgument.Describe(tensor));

    /// <summary>Appends <c>name = [description, ...]</c> of a list of tensors, after a comma unless <paramref name="first"/>.</summary>
    public static StringBuilder AppendTensors(this StringBuilder builder, string name, IReadOnlyList<Tensor>? tensors, bool first = false) =>
        builder.Append(first ? "" : ", ").Append(name).Append(" = ")
            .Append(tensors is null ? "null" : "[" + string.Join(", ", tensors.Select(TensorArgument.Describe)) + "]");
}
