using System.Globalization;

namespace BalancedMultimodal.Core.Tests.Information;

/// <summary>Reads the scikit-learn fixtures copied into Fixtures/mi.</summary>
internal static class MiFixtures
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mi", file);

    /// <summary>The two columns of a headerless two-column CSV.</summary>
    public static (double[,] First, double[,] Second) Columns(string file)
    {
        var rows = File.ReadAllLines(PathOf(file)).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var first = new double[rows.Length, 1];
        var second = new double[rows.Length, 1];
        for (int i = 0; i < rows.Length; i++) { first[i, 0] = rows[i][0]; second[i, 0] = rows[i][1]; }
        return (first, second);
    }

    /// <summary>scikit-learn's value for a file and k, from expected.csv.</summary>
    public static double Expected(string file, int k) =>
        File.ReadAllLines(PathOf("expected.csv")).Skip(1).Select(l => l.Split(','))
            .Where(p => p[0] == file && p[2] == k.ToString(CultureInfo.InvariantCulture))
            .Select(p => double.Parse(p[3], CultureInfo.InvariantCulture)).Single();
}
