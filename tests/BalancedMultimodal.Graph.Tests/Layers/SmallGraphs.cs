using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>The small graphs and parameter settings whose RGCN outputs are worked out by hand in the tests.</summary>
internal static class SmallGraphs
{
    /// <summary>Node features of the five-node example (node 4 has no edges at all).</summary>
    public static Tensor Features() => tensor(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 2, -1 }, { 3, 3 } });

    /// <summary>
    /// Relation "a": 0->2, 1->2, 3->2, 2->0, 1->0; relation "b": 0->1, 2->1, 3->3; node 4 isolated.
    /// With <paramref name="weighted"/>: a-weights 1, 2, 1, 3, 1 and b-weights 1, 3, 0.5.
    /// With <paramref name="emptySecondRelation"/>: relation "b" has no edges.
    /// </summary>
    public static RelationalGraph FiveNodes(bool weighted = false, bool emptySecondRelation = false)
    {
        var a = new GraphRelation("a",
            tensor(new long[,] { { 0, 1, 3, 2, 1 }, { 2, 2, 2, 0, 0 } }),
            weighted ? tensor(new double[] { 1, 2, 1, 3, 1 }) : null);
        var b = emptySecondRelation
            ? new GraphRelation("b", zeros(2, 0, dtype: ScalarType.Int64), null)
            : new GraphRelation("b",
                tensor(new long[,] { { 0, 2, 3 }, { 1, 1, 3 } }),
                weighted ? tensor(new double[] { 1, 3, 0.5 }) : null);
        return new RelationalGraph(5, [a, b]);
    }

    /// <summary>Sets root = I, bias = (0.5, -0.5) and the given weight (and comp) on a float64 2 -> 2 layer.</summary>
    public static void SetParameters(RelationalGraphConv conv, double[,,] weight, double[,]? comp = null)
    {
        using var noGrad = no_grad();
        conv.Root.copy_(tensor(new double[,] { { 1, 0 }, { 0, 1 } }));
        conv.Bias!.copy_(tensor(new double[] { 0.5, -0.5 }));
        conv.Weight.copy_(tensor(weight).view(conv.Weight.shape));
        if (comp is not null) conv.Comp!.copy_(tensor(comp));
    }

    /// <summary>A random graph: for each relation and node, <paramref name="perNode"/> random sources, weights optional.</summary>
    public static RelationalGraph Random(long n, int relations, int perNode, bool weighted, int seed)
    {
        var random = new Random(seed);
        var list = new List<GraphRelation>();
        for (int r = 0; r < relations; r++)
        {
            long edges = n * perNode;
            var index = new long[2, edges];
            var weights = new double[edges];
            for (long e = 0; e < edges; e++)
            {
                index[0, e] = random.NextInt64(n);
                index[1, e] = e / perNode;
                weights[e] = random.NextDouble() + 0.05;
            }
            list.Add(new GraphRelation($"r{r}", tensor(index), weighted ? tensor(weights) : null));
        }
        return new RelationalGraph(n, list);
    }

    /// <summary>
    /// The layer's formula evaluated with plain loops in double precision from the layer's parameters:
    /// x_i Theta_root + sum_r sum_{j->i} a_ji x_j Theta_r / sum_{j->i} a_ji + b.
    /// </summary>
    public static double[,] Reference(RelationalGraphConv conv, double[,] x, RelationalGraph graph)
    {
        int n = x.GetLength(0), d = conv.InChannels, o = conv.OutChannels, relations = conv.NumRelations;
        var theta = RelationWeightsByLoops(conv);
        var root = ToArray2(conv.Root);
        var bias = conv.Bias is null ? new double[o] : conv.Bias.to(ScalarType.Float64).data<double>().ToArray();
        var result = new double[n, o];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < o; c++)
            {
                double v = bias[c];
                for (int k = 0; k < d; k++) v += x[i, k] * root[k, c];
                result[i, c] = v;
            }
        for (int r = 0; r < relations; r++)
        {
            var relation = graph.Relations[r];
            var index = relation.EdgeIndex.data<long>().ToArray();
            long edges = relation.EdgeCount;
            var weights = relation.EdgeWeight?.to(ScalarType.Float64).data<double>().ToArray();
            var sum = new double[n, o];
            var total = new double[n];
            for (long e = 0; e < edges; e++)
            {
                long j = index[e], i = index[edges + e];
                double a = weights?[e] ?? 1.0;
                total[i] += a;
                for (int c = 0; c < o; c++)
                {
                    double m = 0;
                    for (int k = 0; k < d; k++) m += x[j, k] * theta[r][k, c];
                    sum[i, c] += a * m;
                }
            }
            for (int i = 0; i < n; i++)
                if (total[i] > 0)
                    for (int c = 0; c < o; c++) result[i, c] += sum[i, c] / total[i];
        }
        return result;
    }

    /// <summary>Theta_r assembled element by element from weight/comp (independent of the layer's own assembly).</summary>
    public static double[][,] RelationWeightsByLoops(RelationalGraphConv conv)
    {
        int d = conv.InChannels, o = conv.OutChannels, relations = conv.NumRelations;
        var w = conv.Weight.to(ScalarType.Float64).contiguous().data<double>().ToArray();
        var theta = new double[relations][,];
        for (int r = 0; r < relations; r++)
        {
            theta[r] = new double[d, o];
            if (conv.NumBases is { } bases)
            {
                var comp = ToArray2(conv.Comp!);
                for (int b = 0; b < bases; b++)
                    for (int k = 0; k < d; k++)
                        for (int c = 0; c < o; c++)
                            theta[r][k, c] += comp[r, b] * w[(b * d + k) * o + c];
            }
            else if (conv.NumBlocks is { } nb)
            {
                int bi = d / nb, bo = o / nb;
                for (int blk = 0; blk < nb; blk++)
                    for (int k = 0; k < bi; k++)
                        for (int c = 0; c < bo; c++)
                            theta[r][blk * bi + k, blk * bo + c] = w[((r * nb + blk) * bi + k) * bo + c];
            }
            else
            {
                for (int k = 0; k < d; k++)
                    for (int c = 0; c < o; c++)
                        theta[r][k, c] = w[(r * d + k) * o + c];
            }
        }
        return theta;
    }

    public static double[,] ToArray2(Tensor t)
    {
        var values = t.to(ScalarType.Float64).contiguous().data<double>().ToArray();
        int rows = (int)t.shape[0], cols = (int)t.shape[1];
        var result = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int c = 0; c < cols; c++) result[i, c] = values[i * cols + c];
        return result;
    }
}
