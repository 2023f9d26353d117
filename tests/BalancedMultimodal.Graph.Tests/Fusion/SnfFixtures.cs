using System.Globalization;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>Reads the snfpy reference fixtures copied into Fixtures/snf.</summary>
internal static class SnfFixtures
{
    public static string PathOf(params string[] parts) =>
        Path.Combine(new[] { AppContext.BaseDirectory, "Fixtures", "snf" }.Concat(parts).ToArray());

    public static double[,] Read(params string[] parts)
    {
        var lines = File.ReadAllLines(PathOf(parts)).Where(l => l.Length > 0).ToArray();
        var first = lines[0].Split(',');
        var result = new double[lines.Length, first.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            for (int j = 0; j < cells.Length; j++)
                result[i, j] = double.Parse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return result;
    }

    public static Tensor Tensor(params string[] parts) => tensor(Read(parts), dtype: ScalarType.Float64);

    /// <summary>ROSMAP view v (1..3): the 245 training rows followed by the 106 test rows.</summary>
    public static Tensor Rosmap(int view)
    {
        using var train = Tensor("rosmap", $"{view}_tr.csv");
        using var test = Tensor("rosmap", $"{view}_te.csv");
        return cat(new[] { train, test }, 0);
    }

    /// <summary>A random symmetric n x n float64 affinity (uniform entries, seeded) plus <paramref name="offset"/>,
    /// for the argument tests: (R + R^T) / 2 + offset.</summary>
    public static Tensor RandomAffinity(int n, int seed, double offset = 0)
    {
        using var g = new TorchSharp.torch.Generator((ulong)seed);
        using var x = rand(n, n, dtype: ScalarType.Float64, generator: g);
        return ((x + x.t()) / 2).add_(offset);
    }

    public static double MaxAbsDifference(Tensor a, Tensor b)
    {
        using var d = (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }
}
