using System.Globalization;
using ScottPlot;

namespace BalancedMultimodal.Cli.Plotting;

/// <summary>Shared look of the <c>bmm train --plots</c> figures: colours, line widths, names and file writing.</summary>
public static class PlotStyle
{
    /// <summary>Line width of fold 0 (the fold whose history is drawn in full colour).</summary>
    public const float MainLineWidth = 2.5f;

    /// <summary>Line width of the other folds, drawn faint behind fold 0.</summary>
    public const float FaintLineWidth = 1.2f;

    /// <summary>Opacity of the other folds' lines.</summary>
    public const double FaintOpacity = 0.3;

    /// <summary>Colour of the fused head and joint-phase totals.</summary>
    public static Color FusedColor => Colors.Black;

    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>Colour of modality <paramref name="index"/> (Category10 palette, cycling).</summary>
    public static Color ModalityColor(int index) => Palette.GetColor(index);

    /// <summary>How a modality is named on a plot: "modality 1" for the numeric names of MOGONET folders, else the name.</summary>
    public static string ModalityLabel(string name) =>
        int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? $"modality {name}" : name;

    /// <summary>How a class is named on a plot: the dataset's class name, else "class c".</summary>
    public static string ClassLabel(int c, IReadOnlyList<string>? classNames) =>
        classNames is not null && c < classNames.Count ? classNames[c] : $"class {c.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The title suffix that explains fold line styles: "" for one fold, " (fold 1 bold, fold 2 faint)",
    /// " (fold 1 bold, folds 2-5 faint)".</summary>
    public static string FoldNote(int foldCount) => foldCount switch
    {
        <= 1 => "",
        2 => " (fold 1 bold, fold 2 faint)",
        _ => $" (fold 1 bold, folds 2-{foldCount.ToString(CultureInfo.InvariantCulture)} faint)",
    };

    /// <summary>Creates an empty plot that uses the embedded font (registering it first).</summary>
    public static Plot NewPlot()
    {
        PlotFonts.Register();
        var plot = new Plot();
        plot.Font.Set(PlotFonts.FamilyName);
        return plot;
    }

    /// <summary>Adds a line through (<paramref name="xs"/>, <paramref name="ys"/>) without markers.</summary>
    public static ScottPlot.Plottables.Scatter AddLine(Plot plot, double[] xs, double[] ys, Color color, bool main, string? legend = null)
    {
        var line = plot.Add.ScatterLine(xs, ys);
        line.Color = main ? color : color.WithOpacity(FaintOpacity);
        line.LineWidth = main ? MainLineWidth : FaintLineWidth;
        line.MarkerSize = 0;
        if (legend is not null) line.LegendText = legend;
        return line;
    }

    /// <summary>Checks the output path and creates its folder.</summary>
    /// <exception cref="ArgumentException">When the path is empty or does not end in <c>.png</c>.</exception>
    public static void PrepareOutput(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Plot path '{path}' must end in .png.", nameof(path));
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }
}
