using BalancedMultimodal.Core;
using BalancedMultimodal.Graph.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Graphs;

/// <summary>
/// A graph over <see cref="NodeCount"/> nodes with one or more named relations (edge types), each stored sparsely
/// as an edge index (2 x E, int64; row 0 = source, row 1 = target) and optional edge weights (E).
/// </summary>
/// <remarks>
/// This is the input of <c>RelationalGraphConv</c> (PyTorch Geometric <c>RGCNConv</c> semantics: messages flow
/// source -> target). The graph owns its tensors and disposes them in <see cref="Dispose"/>. Like any tensor, they also
/// belong to the <c>torch.NewDisposeScope()</c> they were made in, if any (the builders', <see cref="Combine"/>'s and
/// <see cref="To"/>'s results join the caller's scope): a graph built inside a scope is freed when the scope ends, so a
/// training loop may build a graph per step inside the step's scope. To keep a graph beyond the scope it is built in,
/// call <see cref="DetachFromDisposeScope"/> inside that scope (then only <see cref="Dispose"/> frees it). Using a
/// graph whose tensors a scope freed throws an <see cref="ObjectDisposedException"/> naming the relation. Two graphs
/// must not share tensors (disposing one would free the other's); <see cref="Combine"/> and <see cref="To"/> give
/// copies. The graph is validated at construction: indices in [0, NodeCount), weights finite and non-negative with a
/// finite sum into every node (the layers' weighted mean divides by it), distinct relation names.
/// </remarks>
public sealed class RelationalGraph : IDisposable
{
    private readonly GraphRelation[] _relations;
    private int _disposed;   // 1 once Dispose has run (an int for Interlocked on net8.0)

    /// <summary>Creates a graph from relations; the graph takes ownership of their tensors (<see cref="Dispose"/> frees
    /// them; they stay in the dispose scope they were made in, if any: see the remarks).</summary>
    /// <param name="nodeCount">Number of nodes n (at least 1).</param>
    /// <param name="relations">One or more relations; edge indices must lie in [0, n).</param>
    /// <exception cref="ArgumentException">When a relation is malformed; the message names the relation.</exception>
    /// <exception cref="ObjectDisposedException">An edge tensor of a relation has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> is <c>relations[r].EdgeIndex</c> or
    /// <c>relations[r].EdgeWeight</c>.</exception>
    public RelationalGraph(long nodeCount, IReadOnlyList<GraphRelation> relations)
    {
        ArgumentNullException.ThrowIfNull(relations);
        if (nodeCount < 1)
            throw new ArgumentOutOfRangeException(nameof(nodeCount), nodeCount, "A graph needs at least one node.");
        if (relations.Count == 0)
            throw new ArgumentException("A relational graph needs at least one relation.", nameof(relations));
        // Before any tensor is read (TorchSharp's error for a disposed one names nothing); null relations are named below.
        for (int r = 0; r < relations.Count; r++)
        {
            if (relations[r]?.EdgeIndex is { } index) TensorArgument.ThrowIfNullOrDisposed(index, $"relations[{r}].EdgeIndex");
            if (relations[r]?.EdgeWeight is { } weight) TensorArgument.ThrowIfNullOrDisposed(weight, $"relations[{r}].EdgeWeight");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var relation in relations)
        {
            ArgumentNullException.ThrowIfNull(relation, nameof(relations));
            if (string.IsNullOrWhiteSpace(relation.Name))
                throw new ArgumentException("Every relation needs a non-empty name.", nameof(relations));
            if (!names.Add(relation.Name))
                throw new ArgumentException($"Relation name '{relation.Name}' is used twice.", nameof(relations));
            if (relation.EdgeIndex is { } index && relations[0].EdgeIndex is { } first
                && (index.device.type != first.device.type || index.device.index != first.device.index))
                throw new ArgumentException(
                    $"Relation '{relation.Name}' is on {index.device} but relation '{relations[0].Name}' is on {first.device}; all relations must share one device.", nameof(relations));
            Validate(relation, nodeCount);
        }
        NodeCount = nodeCount;
        _relations = relations.ToArray();
    }

