namespace BalancedMultimodal.Core.Information;

/// <summary>Conversions between the units of mutual information.</summary>
/// <remarks>Every estimator in this namespace returns nats (natural logarithm). 1 bit = ln 2 nats.</remarks>
public static class MutualInformationUnits
{
    /// <summary>Converts nats to bits: <c>bits = nats / ln 2</c>.</summary>
    /// <param name="nats">A mutual information (or entropy) in nats.</param>
    /// <returns>The same quantity in bits.</returns>
    public static double NatsToBits(double nats) => nats / Math.Log(2.0);

    /// <summary>Converts bits to nats: <c>nats = bits * ln 2</c>.</summary>
    /// <param name="bits">A mutual information (or entropy) in bits.</param>
    /// <returns>The same quantity in nats.</returns>
    public static double BitsToNats(double bits) => bits * Math.Log(2.0);
}
