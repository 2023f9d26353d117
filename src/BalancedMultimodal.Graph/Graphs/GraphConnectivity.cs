using BalancedMultimodal.Core;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Graphs;

/// <summary>
/// Checks whether a patient graph is connected: components (union-find over all relations, directions ignored),
/// isolated nodes, and the algebraic connectivity lambda_2 of the Laplacian <c>L = D - W</c>, where
/// <c>W = sum_r (A_r + A_r^T) / 2</c> (edge weights, 1 when absent; self loops ignored) and <c>D = diag(W 1)</c>.
/// Edges of weight 0 join nothing: they are ignored for the components and the isolated nodes (and add nothing to W).
/// </summary>
/// <remarks>
/// <para>The algebraic connectivity is Fiedler's (M. Fiedler, "Algebraic connectivity of graphs", Czechoslovak
/// Mathematical Journal 23(2), 298-305, 1973): the second-smallest Laplacian eigenvalue, positive exactly when the graph
/// (restricted to edges of positive weight) is connected.</para>
/// <para>
/// lambda_2 comes from the eigenvalues of the dense Laplacian in float64 (<c>torch.linalg.eigvalsh</c>, LAPACK's symmetric
/// eigenvalue solver; eigenvalues only), O(n^3) time and n^2 doubles of memory: about 0.1 s at n = 500 and 1-2 s at
/// n = 2000 on one core (MathNet's managed <c>Evd</c>, used before, also forms the eigenvectors and took about 20 s at
/// n = 2000), so it is skipped (null) above <see cref="DefaultEigenNodeLimit"/> nodes unless a larger limit is passed.
/// Components and isolated nodes are always computed, in O(n + E).
/// </para>
/// </remarks>
public static class GraphConnectivity
{
    /// <summary>Largest n for which lambda_2 is computed by default (2000).</summary>
    public const int DefaultEigenNodeLimit = 2000;

    /// <summary>Largest accepted eigenvalue node limit (46340: the dense n x n Laplacian, n^2 doubles, must fit one .NET
    /// array; at that size it takes 17 GB and the eigen-decomposition hours, see <see cref="DefaultEigenNodeLimit"/>).</summary>
    public const int MaximumEigenNodeLimit = 46340;

    /// <summary>Analyses the graph and logs a warning through <paramref name="logger"/> when it is disconnected.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="logger">Optional logger; receives one warning if the graph has more than one component.</param>
    /// <param name="eigenNodeLimit">Largest n for which the algebraic connectivity is computed, in [2, <see cref="MaximumEigenNodeLimit"/>].</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="graph"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eigenNodeLimit"/> lies outside [2,
    /// <see cref="MaximumEigenNodeLimit"/>].</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="graph"/> has been disposed.</exception>
    public static ConnectivityReport Analyze(RelationalGraph graph, ILogger? logger = null, int eigenNodeLimit = DefaultEigenNodeLimit)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (eigenNodeLimit < 2 || eigenNodeLimit > MaximumEigenNodeLimit)
            throw new ArgumentOutOfRangeException(nameof(eigenNodeLimit), eigenNodeLimit,
                $"The eigenvalue node limit must lie in [2, {MaximumEigenNodeLimit}] (the dense n x n Laplacian must fit one .NET array).");
        long n = graph.NodeCount;
        var parent = new long[n];
        for (long i = 0; i < n; i++) parent[i] = i;
        var hasNeighbour = new bool[n];
        bool computeEigen = n >= 2 && n <= eigenNodeLimit;
        var weights = computeEigen ? new double[n * n] : null;                     // W, row-major

        foreach (var relation in graph.Relations)
        {
            if (relation.EdgeCount == 0) continue;   // a valid, empty relation (TorchSharp cannot copy out an empty tensor)
            long[] index;
            double[]? w = null;
            // .cpu(), .to_type() and .contiguous() each return a new tensor (or a new handle to the same storage).
            using (NewDisposeScope())
            {
                index = relation.EdgeIndex.cpu().contiguous().data<long>().ToArray();
                if (relation.EdgeWeight is { } edgeWeight)
                    w = edgeWeight.to_type(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
            }
            long e = relation.EdgeCount;
            for (long k = 0; k < e; k++)
            {
                long s = index[k], t = index[e + k];
                if (s == t) continue;
                double value = w?[k] ?? 1.0;
                if (value > 0)
                {
                    hasNeighbour[s] = hasNeighbour[t] = true;
                    Union(parent, s, t);
                }
                if (weights is not null)
                {
                    weights[s * n + t] += value / 2;
                    weights[t * n + s] += value / 2;
                }
            }
        }

        var sizes = new Dictionary<long, long>();
        for (long i = 0; i < n; i++)
        {
            long root = Find(parent, i);
            sizes[root] = sizes.GetValueOrDefault(root) + 1;
        }
        var componentSizes = sizes.Values.OrderByDescending(s => s).ToArray();
        var isolated = Enumerable.Range(0, (int)n).Where(i => !hasNeighbour[i]).Select(i => (long)i).ToArray();

        double? lambda2 = null;
        if (weights is not null)
        {
            // Weights whose degrees could leave float64's normal range (above 2^1000 / n, or below 2^-1000) are scaled by
            // an exact power of two (the largest to [0.5, 1)) first, and lambda2 back: the eigenvalues scale with W, and
            // degrees of weights near float64's limit no longer overflow into NaN. Other graphs are solved as given.
            double largest = 0;
            foreach (var w in weights) largest = Math.Max(largest, Math.Abs(w));
            bool extreme = largest > Math.ScaleB(1.0, 1000) / n || (largest > 0 && largest < Math.ScaleB(1.0, -1000));
            double power = extreme && double.IsFinite(largest) ? PowerOfTwoScaling.Scale(largest) : 1.0;
            if (power != 1.0) for (long i = 0; i < weights.LongLength; i++) weights[i] *= power;
            for (long i = 0; i < n; i++)                                             // L = D - W in place
            {
                double degree = 0;
                for (long j = 0; j < n; j++) degree += weights[i * n + j];
                for (long j = 0; j < n; j++) weights[i * n + j] = -weights[i * n + j];
                weights[i * n + i] += degree;
            }
            using var scope = NewDisposeScope();
            var eigenvalues = linalg.eigvalsh(tensor(weights, [n, n], ScalarType.Float64));   // ascending
            lambda2 = eigenvalues[1].item<double>() / power;
        }

        var report = new ConnectivityReport(n, componentSizes, isolated, lambda2);
        if (!report.IsConnected && logger is not null)
            logger.LogWarning(
                "Patient graph is disconnected: {ComponentCount} components (largest {LargestComponent} of {NodeCount} nodes), {IsolatedCount} isolated nodes.",
                report.ComponentCount, componentSizes[0], n, isolated.Length);
        return report;
    }

    private static long Find(long[] parent, long i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void Union(long[] parent, long a, long b)
    {
        long ra = Find(parent, a), rb = Find(parent, b);
        if (ra != rb) parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
    }
}
