using System.Globalization;

namespace BalancedMultimodal.Cli.Tests.Commands;

/// <summary>
/// Writes a small MOGONET-format folder: 60 samples (42 training, 18 test), 2 classes alternating, 3 modalities
/// (10, 8, 6 features) whose first three features are shifted by +-1.5, +-0.6 and +-0.3 between the classes
/// (one strong and two weak modalities), plus unit Gaussian noise; seeded, so every test gets the same data.
/// </summary>
internal sealed class SyntheticMogonetFolder : IDisposable
{
    public const int TrainCount = 42;
    public const int TestCount = 18;

    public SyntheticMogonetFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bmm-train-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        var random = new Random(11);
        int n = TrainCount + TestCount;
        var labels = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        (int Features, double Shift)[] modalities = [(10, 1.5), (8, 0.6), (6, 0.3)];
        for (int m = 0; m < modalities.Length; m++)
        {
            var rows = new string[n];
            for (int i = 0; i < n; i++)
            {
                var values = new double[modalities[m].Features];
                for (int j = 0; j < values.Length; j++)
                    values[j] = Gaussian(random) + (j < 3 ? (labels[i] == 1 ? 1 : -1) * modalities[m].Shift : 0);
                rows[i] = string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            }
            File.WriteAllLines(System.IO.Path.Combine(Path, $"{m + 1}_tr.csv"), rows[..TrainCount]);
            File.WriteAllLines(System.IO.Path.Combine(Path, $"{m + 1}_te.csv"), rows[TrainCount..]);
        }
        File.WriteAllLines(System.IO.Path.Combine(Path, "labels_tr.csv"), labels[..TrainCount].Select(l => l.ToString("E18", CultureInfo.InvariantCulture)));
        File.WriteAllLines(System.IO.Path.Combine(Path, "labels_te.csv"), labels[TrainCount..].Select(l => l.ToString("E18", CultureInfo.InvariantCulture)));
    }

    public string Path { get; }

    /// <summary>Writes a JSON file into the folder and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