    /// <summary>Number of nodes n.</summary>
    public long NodeCount { get; }

    /// <summary>Number of relations R.</summary>
    public int RelationCount => _relations.Length;

    /// <summary>The relations, in order (relation r is <c>Relations[r]</c>).</summary>
    /// <exception cref="ObjectDisposedException">The graph was disposed.</exception>
    public IReadOnlyList<GraphRelation> Relations
    {
        get
        {
            ThrowIfDisposed();
            return _relations;
        }
    }

    /// <summary>The relation names, in order.</summary>
    public IReadOnlyList<string> RelationNames => _relations.Select(r => r.Name).ToArray();

    /// <summary>Total number of edges over all relations.</summary>
    /// <exception cref="ObjectDisposedException">The graph was disposed.</exception>
    public long EdgeCount
    {
        get
        {
            ThrowIfDisposed();
            return _relations.Sum(r => r.EdgeCount);
        }
    }

    /// <summary>The device the edge tensors live on.</summary>
    /// <exception cref="ObjectDisposedException">The graph was disposed.</exception>
    public Device Device
    {
        get
        {
            ThrowIfDisposed();
            return _relations[0].EdgeIndex.device;
        }
    }

    /// <summary>
    /// Combines graphs over the same nodes into one multi-relation graph (relations concatenated in order).
    /// The result holds copies of the tensors, so the inputs stay usable and must still be disposed.
    /// </summary>
    /// <param name="graphs">One or more graphs with the same <see cref="NodeCount"/> and distinct relation names (one
    /// graph gives a copy of it).</param>
    /// <returns>A new graph whose relations are those of <paramref name="graphs"/>, in order. Its tensors join the caller's dispose scope, if any (<see cref="DetachFromDisposeScope"/> keeps the graph beyond it); the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">One of the graphs was disposed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="graphs"/> or one of its graphs is null.</exception>
    /// <exception cref="ArgumentException">No graph is given, the graphs have different node counts, or a relation name
    /// is used twice (naming <paramref name="graphs"/>).</exception>
    public static RelationalGraph Combine(params RelationalGraph[] graphs)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        if (graphs.Length == 0) throw new ArgumentException("Nothing to combine.", nameof(graphs));
        ArgumentNullException.ThrowIfNull(graphs[0], nameof(graphs));
        long n = graphs[0].NodeCount;
        for (int g = 0; g < graphs.Length; g++)
        {
            ArgumentNullException.ThrowIfNull(graphs[g], nameof(graphs));
            graphs[g].ThrowIfDisposed();
            if (graphs[g].NodeCount != n)
                throw new ArgumentException(
                    $"Graph {g} has {graphs[g].NodeCount} nodes but graph 0 has {n}; combined graphs must share their nodes.",
                    nameof(graphs));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in graphs.SelectMany(g => g.RelationNames))
            if (!names.Add(name))
                throw new ArgumentException($"Relation name '{name}' is used twice; combined graphs need distinct relation names.", nameof(graphs));
        var relations = graphs.SelectMany(g => g.Relations)
            .Select(r => new GraphRelation(r.Name, r.EdgeIndex.clone(), r.EdgeWeight?.clone()))
            .ToArray();
        return new RelationalGraph(n, relations);
    }

    /// <summary>Returns a copy of this graph with its tensors on <paramref name="device"/> (weights keep their dtype
    /// unless <paramref name="weightType"/> is given).</summary>
    /// <param name="device">Target device.</param>
    /// <param name="weightType">Optional floating dtype for the edge weights.</param>
    /// <returns>A new graph; this one is unchanged. Its tensors join the caller's dispose scope, if any (<see cref="DetachFromDisposeScope"/> keeps the graph beyond it); the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The graph was disposed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="weightType"/> is not a floating-point type.</exception>
    public RelationalGraph To(Device device, ScalarType? weightType = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ThrowIfDisposed();
        if (weightType is { } type && type is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"The edge weights must stay floating point; {type} is not.", nameof(weightType));
        // copy: true makes every tensor a fresh copy in one step (no intermediate alias or second device copy).
        var relations = _relations.Select(r => new GraphRelation(
            r.Name,
            r.EdgeIndex.to(device, copy: true),
            r.EdgeWeight is null ? null : r.EdgeWeight.to(weightType ?? r.EdgeWeight.dtype, device, copy: true)))
            .ToArray();
        return new RelationalGraph(NodeCount, relations);
    }

    /// <summary>Takes the graph's tensors out of every dispose scope, so that the graph outlives the
    /// <c>torch.NewDisposeScope()</c> it was built in; afterwards only <see cref="Dispose"/> frees them (as for a
    /// module's parameters). Call it inside the scope the graph was built in.</summary>
    /// <returns>This graph.</returns>
    /// <exception cref="ObjectDisposedException">The graph or one of its tensors was disposed.</exception>
    public RelationalGraph DetachFromDisposeScope()
    {
        ThrowIfDisposed();
        foreach (var relation in _relations)
        {
            relation.EdgeIndex.DetachFromDisposeScope();
            relation.EdgeWeight?.DetachFromDisposeScope();
        }
        return this;
    }

    /// <summary>Disposes the edge tensors and the cached normalisations built from them (<see cref="RelationalGraphNormalization.For"/>).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        RelationalGraphNormalization.Release(this);
        foreach (var r in _relations)
        {
            r.EdgeIndex.Dispose();
            r.EdgeWeight?.Dispose();
        }
    }

    /// <summary>
    /// Describes the graph for logs and the debugger, from its metadata only (no edge is read, no device synchronised):
    /// <c>RelationalGraph: 351 nodes, 2 relations (fused: 3510 edges, weighted; mrna: 3510 edges, weighted) on cpu</c>; a disposed graph, or one whose
    /// tensors were freed, says so instead of throwing.
    /// </summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        string header = $"{nameof(RelationalGraph)}: {NodeCount} nodes, {RelationCount} relation{(RelationCount == 1 ? "" : "s")}";
        string names = string.Join(", ", _relations.Select(r => r.Name));
        if (IsDisposed)
            return $"{header} ({names}), disposed";
        if (_relations.Any(r => r.EdgeIndex.IsInvalid || r.EdgeWeight is { IsInvalid: true }))
            return $"{header} ({names}), tensors freed";
        string relations = string.Join("; ", _relations.Select(r => $"{r.Name}: {r.EdgeIndex.shape[1]} edges, {(r.EdgeWeight is null ? "unweighted" : "weighted")}"));
        return $"{header} ({relations}) on {_relations[0].EdgeIndex.device}";
    }

    /// <summary>Whether <see cref="Dispose"/> has run (for the normalisation cache, which must not throw on a graph
    /// another thread disposed).</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The relations without the disposal check: their tensors may already be freed (test with
    /// <c>IsInvalid</c>). For the normalisation cache's orphan scan only.</summary>
    internal IReadOnlyList<GraphRelation> RelationsUnchecked => _relations;

    /// <summary>Throws when the graph was disposed, naming the usual cause: a model still bound to the graph; or when
    /// one of its edge tensors was disposed directly, behind the graph's back.</summary>
    internal void ThrowIfDisposed()
    {
        if (IsDisposed)
            throw new ObjectDisposedException(nameof(RelationalGraph),
                "The relational graph was disposed, but it is still in use (e.g. by the RelationalGcnEncoder or RelationalGraphConv it is bound to); keep the graph alive as long as every model built on it.");
        ThrowIfTensorFreed();
    }

    /// <summary>A graph's tensors can be freed without <see cref="Dispose"/>: by the dispose scope the graph was built in,
    /// or by a caller disposing a relation's tensor (or another graph sharing it). Refused by name instead of
    /// TorchSharp's unnamed "empty handle" error.</summary>
    private void ThrowIfTensorFreed()
    {
        foreach (var relation in _relations)
            if (relation.EdgeIndex.IsInvalid || relation.EdgeWeight is { IsInvalid: true })
                throw new ObjectDisposedException(nameof(RelationalGraph),
                    $"A tensor of relation '{relation.Name}' was freed outside the graph: by the end of the dispose scope the graph was built in " +
                    "(call graph.DetachFromDisposeScope() inside that scope to keep the graph beyond it), or by disposing the tensor itself " +
                    "or another graph sharing it (give each graph its own copies: Combine, To).");
    }

    /// <summary>Throws when the graph was disposed, for a model or call that is given it as its argument
    /// <paramref name="argument"/>: refused before anything is built on it, rather than at the first forward pass.</summary>
    /// <param name="argument">The name of the parameter the graph was passed as.</param>
    internal void ThrowIfDisposedArgument(string argument)
    {
        if (IsDisposed)
            throw new ObjectDisposedException(nameof(RelationalGraph),
                $"The relational graph was disposed; '{argument}' must be a live graph (keep a graph alive as long as every model built on it).");
        ThrowIfTensorFreed();
    }

    private static void Validate(GraphRelation relation, long nodeCount)
    {
        using var scope = NewDisposeScope();
        var index = relation.EdgeIndex ?? throw new ArgumentException($"Relation '{relation.Name}' has no edge index.", "relations");
        if (index.dim() != 2 || index.shape[0] != 2)
            throw new ArgumentException(
                $"Relation '{relation.Name}': edge index must have shape (2, E), got ({string.Join(", ", index.shape)}).", "relations");
        if (index.dtype != ScalarType.Int64)
            throw new ArgumentException($"Relation '{relation.Name}': edge index must be int64, got {index.dtype}.", "relations");
        long edges = index.shape[1];
        if (edges > 0)
        {
            long min = index.min().item<long>();
            long max = index.max().item<long>();
            if (min < 0 || max >= nodeCount)
            {
                using var zero = 0.ToScalar();
                using var bound = nodeCount.ToScalar();
                using var bad = ((index < zero) | (index >= bound)).nonzero();
                long column = bad[0, 1].item<long>();
                long value = index[bad[0, 0], bad[0, 1]].item<long>();
                throw new ArgumentException(
                    $"Relation '{relation.Name}': edge {column} refers to node {value}, outside [0, {nodeCount}).", "relations");
            }
        }
        if (relation.EdgeWeight is { } w)
        {
            if (w.dim() != 1 || w.shape[0] != edges)
                throw new ArgumentException(
                    $"Relation '{relation.Name}': edge weights must have shape ({edges}), got ({string.Join(", ", w.shape)}).", "relations");
            if (!w.is_floating_point())
                throw new ArgumentException($"Relation '{relation.Name}': edge weights must be floating point, got {w.dtype}.", "relations");
            if (w.device.type != index.device.type || w.device.index != index.device.index)
                throw new ArgumentException($"Relation '{relation.Name}': edge weights are on {w.device} but the edge index is on {index.device}.", "relations");
            if (edges > 0)
            {
                using var zero = 0.ToScalar();
                using var unitAlpha = 1.0.ToScalar();
                using var invalid = (w.isfinite().logical_not() | (w < zero)).nonzero();
                if (invalid.shape[0] > 0)
                {
                    long e = invalid[0, 0].item<long>();
                    double value = w[e].to(ScalarType.Float64).item<double>();
                    throw new ArgumentException(
                        $"Relation '{relation.Name}': edge {e} has weight {value}; weights must be finite and non-negative.", "relations");
                }
                // The layers average a node's incoming weights: their sum must be finite too (two edges of 1e308 are not).
                var totals = zeros(nodeCount, dtype: ScalarType.Float64, device: w.device).index_add_(0, index[1], w.to(ScalarType.Float64), unitAlpha);
                using var overflowed = totals.isinf().nonzero();
                if (overflowed.shape[0] > 0)
                    throw new ArgumentException(
                        $"Relation '{relation.Name}': the weights of the edges into node {overflowed[0, 0].item<long>()} sum beyond float64's range, " +
                        "so their weighted mean is undefined; rescale the relation's weights (the weighted mean does not depend on their scale).", "relations");
            }
        }
    }
}
