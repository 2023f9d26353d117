using System.Runtime.CompilerServices;
using System.Text;
using BalancedMultimodal.Core;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Graphs;

/// <summary>
/// One relation (edge type) of a <see cref="RelationalGraph"/>: directed edges source -> target and optional
/// non-negative weights.
/// </summary>
/// <param name="Name">The relation's name (e.g. <c>fused</c> or <c>knn:mRNA</c>).</param>
/// <param name="EdgeIndex">Edge index of shape (2, E), int64; row 0 holds sources, row 1 targets (PyTorch Geometric convention).</param>
/// <param name="EdgeWeight">Optional edge weights of shape (E), floating point, non-negative; <c>null</c> means all 1.</param>
/// <remarks>Equality is by name and by tensor <em>identity</em> (the same tensor objects), not by tensor values: a value
/// comparison would be a device computation that fails once a tensor is disposed, and TorchSharp's tensors hash by
/// identity. A <c>with</c> copy shares its tensors with the original (so two graphs must not be built from a relation
/// and its copy: see <see cref="RelationalGraph"/>). <see cref="ToString"/> describes the tensors (shape, dtype,
/// device) without reading their values, and says when one was disposed.</remarks>
public sealed record GraphRelation(string Name, Tensor EdgeIndex, Tensor? EdgeWeight)
{
    /// <summary>The relation's name (e.g. <c>fused</c> or <c>knn:mRNA</c>).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public string Name { get; init; } = Name ?? throw new ArgumentNullException(nameof(Name));

    /// <summary>Edge index of shape (2, E), int64; row 0 holds sources, row 1 targets (PyTorch Geometric convention).</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor EdgeIndex { get; init; } = Live(EdgeIndex, nameof(EdgeIndex));

    /// <summary>Optional edge weights of shape (E), floating point, non-negative; <c>null</c> means all 1.</summary>
    /// <exception cref="ObjectDisposedException">Constructed with a disposed tensor.</exception>
    public Tensor? EdgeWeight { get; init; } = EdgeWeight is null ? null : Live(EdgeWeight, nameof(EdgeWeight));

    /// <summary>Number of edges E of this relation.</summary>
    public long EdgeCount => EdgeIndex.shape[1];

    /// <summary>Whether <paramref name="other"/> has the same name and the same tensor objects (identity, not values).</summary>
    /// <param name="other">The relation to compare with.</param>
    /// <returns>True for the same name, edge-index tensor and edge-weight tensor (or both null).</returns>
    public bool Equals(GraphRelation? other) =>
        other is not null && Name == other.Name && ReferenceEquals(EdgeIndex, other.EdgeIndex) && ReferenceEquals(EdgeWeight, other.EdgeWeight);

    /// <summary>A hash of the name and the tensors' identities, consistent with <see cref="Equals(GraphRelation?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() =>
        HashCode.Combine(Name, RuntimeHelpers.GetHashCode(EdgeIndex), EdgeWeight is null ? 0 : RuntimeHelpers.GetHashCode(EdgeWeight));

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name)
            .Append(", EdgeIndex = ").Append(TensorArgument.Describe(EdgeIndex))
            .Append(", EdgeWeight = ").Append(EdgeWeight is null ? "null" : TensorArgument.Describe(EdgeWeight));
        return true;
    }

    private static Tensor Live(Tensor? tensor, string name)
    {
        TensorArgument.ThrowIfNullOrDisposed(tensor, name);
        return tensor;
    }
}
