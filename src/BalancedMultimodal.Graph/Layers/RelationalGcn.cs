using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Graph.Graphs;
using Microsoft.Extensions.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Layers;

/// <summary>
/// A relational graph convolutional network (R-GCN; Schlichtkrull et al. 2018, "Modeling Relational Data with Graph
/// Convolutional Networks", ESWC 2018): a stack of <see cref="RelationalGraphConv"/> layers (PyTorch Geometric's
/// <c>RGCNConv</c> semantics) mapping node features and a <see cref="RelationalGraph"/> to node embeddings, with an
/// optional classifier head.
/// <code>
/// h_0 = x
/// h_l = act(conv_l(D(h_{l-1}), graph))        l = 1..L,  D = dropout for l &gt; 1, identity for l = 1
/// Embed(x, graph)   = h_L                                          (n, HiddenSizes[^1])
/// forward(x, graph) = head(D(h_L))  (logits, n x ClassCount)       when ClassCount is set
///                   = h_L                                          otherwise
/// </code>
/// with act = <see cref="RelationalGcnOptions.Activation"/> (LeakyReLU, slope 0.25, by default) and the head either a
/// linear layer or one more relational convolution without activation (<see cref="RelationalGcnOptions.Head"/>).
/// </summary>
/// <remarks>
/// <para>
/// State_dict keys: <c>layers.{l}.weight</c>, <c>layers.{l}.comp</c>, <c>layers.{l}.root</c>, <c>layers.{l}.bias</c>
/// and, with a head, <c>head.weight</c>/<c>head.bias</c> (linear) or <c>head.weight</c>/<c>head.root</c>/... (graph
/// convolution). <c>to(device, dtype)</c> moves every parameter; the graph must be on the same device as the features.
/// </para>
/// <para>Dropout is active only in training mode (<c>train()</c>, the default of a new module); call <c>eval()</c>
/// for deterministic inference.</para>
/// <para>References: M. Schlichtkrull, T. N. Kipf, P. Bloem, R. van den Berg, I. Titov and M. Welling, "Modeling
/// Relational Data with Graph Convolutional Networks", ESWC 2018 (arXiv:1703.06103), whose entity-classification model
/// stacks relational convolutions with a non-linearity between them; each layer follows PyTorch Geometric's
/// <c>torch_geometric.nn.conv.RGCNConv</c> (mean aggregation, root weight, basis or block-diagonal decomposition; see
/// <see cref="RelationalGraphConv"/>).</para>
/// </remarks>
public sealed class RelationalGcn : nn.Module<Tensor, RelationalGraph, Tensor>
{
    // Field names are the state_dict prefixes.
    private readonly ModuleList<RelationalGraphConv> layers;
    private readonly nn.Module? head;

    private readonly RelationalGcnActivation _activation;
    private readonly double _negativeSlope;
    private readonly double _dropout;

    /// <summary>Builds the network described by <paramref name="options"/> (validated first).</summary>
    /// <param name="options">The architecture; validated with <see cref="RelationalGcnOptionsValidator"/>.</param>
    /// <param name="device">Device of the parameters (default: the default device).</param>
    /// <param name="dtype">Floating dtype of the parameters (default: the default dtype).</param>
    /// <exception cref="OptionsValidationException">When an option is invalid; the message names it.</exception>
    public RelationalGcn(RelationalGcnOptions options, Device? device = null, ScalarType? dtype = null)
        : base(nameof(RelationalGcn))
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new RelationalGcnOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
            throw new OptionsValidationException(Options.DefaultName, typeof(RelationalGcnOptions), validation.Failures);

        InputSize = options.InputSize;
        HiddenSizes = options.HiddenSizes.ToArray();
        RelationCount = options.RelationCount;
        ClassCount = options.ClassCount;
        _activation = options.Activation;
        _negativeSlope = options.NegativeSlope;
        _dropout = options.Dropout;

