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

    private static Tensor Live(Tensor? tensor, string name)
    {
        TensorArgument.ThrowIfNullOrDisposed(tensor, name);
        return tensor;
    }
}
