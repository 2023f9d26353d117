namespace BalancedMultimodal.Graph.Layers;

/// <summary>The kind of classifier head <see cref="RelationalGcn"/> puts on its embedding when
/// <see cref="RelationalGcnOptions.ClassCount"/> is set.</summary>
public enum RelationalGcnHead
{
    /// <summary>A linear layer per node: logits_i = z_i W + b (no message passing in the head).</summary>
    Linear,

    /// <summary>One more <see cref="RelationalGraphConv"/> (last hidden size -&gt; classes, with the same basis
    /// decomposition but never blocks, since class counts rarely divide) without activation: the classic two-layer
    /// RGCN node classifier of Schlichtkrull et al. when there is one hidden size.</summary>
    GraphConvolution,
}
