using BalancedMultimodal.Cli.Plotting;
using FluentAssertions;
using ScottPlot;
using SkiaSharp;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Plotting;

/// <summary>Renders the heatmaps and reads back pixels: each cell's colour must sit where its label says.</summary>
public sealed class HeatmapPlacementTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bmm-heatmap-tests-" + Guid.NewGuid().ToString("N"));

    public HeatmapPlacementTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Renders the plot and returns the colour at data coordinates (x, y).</summary>
    private SKColor[] ColoursAt(Plot plot, int width, int height, params (double X, double Y)[] points)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".png");
        plot.SavePng(path, width, height);
        using var bitmap = SKBitmap.Decode(path);
        return points.Select(p =>
        {
            var pixel = plot.GetPixel(new Coordinates(p.X, p.Y));
            return bitmap.GetPixel((int)Math.Round(pixel.X), (int)Math.Round(pixel.Y));
        }).ToArray();
    }

    private static double Brightness(SKColor c) => (c.Red + c.Green + c.Blue) / 3.0;

    [Fact]
    public void Confusion_cells_are_coloured_by_their_own_row_share_with_row_0_on_top()
    {
        // Truth 0 -> always predicted 2, truth 1 -> 0, truth 2 -> 1: each row has one full (dark) cell, two empty (white).
        int[] predictedFor = [2, 0, 1];
        var plot = ConfusionMatrixPlot.Create([0, 1, 2, 0, 1, 2], [2, 0, 1, 2, 0, 1], 3, null);
        // Cell (i, j) is centred at (j, 2 - i); sample two opposite corners of every cell, away from the written count.
        var cells = (from i in Enumerable.Range(0, 3) from j in Enumerable.Range(0, 3) from corner in new[] { -0.4, 0.4 } select (i, j, corner)).ToArray();

        var colours = ColoursAt(plot, ConfusionMatrixPlot.Width, ConfusionMatrixPlot.Height,
            cells.Select(c => (c.j + c.corner, 2 - c.i + c.corner)).ToArray());

        for (int k = 0; k < cells.Length; k++)
        {
            var (i, j, corner) = cells[k];
            if (predictedFor[i] == j)
                Brightness(colours[k]).Should().BeLessThan(100, $"cell ({i}, {j}) holds all of row {i} (corner {corner})");
            else
                Brightness(colours[k]).Should().BeGreaterThan(240, $"cell ({i}, {j}) is empty (corner {corner})");
        }
    }

    [Fact]
    public void Fused_similarity_blocks_line_up_with_the_class_ordering()
    {
        // 12 samples, labels 1,0,1,0,...: similarity 3 inside class 0, 2 inside class 1, 1 between classes.
        int n = 12;
        var labels = Enumerable.Range(0, n).Select(i => 1 - i % 2).ToArray();
        var fused = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                fused[i, j] = labels[i] != labels[j] ? 1 : labels[i] == 0 ? 3 : 2;
        var plot = FusedSimilarityPlot.Create(fused, labels, 2, null);
        // Ordered positions 0..5 are class 0, 6..11 class 1; position p is centred at x = p, y = n - 1 - p.
        (double, double) At(int row, int column) => (column, n - 1 - row);

        var colours = ColoursAt(plot, FusedSimilarityPlot.Width, FusedSimilarityPlot.Height, At(1, 2), At(8, 9), At(1, 9), At(9, 1), At(5, 6));

        // Viridis: the top value is yellow (bright), the bottom value dark purple.
        Brightness(colours[0]).Should().BeGreaterThan(150, "class 0 with itself holds the largest similarity");
        Brightness(colours[1]).Should().BeInRange(60, 150, "class 1 with itself lies between");
        Brightness(colours[2]).Should().BeLessThan(80, "between classes is the smallest similarity");
        Brightness(colours[3]).Should().BeLessThan(80);
        Brightness(colours[4]).Should().BeLessThan(80, "position 5 is the last of class 0 and position 6 the first of class 1");
    }
}
