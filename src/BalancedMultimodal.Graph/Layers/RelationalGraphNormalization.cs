using System.Runtime.CompilerServices;
using BalancedMultimodal.Core;
using BalancedMultimodal.Graph.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Layers;

/// <summary>
/// The per-graph constants of relational mean aggregation, computed once per (<see cref="RelationalGraph"/>, dtype)
/// and cached: all edges of all relations concatenated, and the per-edge mean coefficient
/// <c>c_e = a_e / sum_{e' : target(e') = target(e), relation(e') = relation(e)} a_e'</c> (a_e = edge weight, 1 when
/// the relation has no weights), so that <c>sum_e c_e x_source(e)</c> is the (weighted) mean over the r-neighbours.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="For"/> keeps one instance per graph and dtype in a <see cref="ConditionalWeakTable{TKey,TValue}"/>: the
/// cache entry lives exactly as long as the graph object, so <see cref="RelationalGraphConv"/> pays the degree
/// computation on the first forward pass only. The cached tensors live on the graph's device, outside every dispose
/// scope; they are freed when the graph is disposed (<see cref="RelationalGraph.Dispose"/>), or, for a graph left to a
/// dispose scope that freed its edge tensors, at the next lookup of any graph (so a training loop that builds a graph
/// per step inside the step's scope does not accumulate caches).
/// </para>
/// <para>
/// A graph is treated as immutable: edits made in place to its edge tensors after the first forward pass are not
/// seen. The edges are re-validated here once (indices in [0, n), weights finite and non-negative), so a graph whose
/// tensors were corrupted before its first use is rejected with an <see cref="ArgumentException"/> naming the relation.
/// </para>
/// <para>
/// A target whose r-edges all have weight 0 has no weighted mean; it receives 0 from relation r, exactly like a node
/// without r-neighbours (PyTorch Geometric's mean of an empty set). Finite weights whose sum into a target overflows
/// float64 (e.g. two of 1e308) are refused, naming the relation and the node, instead of giving that node 0.
/// </para>
/// </remarks>
public sealed class RelationalGraphNormalization
{
    private static readonly ConditionalWeakTable<RelationalGraph, Dictionary<ScalarType, RelationalGraphNormalization>> Cache = new();

    private RelationalGraphNormalization(long nodeCount, int relationCount, Tensor source, Tensor target, Tensor relation,
        Tensor coefficient, Tensor targetTotals)
    {
        NodeCount = nodeCount;
        RelationCount = relationCount;
        Source = source;
        Target = target;
        Relation = relation;
        Coefficient = coefficient;
        TargetTotals = targetTotals;
        EdgeCount = source.shape[0];
        // Row of (source, relation) in the (n * (R + 1), out) view of x [Theta_root | Theta_0 | ... | Theta_{R-1}].
        using var width = (relationCount + 1).ToScalar();
        using var count = relationCount.ToScalar();
        using var one = 1.ToScalar();
        TransformedSourceRow = source.mul(width).Plus(relation).add(one, one).DetachFromDisposeScope();
        // Row of (target, relation) in the (n * R, in) per-relation aggregate of x.
        AggregatedTargetRow = target.mul(count).Plus(relation).DetachFromDisposeScope();
    }

    /// <summary>Number of nodes n.</summary>
    public long NodeCount { get; }

    /// <summary>Number of relations R.</summary>
    public int RelationCount { get; }

    /// <summary>Total number of edges E over all relations.</summary>
    public long EdgeCount { get; }

    /// <summary>Sources of all edges, relation 0 first, shape (E), int64. Read only.</summary>
    public Tensor Source { get; }

    /// <summary>Targets of all edges, shape (E), int64. Read only.</summary>
    public Tensor Target { get; }

    /// <summary>Relation index of every edge, shape (E), int64. Read only.</summary>
    public Tensor Relation { get; }

    /// <summary>Mean coefficient c_e = a_e / (sum of the weights of the target's edges of the same relation), shape (E),
    /// in the cached dtype; 0 where that sum is 0. Read only.</summary>
    public Tensor Coefficient { get; }

    /// <summary>Per node and relation the sum of incoming edge weights (the in-degree when the relation is unweighted),
    /// shape (n, R), in the cached dtype. Read only.</summary>
    public Tensor TargetTotals { get; }

    /// <summary>source * (R + 1) + relation + 1 per edge: the row of x_source Theta_relation in the transformed features.</summary>
    internal Tensor TransformedSourceRow { get; }

    /// <summary>target * R + relation per edge: the row of the (target, relation) mean in the aggregated features.</summary>
    internal Tensor AggregatedTargetRow { get; }

