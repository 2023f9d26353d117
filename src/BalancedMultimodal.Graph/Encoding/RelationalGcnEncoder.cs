using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Encoding;

/// <summary>
/// A <see cref="ModalityEncoder"/> that runs a <see cref="RelationalGcn"/> (no classifier head) over a patient graph
/// bound at construction: h = RelationalGcn.Embed(X_m, G), shape (n, last hidden size).
/// </summary>
/// <remarks>The graph is shared by every modality ("decoupled" node features, shared fused edges; METHOD.md
/// section 1); its rows are the same n samples as the features (transductive training). The encoder does not own
/// the graph.</remarks>
public sealed class RelationalGcnEncoder : ModalityEncoder
{
    private readonly RelationalGcn gcn;
    private readonly RelationalGraph _graph;

    /// <summary>Creates the encoder.</summary>
    /// <param name="graph">The patient graph over the n samples.</param>
    /// <param name="options">Network options; <c>RelationCount</c> must equal the graph's and <c>ClassCount</c> must be null.</param>
    /// <param name="device">Device of the parameters.</param>
    /// <param name="dtype">Floating dtype of the parameters.</param>
    /// <exception cref="ObjectDisposedException">When <paramref name="graph"/> was disposed.</exception>
    /// <exception cref="ArgumentException">When <paramref name="options"/> set <c>ClassCount</c> or declare another
    /// relation count than the graph's.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">When an option is invalid (the failures name it).</exception>
    public RelationalGcnEncoder(RelationalGraph graph, RelationalGcnOptions options, Device? device = null, ScalarType? dtype = null)
        : base(nameof(RelationalGcnEncoder))
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        graph.ThrowIfDisposedArgument(nameof(graph));
        if (options.ClassCount is not null)
            throw new ArgumentException("An encoder has no classifier head: leave ClassCount null (the balanced network adds its own heads).", nameof(options));
        if (options.RelationCount != graph.RelationCount)
            throw new ArgumentException($"The options declare {options.RelationCount} relations but the graph has {graph.RelationCount}.", nameof(options));
        _graph = graph;
        gcn = new RelationalGcn(options, device, dtype);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override long EmbeddingDim => gcn.EmbeddingSize;

    /// <summary>The first graph convolution's relation weights (or bases) and root weight, the tensors that multiply
    /// the input features (<see cref="RelationalGraphConv.Weight"/>, <see cref="RelationalGraphConv.Root"/>).</summary>
    public override IReadOnlyList<TorchSharp.Modules.Parameter> InputWeights => [gcn.Layers[0].Weight, gcn.Layers[0].Root];

    /// <summary>The bound graph.</summary>
    public RelationalGraph Graph => _graph;

    /// <summary>Embeds all n samples: (n, d_in) to (n, EmbeddingDim).</summary>
    /// <param name="input">Features of the n graph nodes: (n, d_in) with one row per graph node and the encoder's input
    /// width, floating point, on the parameters' dtype and device (which is the graph's).</param>
    /// <returns>The node embeddings.</returns>
    /// <exception cref="ArgumentException">When <paramref name="input"/> is not such a matrix (the message says what differs).</exception>
    /// <exception cref="ObjectDisposedException">When <paramref name="input"/> was disposed
    /// (<see cref="ObjectDisposedException.ObjectName"/> is <c>input</c>) or the bound graph was.</exception>
    public override Tensor forward(Tensor input)
    {
        TensorArgument.ThrowIfNullOrDisposed(input);
        _graph.ThrowIfDisposed();
        if (input.dim() != 2 || input.shape[0] != _graph.NodeCount)
            throw new ArgumentException($"Expected features of shape ({_graph.NodeCount}, d), one row per graph node, got ({string.Join(", ", input.shape)}).", nameof(input));
        // The checks the first convolution makes, here so that they name this method's parameter (not the layer's x).
        if (input.shape[1] != gcn.InputSize)
            throw new ArgumentException($"Node features have {input.shape[1]} columns but the encoder expects {gcn.InputSize} (its input width).", nameof(input));
        if (!input.is_floating_point())
            throw new ArgumentException($"Node features must be floating point, got {input.dtype}.", nameof(input));
        var root = gcn.Layers[0].Root;
        if (input.dtype != root.dtype)
            throw new ArgumentException(
                $"Node features are {input.dtype} but the encoder's parameters are {root.dtype}; convert one of them (e.g. module.to(dtype)).", nameof(input));
        if (input.device_type != root.device_type || input.device_index != root.device_index)
            throw new ArgumentException($"Node features are on {input.device} but the encoder's parameters are on {root.device}.", nameof(input));
        var graphDevice = _graph.Device;
        // A negative index means "the default device of that type": compare as index 0.
        if (graphDevice.type != input.device_type || Math.Max(graphDevice.index, 0) != Math.Max(input.device_index, 0))
            throw new ArgumentException($"Node features are on {input.device} but the bound graph is on {graphDevice}.", nameof(input));
        return gcn.Embed(input, _graph);
    }
}
