namespace BalancedMultimodal.Graph.Layers;

/// <summary>The non-linearity <see cref="RelationalGcn"/> applies after every graph convolution of its encoder.</summary>
public enum RelationalGcnActivation
{
    /// <summary>LeakyReLU: max(0, v) + s min(0, v), s = <see cref="RelationalGcnOptions.NegativeSlope"/> (default 0.25).</summary>
    LeakyRelu,

    /// <summary>ReLU: max(0, v).</summary>
    Relu,

    /// <summary>ELU with alpha 1: v for v &gt; 0, exp(v) - 1 otherwise.</summary>
    Elu,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>No non-linearity (identity).</summary>
    Identity,
}