    /// <summary>
    /// Sparse COO operator M (n, n (R + 1)) with M[target, source (R + 1) + relation + 1] = c_e, so that
    /// M @ (x [Theta_root | Theta_0 | ...]).view(n (R + 1), out) = sum_r mean_r(x_j Theta_r). Entries are ordered by
    /// column: the large transformed matrix is then read sequentially and only the small output is addressed at random,
    /// which measured twice as fast as target order for both M @ H and its backward M^T @ G.
    /// </summary>
    internal Tensor TransformFirstOperator
    {
        get
        {
            lock (_operatorLock)
                return _transformFirst ??= SparseOperator(Target, TransformedSourceRow, NodeCount, NodeCount * (RelationCount + 1), byRow: false);
        }
    }

    /// <summary>
    /// Sparse COO operator P (n R, n) with P[target R + relation, source] = c_e, so that (P @ x).view(n, R in) holds the
    /// per-relation means of the input features. Entries are ordered by row, so the small input is the one read at random.
    /// </summary>
    internal Tensor AggregateFirstOperator
    {
        get
        {
            lock (_operatorLock)
                return _aggregateFirst ??= SparseOperator(AggregatedTargetRow, Source, NodeCount * RelationCount, NodeCount, byRow: true);
        }
    }

    /// <summary>Bytes held by the cached tensors (edge lists, coefficients, totals and the sparse operators built so far).</summary>
    public long ByteCount
    {
        get
        {
            static long Bytes(Tensor? t) => t is null ? 0 : t.is_sparse
                ? t.SparseIndices.numel() * t.SparseIndices.ElementSize + t.SparseValues.numel() * t.SparseValues.ElementSize
                : t.numel() * t.ElementSize;
            lock (_operatorLock)
                return Bytes(Source) + Bytes(Target) + Bytes(Relation) + Bytes(Coefficient) + Bytes(TargetTotals)
                    + Bytes(TransformedSourceRow) + Bytes(AggregatedTargetRow) + Bytes(_transformFirst) + Bytes(_aggregateFirst);
        }
    }

    private readonly object _operatorLock = new();
    private Tensor? _transformFirst;
    private Tensor? _aggregateFirst;