        var convolutions = new RelationalGraphConv[HiddenSizes.Count];
        int width = InputSize;
        for (int l = 0; l < convolutions.Length; l++)
        {
            convolutions[l] = new RelationalGraphConv(width, HiddenSizes[l], RelationCount, options.NumBases, options.NumBlocks,
                options.Bias, device, dtype);
            width = HiddenSizes[l];
        }
        layers = new ModuleList<RelationalGraphConv>(convolutions);
        if (options.ClassCount is { } classes)
        {
            head = options.Head == RelationalGcnHead.Linear
                ? nn.Linear(width, classes, hasBias: true, device: device, dtype: dtype)
                : new RelationalGraphConv(width, classes, RelationCount, options.NumBases, null, options.Bias, device, dtype);
        }
        RegisterComponents();
    }

    /// <summary>Builds the network from options bound through Microsoft.Extensions.Options (validated first).</summary>
    /// <param name="options">The options wrapper.</param>
    /// <param name="device">Device of the parameters.</param>
    /// <param name="dtype">Floating dtype of the parameters.</param>
    /// <exception cref="OptionsValidationException">When an option is invalid; the message names it.</exception>
    public RelationalGcn(IOptions<RelationalGcnOptions> options, Device? device = null, ScalarType? dtype = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, device, dtype)
    {
    }

    /// <summary>Number of input features per node.</summary>
    public int InputSize { get; }

    /// <summary>Output sizes of the encoder layers; the embedding size is the last one.</summary>
    public IReadOnlyList<int> HiddenSizes { get; }

    /// <summary>Embedding size (the last hidden size).</summary>
    public int EmbeddingSize => HiddenSizes[^1];

    /// <summary>Number of relations R the graphs must have.</summary>
    public int RelationCount { get; }

    /// <summary>Number of classes of the head, or <c>null</c> when there is no head.</summary>
    public int? ClassCount { get; }

    /// <summary>The encoder's graph convolutions, in order.</summary>
    public IReadOnlyList<RelationalGraphConv> Layers => layers.ToArray();

    /// <summary>
    /// Node embeddings h_L = act(conv_L(D(... act(conv_1(x)) ...))), shape (n, <see cref="EmbeddingSize"/>): the last
    /// hidden representation, after its activation and before the head's dropout.
    /// </summary>
    /// <param name="x">Node features (n, <see cref="InputSize"/>) on the parameters' device and dtype.</param>
    /// <param name="graph">A graph with n nodes and <see cref="RelationCount"/> relations on the same device.</param>
    /// <returns>The embeddings (n, <see cref="EmbeddingSize"/>).</returns>
    /// <exception cref="ArgumentException">Shapes, relation count, device or dtype do not match.</exception>
    /// <exception cref="ObjectDisposedException">When <paramref name="x"/> was disposed
    /// (<see cref="ObjectDisposedException.ObjectName"/> is <c>x</c>) or <paramref name="graph"/> was.</exception>
    public Tensor Embed(Tensor x, RelationalGraph graph)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        ArgumentNullException.ThrowIfNull(graph);
        CheckGraph(graph);
        using var scope = NewDisposeScope();
        var h = x;
        for (int l = 0; l < layers.Count; l++)
        {
            if (l > 0) h = InvertedDropout.Apply(h, _dropout, training);
            h = Activate(layers[l].forward(h, graph));
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Logits of the head applied to given embeddings: head(D(embedding)) (with the graph for a graph-convolution head).
    /// Use it with <see cref="Embed"/> to obtain both embeddings and logits from one pass.
    /// </summary>
    /// <param name="embedding">Embeddings (n, <see cref="EmbeddingSize"/>), e.g. from <see cref="Embed"/>.</param>
    /// <param name="graph">The graph the embeddings were computed on.</param>
    /// <returns>Logits (n, <see cref="ClassCount"/>).</returns>
    /// <exception cref="InvalidOperationException">When the network has no head.</exception>
    /// <exception cref="ArgumentException">When the embedding is not (n, <see cref="EmbeddingSize"/>), or not on the head's
    /// dtype and device; or when <paramref name="graph"/> has another relation count than <see cref="RelationCount"/>
    /// (for either head: embeddings computed on such a graph are not this network's).</exception>
    /// <exception cref="ObjectDisposedException">When <paramref name="embedding"/> was disposed
    /// (<see cref="ObjectDisposedException.ObjectName"/> is <c>embedding</c>) or <paramref name="graph"/> was (for
    /// either head).</exception>
    public Tensor Classify(Tensor embedding, RelationalGraph graph)
    {
        TensorArgument.ThrowIfNullOrDisposed(embedding);
        ArgumentNullException.ThrowIfNull(graph);
        if (head is null)
            throw new InvalidOperationException("This RelationalGcn has no classifier head (set RelationalGcnOptions.ClassCount).");
        CheckGraph(graph);
        if (embedding.dim() != 2 || embedding.shape[1] != EmbeddingSize || embedding.shape[0] != graph.NodeCount)
            throw new ArgumentException(
                $"Embeddings must have shape ({graph.NodeCount}, {EmbeddingSize}), got ({string.Join(", ", embedding.shape)}).",
                nameof(embedding));
        // Checked here for both heads (the graph-convolution head checks its input too, a linear head does not).
        var headWeight = head.parameters().First();
        if (embedding.dtype != headWeight.dtype)
            throw new ArgumentException(
                $"Embeddings are {embedding.dtype} but the classifier head's parameters are {headWeight.dtype}; convert one of them (e.g. module.to(dtype)).", nameof(embedding));
        if (embedding.device_type != headWeight.device_type || embedding.device_index != headWeight.device_index)
            throw new ArgumentException($"Embeddings are on {embedding.device} but the classifier head's parameters are on {headWeight.device}.", nameof(embedding));
        using var scope = NewDisposeScope();
        var dropped = InvertedDropout.Apply(embedding, _dropout, training);
        var logits = head switch
        {
            RelationalGraphConv conv => conv.forward(dropped, graph),
            Linear linear => linear.forward(dropped),
            _ => throw new InvalidOperationException("Unknown head module."),
        };
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Logits (n, <see cref="ClassCount"/>) = head(D(Embed(x, graph))) when the network has a head; otherwise the
    /// embeddings Embed(x, graph) (n, <see cref="EmbeddingSize"/>).
    /// </summary>
    /// <param name="x">Node features (n, <see cref="InputSize"/>).</param>
    /// <param name="graph">A graph with n nodes and <see cref="RelationCount"/> relations.</param>
    /// <returns>Logits, or embeddings when there is no head.</returns>
    /// <exception cref="ArgumentException">Shapes, relation count, device or dtype do not match.</exception>
    /// <exception cref="ObjectDisposedException">When <paramref name="x"/> was disposed
    /// (<see cref="ObjectDisposedException.ObjectName"/> is <c>x</c>) or <paramref name="graph"/> was.</exception>
    public override Tensor forward(Tensor x, RelationalGraph graph)
    {
        if (head is null) return Embed(x, graph);
        using var scope = NewDisposeScope();
        return Classify(Embed(x, graph), graph).MoveToOuterDisposeScope();
    }

    /// <summary>Refuses a disposed graph, or one with another relation count than the network was built for, before
    /// any work (a linear head would otherwise classify without ever reading the graph).</summary>
    private void CheckGraph(RelationalGraph graph)
    {
        graph.ThrowIfDisposedArgument(nameof(graph));
        if (graph.RelationCount != RelationCount)
            throw new ArgumentException(
                $"The graph has {graph.RelationCount} relations ({string.Join(", ", graph.RelationNames)}) but the network was built for RelationCount = {RelationCount}.",
                nameof(graph));
    }

    /// <summary>ELU with alpha 1 (PyTorch's default) as <c>nn.functional.elu(h, 1.0)</c> computes it, its three
    /// numbers (alpha, scale, input scale) as Scalars freed after the call (TorchSharp would leave its own to the
    /// finalizer; docs/native-runtime.md).</summary>
    private static Tensor Elu(Tensor h)
    {
        using var one = 1.0.ToScalar();
        return h.elu(one, one, one);
    }

    private Tensor Activate(Tensor h) => _activation switch
    {
        RelationalGcnActivation.LeakyRelu => h.LeakyRelu(_negativeSlope),
        RelationalGcnActivation.Relu => nn.functional.relu(h),
        RelationalGcnActivation.Elu => Elu(h),
        RelationalGcnActivation.Tanh => h.tanh(),
        _ => h,
    };
}
