using FluentAssertions;
using SkiaSharp;

namespace BalancedMultimodal.Cli.Tests.Plotting;

/// <summary>Checks that a file is a real, non-blank PNG image of the expected size.</summary>
internal static class PngAssertions
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static void ShouldBeAPlot(string path, int width, int height)
    {
        File.Exists(path).Should().BeTrue($"{path} should have been written");
        var bytes = File.ReadAllBytes(path);
        bytes.Length.Should().BeGreaterThan(5_000, "a plot with axes, text and data is not a few bytes");
        bytes.Take(8).Should().Equal(Signature, "the file should start with the PNG signature");

        using var bitmap = SKBitmap.Decode(path);
        bitmap.Should().NotBeNull("SkiaSharp should decode the PNG");
        bitmap.Width.Should().Be(width);
        bitmap.Height.Should().Be(height);

        // Non-uniform: many distinct colours, and a real share of the pixels differ from the background.
        var background = bitmap.GetPixel(0, 0);
        var colours = new HashSet<SKColor>();
        long differing = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var pixel = bitmap.GetPixel(x, y);
                colours.Add(pixel);
                if (pixel != background) differing++;
            }
        colours.Count.Should().BeGreaterThan(20, "a plot has lines, text and fills in several colours");
        differing.Should().BeGreaterThan(bitmap.Width * bitmap.Height / 4 / 50, "more than 2% of the pixels should differ from the background");
    }
}
