using System.Globalization;
using BalancedMultimodal.Core.Metrics;
using ScottPlot;

namespace BalancedMultimodal.Cli.Plotting;

/// <summary>
/// <c>confusion_matrix.png</c>: the C x C confusion matrix of the test predictions (rows = true class, columns =
/// predicted class, as scikit-learn's <c>confusion_matrix</c>). Each cell shows its count and its share of the row;
/// the cell colour is that share, n_ij / sum_j n_ij (so the diagonal shows each class's recall), on a fixed 0..1 scale.
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <summary>Width of the PNG in pixels.</summary>
    public const int Width = 760;

    /// <summary>Height of the PNG in pixels.</summary>
    public const int Height = 640;

    /// <summary>The share of each cell in its row: n_ij / sum_j n_ij (0 for an empty row).</summary>
    public static double[,] RowShares(ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int c = matrix.ClassCount;
        var shares = new double[c, c];
        for (int i = 0; i < c; i++)
        {
            int support = matrix.Support(i);
            for (int j = 0; j < c; j++) shares[i, j] = support == 0 ? 0 : (double)matrix[i, j] / support;
        }
        return shares;
    }

    /// <summary>The text of cell (i, j): the count, and below it the row share in percent with one decimal, e.g. "48\n(87.3%)";
    /// for a class without test rows the share is undefined and shown as "(–)".</summary>
    public static string CellText(ConfusionMatrix matrix, int actual, int predicted)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int count = matrix[actual, predicted];
        int support = matrix.Support(actual);
        if (support == 0) return $"{count}\n(–)";
        double share = 100.0 * count / support;
        return string.Create(CultureInfo.InvariantCulture, $"{count}\n({share:F1}%)");
    }

    /// <summary>Writes the figure (<see cref="Create"/>) as a <see cref="Width"/> x <see cref="Height"/> PNG.</summary>
    /// <param name="labels">True test classes.</param>
    /// <param name="predictions">Predicted test classes (same length).</param>
    /// <param name="classCount">C.</param>
    /// <param name="classNames">Optional class names for the axes (default "class c").</param>
    /// <param name="path">The PNG file to write.</param>
    public static void Save(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, int classCount, IReadOnlyList<string>? classNames, string path)
    {
        var plot = Create(labels, predictions, classCount, classNames);
        PlotStyle.PrepareOutput(path);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Builds the figure: cell (i, j) is centred at plot coordinates x = j, y = C - 1 - i (row 0 at the top).</summary>
    /// <inheritdoc cref="Save" path="/param"/>
    public static Plot Create(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, int classCount, IReadOnlyList<string>? classNames)
    {
        var matrix = ConfusionMatrix.Compute(labels, predictions, classCount);
        int c = matrix.ClassCount;
        var shares = RowShares(matrix);

        var plot = PlotStyle.NewPlot();
        var heatmap = plot.Add.Heatmap(shares);
        // ScottPlot's Blues runs dark to light; reversed, a high share is dark blue (white text) and zero is white.
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        // ScottPlot's default placement: cell centres at integer coordinates, row 0 of the array at the top, so
        // cell (i, j) is centred at x = j, y = c - 1 - i. (Heatmap.Extent would give the span of the cell CENTRES.)
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "share of the true class (row)";

        float fontSize = c <= 4 ? 22 : c <= 8 ? 14 : 10;
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++)
            {
                var text = plot.Add.Text(CellText(matrix, i, j), j, c - 1 - i);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelBold = i == j;
                text.LabelFontName = PlotFonts.FamilyName;
                text.LabelFontColor = shares[i, j] > 0.55 ? Colors.White : Colors.Black;
            }

        var positions = Enumerable.Range(0, c).Select(k => (double)k).ToArray();
        plot.Axes.Bottom.SetTicks(positions, Enumerable.Range(0, c).Select(j => PlotStyle.ClassLabel(j, classNames)).ToArray());
        plot.Axes.Left.SetTicks(positions, Enumerable.Range(0, c).Select(i => PlotStyle.ClassLabel(c - 1 - i, classNames)).ToArray());
        plot.Axes.Bottom.TickLabelStyle.FontSize = 15;
        plot.Axes.Left.TickLabelStyle.FontSize = 15;
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        double accuracy = (double)Enumerable.Range(0, c).Sum(matrix.TruePositives) / matrix.Total;
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Confusion matrix, test split (n = {matrix.Total}, accuracy {accuracy:F3})"));
        plot.Axes.SetLimits(-0.5, c - 0.5, -0.5, c - 0.5);
        plot.Grid.IsVisible = false;
        return plot;
    }
}
