namespace BalancedMultimodal.Graph.Layers;

/// <summary>
/// Architecture of a <see cref="RelationalGcn"/>: relational graph convolutions of sizes
/// <c>InputSize -&gt; HiddenSizes[0] -&gt; ... -&gt; HiddenSizes[^1]</c>, each followed by <see cref="Activation"/>,
/// with dropout on every hidden representation before it is consumed, and an optional classifier head.
/// Validated by <see cref="RelationalGcnOptionsValidator"/>.
/// </summary>
public sealed class RelationalGcnOptions
{
    /// <summary>Number of input features per node (required, at least 1; default 0 = unset).</summary>
    public int InputSize { get; set; }

    /// <summary>Output sizes of the encoder's graph convolutions, at least one, each at least 1. Default [64, 64].</summary>
    /// <remarks>Binding from configuration (<c>services.AddOptions&lt;RelationalGcnOptions&gt;().Bind(section)</c>) appends
    /// the configured sizes to this default ([16] gives [64, 64, 16]: .NET's configuration binder extends existing
    /// collections). Set the sizes in code, or replace them after binding:
    /// <c>.PostConfigure(o =&gt; o.HiddenSizes = section.GetSection("HiddenSizes").Get&lt;int[]&gt;() ?? [64, 64])</c>.
    /// <see cref="RelationalGcnServiceCollectionExtensions.AddRelationalGcn(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>
    /// does that replacement itself: there a configured list is the sizes, and the default stays only without the key.</remarks>
    public int[] HiddenSizes { get; set; } = [64, 64];

    /// <summary>Number of relations R of the graphs the model will see (at least 1). Default 1.</summary>
    public int RelationCount { get; set; } = 1;

    /// <summary>Basis decomposition of every convolution with this many bases (1 to <see cref="RelationCount"/>);
    /// <c>null</c> (default) for none.</summary>
    public int? NumBases { get; set; }

    /// <summary>Block-diagonal decomposition of the encoder's convolutions with this many blocks; must divide
    /// <see cref="InputSize"/> and every hidden size. <c>null</c> (default) for none. Exclusive with <see cref="NumBases"/>.</summary>
    public int? NumBlocks { get; set; }

    /// <summary>Whether the convolutions learn a bias. Default true.</summary>
    public bool Bias { get; set; } = true;

    /// <summary>Non-linearity after every encoder convolution. Default <see cref="RelationalGcnActivation.LeakyRelu"/>.</summary>
    public RelationalGcnActivation Activation { get; set; } = RelationalGcnActivation.LeakyRelu;

    /// <summary>Negative slope of the LeakyReLU activation (finite, at least 0). Default 0.25.</summary>
    public double NegativeSlope { get; set; } = 0.25;

    /// <summary>Dropout probability in [0, 1) on every hidden representation before the next convolution or the head
    /// (the raw input is not dropped); active only in training mode. Default 0.5 (MOGONET's value).</summary>
    public double Dropout { get; set; } = 0.5;

    /// <summary>Number of classes of the classifier head (at least 2), or <c>null</c> (default) for an encoder
    /// without head, whose forward returns the embedding.</summary>
    public int? ClassCount { get; set; }

    /// <summary>Kind of classifier head when <see cref="ClassCount"/> is set. Default <see cref="RelationalGcnHead.Linear"/>.</summary>
    public RelationalGcnHead Head { get; set; } = RelationalGcnHead.Linear;

    /// <summary>A copy with the data-dependent sizes replaced (the hidden sizes copied, not shared; a null list is kept
    /// for the validator, whose message names <see cref="HiddenSizes"/>).</summary>
    internal RelationalGcnOptions CopyWith(int inputSize, int relationCount, int? classCount) => new()
    {
        InputSize = inputSize,
        HiddenSizes = HiddenSizes is null ? null! : [.. HiddenSizes],
        RelationCount = relationCount,
        NumBases = NumBases,
        NumBlocks = NumBlocks,
        Bias = Bias,
        Activation = Activation,
        NegativeSlope = NegativeSlope,
        Dropout = Dropout,
        ClassCount = classCount,
        Head = Head,
    };

    /// <summary>The smallest input width that satisfies <see cref="NumBlocks"/>' divisibility rule (NumBlocks, or 1), to
    /// validate options whose width is not known yet.</summary>
    internal int PlaceholderInputSize => NumBlocks is { } blocks && blocks >= 1 ? blocks : 1;
}
