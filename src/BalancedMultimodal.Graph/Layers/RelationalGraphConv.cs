using BalancedMultimodal.Core;
using BalancedMultimodal.Graph.Graphs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Layers;

/// <summary>
/// Relational graph convolution (Schlichtkrull et al. 2018, "Modeling Relational Data with Graph Convolutional
/// Networks"), with the semantics of PyTorch Geometric's <c>RGCNConv</c> (mean aggregation):
/// <code>
/// x'_i = x_i Theta_root + sum_r (1 / |N_r(i)|) sum_{j in N_r(i)} x_j Theta_r + b
/// </code>
/// where N_r(i) are the sources j of the r-edges j -> i (edge index row 0 = source, row 1 = target). With edge
/// weights a_ji the mean is weighted: sum_j a_ji x_j Theta_r / sum_j a_ji. A node without r-neighbours (or whose
/// r-edges all weigh 0) receives 0 from relation r.
/// </summary>
/// <remarks>
/// <para>Parameters (state_dict keys), as in PyTorch Geometric:</para>
/// <list type="bullet">
/// <item><c>weight</c>: (R, in, out) without decomposition; the bases V (B, in, out) with <c>numBases</c> = B, where
/// Theta_r = sum_b comp[r, b] V_b; the blocks (R, nb, in/nb, out/nb) with <c>numBlocks</c> = nb, where Theta_r is
/// block-diagonal with blocks weight[r, k].</item>
/// <item><c>comp</c>: (R, B), only with basis decomposition.</item>
/// <item><c>root</c>: (in, out), the self weight Theta_root.</item>
/// <item><c>bias</c>: (out), unless <c>bias</c> is false.</item>
/// </list>
/// <para>
/// Aggregation is sparse, O(E d) time and O(E) extra memory; no n x n matrix is formed. The per-edge mean
/// coefficients c_e come from <see cref="RelationalGraphNormalization.For"/>, computed once per graph and dtype. The
/// layer either transforms first, H = x [Theta_root | Theta_0 | ... | Theta_{R-1}] in one matrix product followed by
/// one sparse product M @ H.view(n (R+1), out) with M[target, source (R+1) + r + 1] = c_e, or aggregates first,
/// A = P @ x with P[target R + r, source] = c_e followed by one (n, (R+1) in) x ((R+1) in, out) product. It picks the
/// order that moves fewer numbers through the edge list (forward plus, where a gradient must flow back through the
/// sparse product, backward); for a first layer whose input needs no gradient that is usually aggregate-first. Both
/// orders compute the same function. The sparse products are libtorch COO matrix products (float32/float64); other
/// floating dtypes use the equivalent <c>index_select</c> + <c>index_add</c> gather/scatter.
/// </para>
/// <para>No activation or dropout is applied inside the layer; <see cref="RelationalGcn"/> stacks layers with them.
/// Prefer <see cref="RelationalGcn"/> unless you need a single operator.</para>
/// </remarks>
public sealed class RelationalGraphConv : nn.Module<Tensor, RelationalGraph, Tensor>
{
    // Field names are the state_dict keys (PyTorch Geometric's names); RegisterComponents skips the null ones.
    private Parameter weight;
    private Parameter? comp;
    private Parameter root;
    private Parameter? bias;