    private Tensor SparseOperator(Tensor rows, Tensor columns, long rowCount, long columnCount, bool byRow)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var order = (byRow ? rows : columns).argsort();
        var indices = stack([rows.index_select(0, order), columns.index_select(0, order)]);
        return sparse_coo_tensor(indices, Coefficient.index_select(0, order), [rowCount, columnCount]).DetachFromDisposeScope();
    }

    /// <summary>
    /// Returns the cached normalisation of <paramref name="graph"/> for floating dtype <paramref name="dtype"/>,
    /// computing it on first use.
    /// </summary>
    /// <param name="graph">The graph (its tensors must not have been disposed).</param>
    /// <param name="dtype">A floating-point dtype for <see cref="Coefficient"/> and <see cref="TargetTotals"/>.</param>
    /// <returns>The shared instance for this graph and dtype; do not dispose its tensors.</returns>
    /// <exception cref="ArgumentException">When <paramref name="dtype"/> is not floating point, or an edge index lies
    /// outside [0, n) or a weight is negative or not finite (the message names the relation and edge), or the weights
    /// into a node sum beyond float64's range (naming the relation and node).</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="graph"/> has been disposed
    /// (<see cref="ObjectDisposedException.ObjectName"/> is <c>RelationalGraph</c>).</exception>
    public static RelationalGraphNormalization For(RelationalGraph graph, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (dtype is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"The normalisation dtype must be floating point, got {dtype}.", nameof(dtype));
        // Checked before the cache holds an entry for it: a disposed graph must never enter the cache.
        graph.ThrowIfDisposed();
        ReleaseOrphans();
        var perDtype = Cache.GetValue(graph, _ => new Dictionary<ScalarType, RelationalGraphNormalization>());
        lock (perDtype)
        {
            if (!perDtype.TryGetValue(dtype, out var normalization))
            {
                normalization = Compute(graph, dtype);
                perDtype[dtype] = normalization;
            }
            return normalization;
        }
    }

    /// <summary>
    /// Frees the caches of graphs whose edge tensors were disposed without the graph (a graph built inside a dispose
    /// scope and left to it: the scope frees the edges, not this cache, whose tensors are detached from every scope).
    /// Called on every lookup, so a loop that builds a graph per step keeps at most the live graphs' caches. A graph
    /// that another thread is disposing is released too, never read through its checked members: that thread's
    /// disposal must not fail this lookup of another graph.
    /// </summary>
    private static void ReleaseOrphans()
    {
        List<RelationalGraph>? orphans = null;
        foreach (var (graph, _) in Cache)
            if (graph.IsDisposed || graph.RelationsUnchecked.Any(r => r.EdgeIndex.IsInvalid || (r.EdgeWeight?.IsInvalid ?? false)))
                (orphans ??= []).Add(graph);
        if (orphans is null) return;
        foreach (var graph in orphans) Release(graph);
    }

    /// <summary>Frees the cached normalisations of <paramref name="graph"/> (called by <see cref="RelationalGraph.Dispose"/>),
    /// so disposing a graph releases its native memory at once instead of when the garbage collector runs.</summary>
    internal static void Release(RelationalGraph graph)
    {
        if (!Cache.TryGetValue(graph, out var perDtype)) return;
        lock (perDtype)
        {
            foreach (var normalization in perDtype.Values) normalization.DisposeTensors();
            perDtype.Clear();
        }
        Cache.Remove(graph);
    }

    private void DisposeTensors()
    {
        lock (_operatorLock)
        {
            foreach (var t in new[] { Source, Target, Relation, Coefficient, TargetTotals, TransformedSourceRow, AggregatedTargetRow, _transformFirst, _aggregateFirst })
                t?.Dispose();
            _transformFirst = null;
            _aggregateFirst = null;
        }
    }

    private static RelationalGraphNormalization Compute(RelationalGraph graph, ScalarType dtype)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long n = graph.NodeCount;
        int relationCount = graph.RelationCount;
        var device = graph.Device;
        var sources = new Tensor[relationCount];
        var targets = new Tensor[relationCount];
        var relations = new Tensor[relationCount];
        var weights = new Tensor[relationCount];
        for (int r = 0; r < relationCount; r++)
        {
            var relation = graph.Relations[r];
            ValidateEdges(relation, n);
            var index = relation.EdgeIndex;
            long edges = index.shape[1];
            sources[r] = index[0];
            targets[r] = index[1];
            using (var relationIndex = r.ToScalar())
                relations[r] = full(edges, relationIndex, dtype: ScalarType.Int64, device: device);
            // Sums are formed in float64 so large in-degrees and tiny weights do not lose precision in float32 models.
            weights[r] = relation.EdgeWeight is { } w ? w.to(ScalarType.Float64) : ones(edges, dtype: ScalarType.Float64, device: device);
        }
        var source = cat(sources, 0);
        var target = cat(targets, 0);
        var relationOfEdge = cat(relations, 0);
        var weight = cat(weights, 0);
        using var relationCountScalar = relationCount.ToScalar();
        var slot = target.mul(relationCountScalar).Plus(relationOfEdge);
        using var unitAlpha = 1.0.ToScalar();
        var totals = zeros(n * relationCount, dtype: ScalarType.Float64, device: device).index_add_(0, slot, weight, unitAlpha);
        var overflowed = totals.isinf().nonzero();
        if (overflowed.shape[0] > 0)
        {
            // Finite weights whose sum is not (e.g. two of 1e308): every coefficient w / total would be 0 and the
            // node would silently get nothing from the relation.
            long first = overflowed[0, 0].item<long>();
            var name = graph.Relations[(int)(first % relationCount)].Name;
            throw new ArgumentException(
                $"Relation '{name}': the weights of the edges into node {first / relationCount} sum beyond float64's range, so " +
                "their weighted mean is undefined; rescale the relation's weights (the weighted mean does not depend on their scale).",
                nameof(graph));
        }
        var totalOfEdge = totals.index_select(0, slot);
        using var zero = 0.ToScalar();
        var coefficient = where(totalOfEdge > zero, weight / totalOfEdge.ClampedBelow(double.Epsilon), zeros_like(weight));
        return new RelationalGraphNormalization(
            n,
            relationCount,
            source.contiguous().DetachFromDisposeScope(),
            target.contiguous().DetachFromDisposeScope(),
            relationOfEdge.DetachFromDisposeScope(),
            coefficient.to(dtype).DetachFromDisposeScope(),
            totals.view(n, relationCount).to(dtype).DetachFromDisposeScope());
    }

    private static void ValidateEdges(GraphRelation relation, long nodeCount)
    {
        var index = relation.EdgeIndex;
        long edges = index.shape[1];
        if (edges == 0) return;
        using var zero = 0.ToScalar();
        using var bound = nodeCount.ToScalar();
        var outside = ((index < zero) | (index >= bound)).any(0).nonzero();
        if (outside.shape[0] > 0)
        {
            long e = outside[0, 0].item<long>();
            throw new ArgumentException(
                $"Relation '{relation.Name}': edge {e} ({index[0, e].item<long>()} -> {index[1, e].item<long>()}) refers to a node outside [0, {nodeCount}).",
                "graph");
        }
        if (relation.EdgeWeight is { } w)
        {
            var invalid = (w.isfinite().logical_not() | (w < zero)).nonzero();
            if (invalid.shape[0] > 0)
            {
                long e = invalid[0, 0].item<long>();
                throw new ArgumentException(
                    $"Relation '{relation.Name}': edge {e} has weight {w[e].to(ScalarType.Float64).item<double>()}; weights must be finite and non-negative.",
                    "graph");
            }
        }
    }
}
