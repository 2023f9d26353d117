namespace BalancedMultimodal.Graph.Graphs;

/// <summary>
/// Connectivity of a graph (all relations together, directions ignored): connected components, isolated nodes, and
/// the algebraic connectivity (the second-smallest eigenvalue of the weighted Laplacian L = D - W).
/// </summary>
/// <param name="NodeCount">Number of nodes n.</param>
/// <param name="ComponentSizes">Sizes of the connected components, largest first.</param>
/// <param name="IsolatedNodes">Nodes with no edge to another node, ascending.</param>
/// <param name="AlgebraicConnectivity">lambda_2 of L (0 exactly when disconnected, up to rounding); null when n &lt; 2 or n
/// is above the node limit of <see cref="GraphConnectivity"/>.</param>
public sealed record ConnectivityReport(
    long NodeCount,
    IReadOnlyList<long> ComponentSizes,
    IReadOnlyList<long> IsolatedNodes,
    double? AlgebraicConnectivity)
{
    /// <summary>Sizes of the connected components, largest first.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public IReadOnlyList<long> ComponentSizes { get; init; } = ComponentSizes ?? throw new ArgumentNullException(nameof(ComponentSizes));

    /// <summary>Nodes with no edge to another node, ascending.</summary>
    /// <exception cref="ArgumentNullException">Constructed with a null value.</exception>
    public IReadOnlyList<long> IsolatedNodes { get; init; } = IsolatedNodes ?? throw new ArgumentNullException(nameof(IsolatedNodes));

    /// <summary>Number of connected components.</summary>
    public int ComponentCount => ComponentSizes.Count;

    /// <summary>True when the graph has exactly one component.</summary>
    public bool IsConnected => ComponentSizes.Count == 1;

    /// <summary>A one-line summary.</summary>
    /// <returns>e.g. <c>351 nodes, 1 component(s), 0 isolated, algebraic connectivity 0.0123</c>.</returns>
    public override string ToString() =>
        $"{NodeCount} nodes, {ComponentCount} component(s), {IsolatedNodes.Count} isolated, algebraic connectivity " +
        (AlgebraicConnectivity is { } l ? l.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "not computed");
}
