using System.Globalization;
using ScottPlot;

namespace BalancedMultimodal.Cli.Plotting;

/// <summary>
/// <c>fused_similarity.png</c>: the fused SNF patient-similarity matrix, times N (so 1 is the uniform similarity 1/N
/// of a row-normalised matrix), with rows and columns grouped by class
/// (<see cref="ClassOrdering"/>), class blocks outlined in white. A graph that helps classification shows brighter
/// diagonal blocks. The colour scale runs from the 1st to the 99th percentile of the off-diagonal entries (values
/// outside are drawn at the end colours): SNF output is row-normalised, so most entries lie close to 1/N and the
/// diagonal and a few near-duplicate pairs would otherwise wash out the structure.
/// The title gives the mean within-class and between-class similarity times N (diagonal excluded; means of the
/// <see cref="ClassOrdering.BlockMeans"/> blocks over classes and over class pairs).
/// </summary>
public static class FusedSimilarityPlot
{
    /// <summary>Width of the PNG in pixels.</summary>
    public const int Width = 900;

    /// <summary>Height of the PNG in pixels.</summary>
    public const int Height = 800;

    /// <summary>The q-quantile (linear interpolation between order statistics) of the off-diagonal entries.</summary>
    /// <exception cref="ArgumentException">When the matrix is not square or smaller than 2 x 2, or q lies outside [0, 1].</exception>
    public static double OffDiagonalQuantile(double[,] matrix, double q)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.GetLength(0);
        if (n < 2 || matrix.GetLength(1) != n) throw new ArgumentException($"Expected a square matrix of at least 2 x 2, got {n} x {matrix.GetLength(1)}.", nameof(matrix));
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile must lie in [0, 1].");
        var values = new double[n * (n - 1)];
        int k = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) values[k++] = matrix[i, j];
        Array.Sort(values);
        double position = q * (values.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, values.Length - 1);
        return values[lower] + (position - lower) * (values[upper] - values[lower]);
    }

    /// <summary>Writes the figure (<see cref="Create"/>) as a <see cref="Width"/> x <see cref="Height"/> PNG.</summary>
    /// <param name="fused">The N x N fused similarity matrix in the dataset's row order (as SNF returns it, not yet times N).</param>
    /// <param name="labels">The N labels (all rows, training and test: the graph spans them all).</param>
    /// <param name="classCount">C.</param>
    /// <param name="classNames">Optional class names (default "class c").</param>
    /// <param name="path">The PNG file to write.</param>
    public static void Save(double[,] fused, IReadOnlyList<int> labels, int classCount, IReadOnlyList<string>? classNames, string path)
    {
        var plot = Create(fused, labels, classCount, classNames);
        PlotStyle.PrepareOutput(path);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Builds the figure: ordered position p (see <see cref="ClassOrdering.Order"/>) is centred at plot
    /// coordinates x = p (columns) and y = N - 1 - p (rows, position 0 at the top).</summary>
    /// <inheritdoc cref="Save" path="/param"/>
    public static Plot Create(double[,] fused, IReadOnlyList<int> labels, int classCount, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(fused);
        var ordering = ClassOrdering.ByClass(labels, classCount);
        int n = ordering.Order.Count;
        var scaled = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                scaled[i, j] = fused[i, j] * n;
        fused = scaled;
        var ordered = ordering.Reorder(fused);
        double bottom = OffDiagonalQuantile(fused, 0.01);
        double top = OffDiagonalQuantile(fused, 0.99);
        var blocks = ordering.BlockMeans(fused);

        var plot = PlotStyle.NewPlot();
        var heatmap = plot.Add.Heatmap(ordered);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(bottom, top > bottom ? top : bottom + 1);
        // ScottPlot's default placement: cell centres at integer coordinates, row 0 at the top, so position p spans
        // x in [p - 0.5, p + 0.5] and y in [n - 1 - p - 0.5, n - 1 - p + 0.5]. A block boundary before position s lies
        // at x = s - 0.5 and y = n - s - 0.5.
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "fused similarity x N (1 = uniform; scale: 1st-99th percentile)";

        for (int c = 1; c < classCount; c++)
        {
            double s = ordering.Starts[c];
            var vertical = plot.Add.VerticalLine(s - 0.5);
            var horizontal = plot.Add.HorizontalLine(n - s - 0.5);
            foreach (var line in new ScottPlot.Plottables.AxisLine[] { vertical, horizontal })
            {
                line.Color = Colors.White;
                line.LineWidth = 1.5f;
            }
        }
        var centres = Enumerable.Range(0, classCount).Select(c => (ordering.Starts[c] + ordering.Starts[c + 1]) / 2.0 - 0.5).ToArray();
        var names = Enumerable.Range(0, classCount)
            .Select(c => $"{PlotStyle.ClassLabel(c, classNames)} (n={ordering.Starts[c + 1] - ordering.Starts[c]})").ToArray();
        plot.Axes.Bottom.SetTicks(centres, names);
        plot.Axes.Left.SetTicks(centres.Select(x => n - 1 - x).ToArray(), names);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.XLabel("samples, grouped by class");
        plot.YLabel("samples, grouped by class");

        double within = 0, between = 0;
        int withinCount = 0, betweenCount = 0;
        for (int a = 0; a < classCount; a++)
            for (int b = 0; b < classCount; b++)
            {
                if (double.IsNaN(blocks[a, b])) continue;
                if (a == b) { within += blocks[a, b]; withinCount++; }
                else { between += blocks[a, b]; betweenCount++; }
            }
        string summary = withinCount > 0 && betweenCount > 0
            ? string.Create(CultureInfo.InvariantCulture, $"\nmean similarity x N: within class {within / withinCount:F3}, between classes {between / betweenCount:F3}")
            : "";
        plot.Title($"Fused SNF similarity, {n} samples ordered by class{summary}");
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Grid.IsVisible = false;
        return plot;
    }
}
