namespace BalancedMultimodal.Core.Encoding;

/// <summary>Options of <see cref="MlpEncoder"/> and <see cref="MlpEncoderFactory"/>.</summary>
public sealed class MlpEncoderOptions
{
    /// <summary>Widths of the hidden layers; the last one is the embedding width. Default [64, 64].</summary>
    /// <remarks>Binding from configuration appends the configured widths to this default ([32] gives [64, 64, 32]: .NET's
    /// configuration binder extends existing collections). Set the widths in code, or replace them after binding:
    /// <c>.PostConfigure(o =&gt; o.HiddenSizes = section.GetSection("HiddenSizes").Get&lt;int[]&gt;() ?? [64, 64])</c>.</remarks>
    public IList<int> HiddenSizes { get; set; } = new List<int> { 64, 64 };

    /// <summary>Dropout probability applied before every layer while training. Default 0.5 (MOGONET's value).</summary>
    public double Dropout { get; set; } = 0.5;

    /// <summary>Negative slope of the LeakyReLU after every layer, &gt;= 0. Default 0.25 (MOGONET's value); 1 makes the
    /// activation the identity and the encoder linear.</summary>
    public double NegativeSlope { get; set; } = 0.25;
}
