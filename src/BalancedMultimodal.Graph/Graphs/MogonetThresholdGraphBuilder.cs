using BalancedMultimodal.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Graphs;

/// <summary>
/// MOGONET's patient graph (Wang et al. 2021, Nature Communications; <c>utils.gen_adj_mat_tensor</c>): from the cosine
/// distance <c>D_ij = 1 - x_i.x_j / max(|x_i| |x_j|, 1e-8)</c>, the threshold tau is the (k n)-th smallest of all n^2
/// entries of D (0-based, diagonal included); <c>A_ij = 1 - D_ij</c> where <c>D_ij &lt;= tau</c> and i != j, else 0;
/// <c>A = max(A, A^T)</c>; <c>A = row-L1-normalise(A + I)</c> (divisor at least 1e-12).
/// </summary>
/// <remarks>
/// MOGONET propagates <c>A X</c>, so node i receives <c>A_ij x_j</c>: the edge is stored as source j -&gt; target i with
/// weight <c>A_ij</c>; self loops are included. k gives about k non-zeros per row of A + I: k - 1 neighbours plus the
/// self loop (the n zeros of the diagonal are among the k n + 1 smallest distances). MOGONET uses 10 for BRCA, 2 for
/// ROSMAP.
/// </remarks>
public sealed class MogonetThresholdGraphBuilder
{
    /// <summary>Creates a builder.</summary>
    /// <param name="edgesPerNode">MOGONET's <c>adj_parameter</c> k, at least 1 (and below n when building).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="edgesPerNode"/> is less than 1.</exception>
    public MogonetThresholdGraphBuilder(int edgesPerNode)
    {
        if (edgesPerNode < 1)
            throw new ArgumentOutOfRangeException(nameof(edgesPerNode), edgesPerNode, "edgesPerNode must be at least 1.");
        EdgesPerNode = edgesPerNode;
    }

    /// <summary>MOGONET's edges-per-node parameter k.</summary>
    public int EdgesPerNode { get; }

    /// <summary>The cosine-distance threshold tau that MOGONET derives for these features.</summary>
    /// <param name="features">Features X of shape (n, d), finite.</param>
    /// <returns>tau, the (k n)-th smallest entry of the n x n cosine-distance matrix.</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentException">The features are not an (n, d) matrix with d &gt;= 1, not float32 or
    /// float64, or hold a non-finite value (naming the sample and feature).</exception>
    /// <exception cref="ArgumentOutOfRangeException">k &gt;= n (naming <paramref name="features"/>).</exception>
    public double Threshold(Tensor features)
    {
        TensorArgument.ThrowIfNullOrDisposed(features);
        using var scope = NewDisposeScope();
        var distance = CosineDistance(features);
        long n = distance.shape[0];
        return ThresholdOf(distance, n);
    }

    /// <summary>The (k n)-th smallest entry (0-based) of the n x n distances: an order statistic by selection
    /// (<c>kthvalue</c>, O(n^2)) instead of sorting all n^2 entries (O(n^2 log n); twice as slow at n = 1000 to 4000), the
    /// same value; like the sort, it ranks a NaN above every number, so the finiteness check below still sees it.</summary>
    private double ThresholdOf(Tensor distance, long n)
    {
        var (values, _) = distance.reshape(-1).kthvalue(EdgesPerNode * n + 1, 0);
        return values.to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>Builds the graph.</summary>
    /// <param name="features">Features X of shape (n, d), finite, float32 or float64, any device.</param>
    /// <param name="relationName">The name of the graph's single relation.</param>
    /// <returns>A one-relation <see cref="RelationalGraph"/> holding the non-zeros of the normalised A (detached: no
    /// autograd history from requires-grad features). Its tensors join the caller's dispose scope, if any (<see cref="RelationalGraph.DetachFromDisposeScope"/> keeps the graph beyond it); the caller disposes it.</returns>
    /// <exception cref="ArgumentException">For non-finite features, k &gt;= n, a threshold above 1 (negative weights), or an
    /// empty relation name.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">k &gt;= n, or a k that gives a threshold above 1 (both naming
    /// <paramref name="features"/>).</exception>
    public RelationalGraph Build(Tensor features, string relationName = "mogonet")
    {
        TensorArgument.ThrowIfNullOrDisposed(features);
        GraphInput.ValidateRelationName(relationName, nameof(relationName));
        using var scope = NewDisposeScope();
        var distance = CosineDistance(features);
        long n = distance.shape[0];
        double tau = ThresholdOf(distance, n);
        if (!double.IsFinite(tau))
            throw new ArgumentException($"The cosine-distance threshold is {tau}; the features' products are not finite in {features.dtype}.", nameof(features));
        if (tau > 1)
            throw new ArgumentOutOfRangeException(nameof(features), EdgesPerNode,
                $"edgesPerNode = {EdgesPerNode} gives the cosine-distance threshold {tau} > 1, so some weights 1 - D would be negative; use fewer edges per node.");
        using var tauScalar = tau.ToScalar();
        using var noSelfLoop = false.ToScalar();
        using var zero = 0.ToScalar();
        var keep = distance <= tauScalar;
        keep.diagonal().fill_(noSelfLoop);
        var adjacency = where(keep, distance.SubtractedFrom(1), zeros_like(distance));
        adjacency = maximum(adjacency, adjacency.t());
        adjacency = adjacency.Plus(eye(n, dtype: adjacency.dtype, device: adjacency.device));
        adjacency = adjacency / adjacency.abs().sum(1, keepdim: true).ClampedBelow(1e-12);
        var nonzero = adjacency != zero;
        var positions = nonzero.nonzero();
        var edges = stack(new[] { positions[TensorIndex.Colon, 1], positions[TensorIndex.Colon, 0] }).contiguous();
        // Edge weights are data (as every graph builder's): no autograd history from requires-grad features.
        var weights = adjacency.masked_select(nonzero).detach();
        var relation = new GraphRelation(relationName, edges.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
        return new RelationalGraph(n, new[] { relation });
    }

    private int ValidateAndCount(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2 || features.shape[1] < 1)
            throw new ArgumentException($"Features must have shape (n, d), got ({string.Join(", ", features.shape)}).", nameof(features));
        if (features.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"Features must be float32 or float64, got {features.dtype}.", nameof(features));
        long n = features.shape[0];
        if (EdgesPerNode >= n)
            throw new ArgumentOutOfRangeException(nameof(features), EdgesPerNode, $"edgesPerNode = {EdgesPerNode} must be below the number of samples ({n}).");
        using var bad = features.isfinite().logical_not().nonzero();
        if (bad.shape[0] > 0)
            throw new ArgumentException($"Sample {bad[0, 0].item<long>()}, feature {bad[0, 1].item<long>()} is not finite.", nameof(features));
        return (int)n;
    }

    private Tensor CosineDistance(Tensor features)
    {
        ValidateAndCount(features);
        // Rows scaled by exact powers of two s_i first (PowerOfTwoScaling), so rows near the dtype's limit no longer
        // overflow the products into NaN; the floor 1e-8 is scaled alike, which keeps MOGONET's formula,
        // x_i.x_j / max(|x_i| |x_j|, 1e-8) = (s_i x_i).(s_j x_j) / max(|s_i x_i| |s_j x_j|, 1e-8 s_i s_j), to the bit.
        var scales = PowerOfTwoScaling.RowScales(features);
        var scaled = features.detach() * scales;
        var norms = scaled.norm(1, keepdim: true);
        var floor = (scales * scales.t()).Times(1e-8);
        return (scaled.mm(scaled.t()) / maximum(norms * norms.t(), floor)).SubtractedFrom(1);
    }
}
