using System.Globalization;
using BalancedMultimodal.Core.Data;

namespace BalancedMultimodal.Cli.Commands;

/// <summary><c>bmm info [--data DIR]</c>: describes a MOGONET-format dataset (modalities, shapes, class counts per split, value ranges).</summary>
public sealed class InfoCommand : ICliCommand
{
    /// <inheritdoc />
    public string Name => "info";

    /// <inheritdoc />
    public string Summary => "describe a dataset: modalities, shapes, class counts per split, value ranges";

    /// <inheritdoc />
    public string Usage =>
        "usage: bmm info [--data DIR]\n\n" +
        "  --data DIR   folder in the MOGONET format ({m}_tr.csv, {m}_te.csv, labels_tr.csv, labels_te.csv);\n" +
        "               default: the bundled ROSMAP data";

    /// <inheritdoc />
    public int Run(CliArguments args, TextWriter output)
    {
        var folder = args.GetString("data", CliApp.BundledDataFolder)!;
        args.EnsureAllConsumed();
        CliPaths.RequireInputFolder(folder, "data", "data");
        var dataset = MogonetFolderLoader.Load(folder);
        Describe(dataset, folder, output);
        return 0;
    }

    /// <summary>Writes the description of <paramref name="dataset"/>.</summary>
    internal static void Describe(MultimodalDataset dataset, string source, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"dataset: {source}");
        output.WriteLine(string.Create(inv, $"samples: {dataset.SampleCount}   classes: {dataset.ClassCount}   modalities: {dataset.ModalityCount}"));
        output.WriteLine();
        output.WriteLine($"{"modality",-10}{"samples",9}{"features",10}{"min",12}{"max",12}{"mean",12}{"missing",9}");
        foreach (var m in dataset.Modalities)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
            long count = 0;
            for (int i = 0; i < m.SampleCount; i++)
            {
                if (!m.IsAvailable(i)) continue;
                foreach (var v in m.GetRow(i))
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                    sum += v;
                    count++;
                }
            }
            output.WriteLine(string.Create(inv, $"{m.Name,-10}{m.SampleCount,9}{m.FeatureCount,10}{min,12:G5}{max,12:G5}{sum / count,12:G5}{m.SampleCount - m.AvailableCount,9}"));
        }
        output.WriteLine();
        output.WriteLine($"{"class",-10}{"train",9}{"validation",12}{"test",9}{"total",9}");
        var train = dataset.CountClasses(dataset.TrainIndices);
        var validation = dataset.CountClasses(dataset.ValidationIndices);
        var test = dataset.CountClasses(dataset.TestIndices);
        var total = dataset.CountClasses();
        for (int c = 0; c < dataset.ClassCount; c++)
        {
            var name = dataset.ClassNames?[c] ?? c.ToString(inv);
            output.WriteLine(string.Create(inv, $"{name,-10}{train[c],9}{validation[c],12}{test[c],9}{total[c],9}"));
        }
        output.WriteLine(string.Create(inv,
            $"{"all",-10}{dataset.TrainIndices.Length,9}{dataset.ValidationIndices.Length,12}{dataset.TestIndices.Length,9}{dataset.SampleCount,9}"));
    }
}