    /// <summary>Creates the layer and initialises its parameters with <see cref="reset_parameters"/>.</summary>
    /// <param name="inChannels">Input feature size (at least 1).</param>
    /// <param name="outChannels">Output feature size (at least 1).</param>
    /// <param name="numRelations">Number of relations R (at least 1); every graph passed to forward must have R relations.</param>
    /// <param name="numBases">Basis decomposition with this many bases, 1 to R; <c>null</c> (default) for none.</param>
    /// <param name="numBlocks">Block-diagonal decomposition with this many blocks, which must divide both
    /// <paramref name="inChannels"/> and <paramref name="outChannels"/>; <c>null</c> (default) for none.</param>
    /// <param name="bias">Whether to learn an additive bias (default true).</param>
    /// <param name="device">Device of the parameters (default: the default device).</param>
    /// <param name="dtype">Floating dtype of the parameters (default: the default dtype).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, relation, basis or block count is out of range.</exception>
    /// <exception cref="ArgumentException">Both decompositions are requested, or the block count does not divide the sizes.</exception>
    public RelationalGraphConv(int inChannels, int outChannels, int numRelations, int? numBases = null, int? numBlocks = null,
        bool bias = true, Device? device = null, ScalarType? dtype = null)
        : base(nameof(RelationalGraphConv))
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "inChannels must be at least 1.");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "outChannels must be at least 1.");
        if (numRelations < 1) throw new ArgumentOutOfRangeException(nameof(numRelations), numRelations, "numRelations must be at least 1.");
        if (numBases is not null && numBlocks is not null)
            throw new ArgumentException(
                "numBases and numBlocks cannot both be set: basis and block-diagonal decomposition are alternatives.", nameof(numBlocks));
        if (numBases is { } b && (b < 1 || b > numRelations))
            throw new ArgumentOutOfRangeException(nameof(numBases), b,
                $"numBases must be between 1 and numRelations ({numRelations}); more bases than relations is no decomposition.");
        if (numBlocks is { } nb)
        {
            if (nb < 1) throw new ArgumentOutOfRangeException(nameof(numBlocks), nb, "numBlocks must be at least 1.");
            if (inChannels % nb != 0 || outChannels % nb != 0)
                throw new ArgumentException(
                    $"numBlocks ({nb}) must divide inChannels ({inChannels}) and outChannels ({outChannels}).", nameof(numBlocks));
        }
        if (dtype is { } t && t is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"dtype must be floating point, got {t}.", nameof(dtype));

        InChannels = inChannels;
        OutChannels = outChannels;
        NumRelations = numRelations;
        NumBases = numBases;
        NumBlocks = numBlocks;

        long[] weightShape = numBases is { } bases ? [bases, inChannels, outChannels]
            : numBlocks is { } blocks ? [numRelations, blocks, inChannels / blocks, outChannels / blocks]
            : [numRelations, inChannels, outChannels];
        this.weight = OwnedParameter(empty(weightShape, dtype: dtype, device: device));
        comp = numBases is { } basisCount ? OwnedParameter(empty([numRelations, basisCount], dtype: dtype, device: device)) : null;
        root = OwnedParameter(empty([inChannels, outChannels], dtype: dtype, device: device));
        this.bias = bias ? OwnedParameter(empty([outChannels], dtype: dtype, device: device)) : null;
        reset_parameters();
        RegisterComponents();
    }

    /// <summary>A parameter owned by the layer, not by the dispose scope it is built in (as TorchSharp's nn.Linear does),
    /// so a layer built inside a caller's scope keeps its weights when that scope closes.</summary>
    private static Parameter OwnedParameter(Tensor data)
    {
        var parameter = new Parameter(data);
        parameter.DetachFromDisposeScope();
        return parameter;
    }

    /// <summary>Input feature size.</summary>
    public int InChannels { get; }

    /// <summary>Output feature size.</summary>
    public int OutChannels { get; }

    /// <summary>Number of relations R.</summary>
    public int NumRelations { get; }

    /// <summary>Number of bases of the basis decomposition, or <c>null</c>.</summary>
    public int? NumBases { get; }

    /// <summary>Number of blocks of the block-diagonal decomposition, or <c>null</c>.</summary>
    public int? NumBlocks { get; }

    /// <summary>The <c>weight</c> parameter (see the class remarks for its shape).</summary>
    public Parameter Weight => weight;

    /// <summary>The <c>comp</c> parameter (R, B) of the basis decomposition, or <c>null</c>.</summary>
    public Parameter? Comp => comp;

    /// <summary>The <c>root</c> parameter Theta_root, (in, out).</summary>
    public Parameter Root => root;

    /// <summary>The <c>bias</c> parameter (out), or <c>null</c>.</summary>
    public Parameter? Bias => bias;

    /// <summary>
    /// Re-initialises the parameters as PyTorch Geometric does: <c>weight</c>, <c>comp</c> and <c>root</c> glorot-uniform
    /// U(-a, a), a = sqrt(6 / (fan_in + fan_out)) with the fans taken from the last two dimensions; <c>bias</c> zero.
    /// Draws from the global generator (seed it with <c>torch.manual_seed</c> for reproducibility).
    /// </summary>
    public void reset_parameters()
    {
        using var noGrad = no_grad();
        // The in-place initialisers return handles of their own (the bias' zero_ one that was never freed: one live
        // tensor per layer built); the scope frees them, the parameters are not its to dispose.
        using var scope = NewDisposeScope();
        Glorot(weight);
        if (comp is not null) Glorot(comp);
        Glorot(root);
        bias?.zero_();
    }

    /// <summary>
    /// The relation weights Theta_r for all relations, shape (R, in, out), built from the decomposition (differentiable):
    /// <c>weight</c> itself, <c>(comp @ V.view(B, -1)).view(R, in, out)</c>, or the block-diagonal matrices.
    /// </summary>
    /// <returns>A tensor (R, in, out) on the parameters' device and dtype that the caller disposes: with a basis or block
    /// decomposition a newly computed one; without, a view of <see cref="Weight"/> that shares its storage (writing to it
    /// writes the parameter; disposing it frees only the view).</returns>
    public Tensor RelationWeights()
    {
        if (comp is not null)
        {
            using var scope = NewDisposeScope();   // the view and the product are freed; only the result leaves
            return comp.matmul(weight.view(weight.shape[0], -1)).view(NumRelations, InChannels, OutChannels).MoveToOuterDisposeScope();
        }
        if (NumBlocks is { } nb)
        {
            using var scope = NewDisposeScope();
            // (R, nb, in/nb, out/nb) -> (R, nb, in/nb, nb, out/nb) with zeros off the block diagonal -> (R, in, out).
            var diagonal = eye(nb, dtype: weight.dtype, device: weight.device).view(1, nb, 1, nb, 1);
            return (weight.unsqueeze(3) * diagonal).reshape(NumRelations, InChannels, OutChannels).MoveToOuterDisposeScope();
        }
        return weight.alias();
    }

    /// <summary>
    /// Applies the layer: x'_i = x_i Theta_root + sum_r sum_{j -> i in r} c_ji x_j Theta_r + b, with c the (weighted)
    /// mean coefficients of <paramref name="graph"/>.
    /// </summary>
    /// <param name="x">Node features (n, in), floating point, on the parameters' device and dtype.</param>
    /// <param name="graph">A graph with n nodes and <see cref="NumRelations"/> relations, on the same device.</param>
    /// <returns>Node features (n, out).</returns>
    /// <exception cref="ArgumentException">Shapes, relation count, device or dtype do not match (the message says which),
    /// or the graph's edges are invalid.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="x"/> has been disposed
    /// (<see cref="ObjectDisposedException.ObjectName"/> is <c>x</c>), or <paramref name="graph"/> has been (its object
    /// name is <c>RelationalGraph</c>).</exception>
    public override Tensor forward(Tensor x, RelationalGraph graph)
    {
        Validate(x, graph);
        var normalization = RelationalGraphNormalization.For(graph, x.dtype);
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        int relations = NumRelations;
        long edges = normalization.EdgeCount;
        var theta = RelationWeights();

        // Numbers moved through the edge list: forward gather + scatter, and the same again backward when a gradient
        // has to flow through the gathered tensor.
        bool tracking = is_grad_enabled();
        bool parametersNeedGrad = tracking && (weight.requires_grad || root.requires_grad || (comp?.requires_grad ?? false));
        bool inputNeedsGrad = tracking && x.requires_grad;
        long transformFirstCost = edges * OutChannels * (parametersNeedGrad || inputNeedsGrad ? 2 : 1);
        long aggregateFirstCost = edges * InChannels * (inputNeedsGrad ? 2 : 1);

        // Sparse COO products are exact sums like index_add but avoid the (E, d) message tensor; libtorch's CPU kernel
        // has no half-precision version, so those dtypes take the gather/scatter path.
        bool sparseProduct = x.dtype is ScalarType.Float32 or ScalarType.Float64;
        Tensor result;
        if (transformFirstCost <= aggregateFirstCost)
        {
            // [Theta_root | Theta_0 | ... ] as (in, (R + 1) * out); row i * (R + 1) + k of transformed.view is x_i Theta_k.
            var stacked = cat([root.unsqueeze(0), theta], 0).permute(1, 0, 2).reshape(InChannels, (relations + 1) * OutChannels);
            var transformed = x.matmul(stacked);
            var rows = transformed.view(n * (relations + 1), OutChannels);
            var self = transformed.narrow(1, 0, OutChannels);
            if (sparseProduct)
            {
                result = normalization.TransformFirstOperator.matmul(rows).PlusInPlace(self);
            }
            else
            {
                var messages = rows.index_select(0, normalization.TransformedSourceRow).mul_(normalization.Coefficient.unsqueeze(1));
                result = self.IndexAdd(0, normalization.Target, messages);
            }
        }
        else
        {
            Tensor aggregated;
            if (sparseProduct)
            {
                aggregated = normalization.AggregateFirstOperator.matmul(x);
            }
            else
            {
                var messages = x.index_select(0, normalization.Source).mul_(normalization.Coefficient.unsqueeze(1));
                aggregated = zeros([n * relations, InChannels], dtype: x.dtype, device: x.device)
                    .IndexAdd(0, normalization.AggregatedTargetRow, messages);
            }
            var features = cat([x, aggregated.view(n, relations * InChannels)], 1);
            var stacked = cat([root.unsqueeze(0), theta], 0).reshape((relations + 1) * InChannels, OutChannels);
            result = features.matmul(stacked);
        }
        if (bias is not null) result = result.PlusInPlace(bias);
        return result.MoveToOuterDisposeScope();
    }

    private void Validate(Tensor x, RelationalGraph graph)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        ArgumentNullException.ThrowIfNull(graph);
        if (x.dim() != 2)
            throw new ArgumentException($"Node features must have shape (n, {InChannels}), got ({string.Join(", ", x.shape)}).", nameof(x));
        if (x.shape[1] != InChannels)
            throw new ArgumentException($"Node features have {x.shape[1]} columns but the layer expects inChannels = {InChannels}.", nameof(x));
        if (x.shape[0] != graph.NodeCount)
            throw new ArgumentException(
                $"Node features have {x.shape[0]} rows but the graph has {graph.NodeCount} nodes; there must be one row per node.", nameof(x));
        if (graph.RelationCount != NumRelations)
            throw new ArgumentException(
                $"The graph has {graph.RelationCount} relations ({string.Join(", ", graph.RelationNames)}) but the layer was built for numRelations = {NumRelations}.",
                nameof(graph));
        if (!x.is_floating_point())
            throw new ArgumentException($"Node features must be floating point, got {x.dtype}.", nameof(x));
        if (x.dtype != root.dtype)
            throw new ArgumentException(
                $"Node features are {x.dtype} but the layer's parameters are {root.dtype}; convert one of them (e.g. module.to(dtype)).", nameof(x));
        if (x.device_type != root.device_type || x.device_index != root.device_index)
            throw new ArgumentException($"Node features are on {x.device} but the layer's parameters are on {root.device}.", nameof(x));
        var graphDevice = graph.Device;
        // A negative index means "the default device of that type": compare as index 0.
        if (graphDevice.type != x.device_type || Math.Max(graphDevice.index, 0) != Math.Max(x.device_index, 0))
            throw new ArgumentException(
                $"The graph is on {graphDevice} but the node features are on {x.device}; move it with graph.To(device).", nameof(graph));
    }

    private static void Glorot(Tensor tensor)
    {
        double bound = Math.Sqrt(6.0 / (tensor.shape[^2] + tensor.shape[^1]));
        nn.init.uniform_(tensor, -bound, bound);
    }
}
