using ScottPlot;
using SkiaSharp;

namespace BalancedMultimodal.Cli.Plotting;

/// <summary>
/// The font of every plot: DejaVu Sans (regular and bold), embedded in the assembly and registered with ScottPlot as
/// the default family, so text renders identically on any machine, including a headless Linux box without
/// fontconfig or any installed font (SkiaSharp's NoDependencies native build cannot ask the system for fonts).
/// </summary>
public static class PlotFonts
{
    /// <summary>The family name under which the embedded font is registered (distinct from any system family).</summary>
    public const string FamilyName = "BMM DejaVu Sans";

    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Registers the embedded font as ScottPlot's default family (idempotent, thread-safe).
    /// Call before creating a <see cref="Plot"/>: plots copy the default family when they are created.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
            Fonts.Default = FamilyName;
            _registered = true;
        }
    }

    /// <summary>A new typeface read from the embedded DejaVu Sans (bold or regular), independent of any system font.</summary>
    public static SKTypeface CreateTypeface(bool bold) =>
        SKTypeface.FromData(bold ? EmbeddedBold.Value : EmbeddedRegular.Value)
        ?? throw new InvalidOperationException("The embedded font could not be decoded.");

    private static readonly Lazy<SKData> EmbeddedRegular = new(() => ReadResource("DejaVuSans.ttf"));
    private static readonly Lazy<SKData> EmbeddedBold = new(() => ReadResource("DejaVuSans-Bold.ttf"));

    private static SKData ReadResource(string file)
    {
        var name = $"BalancedMultimodal.Cli.Plotting.Fonts.{file}";
        using var stream = typeof(PlotFonts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded font resource '{name}' is missing from the assembly.");
        return SKData.Create(stream);
    }

    /// <summary>Resolves <see cref="FamilyName"/> to the embedded typefaces (bold for weights of semi-bold and above), and
    /// nothing else (other names fall through to ScottPlot's next resolver).</summary>
    private sealed class EmbeddedFontResolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            CreateTypeface(fontName, (int)weight >= (int)FontWeight.SemiBold, slant != FontSlant.Upright);

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            string.Equals(fontName, FamilyName, StringComparison.OrdinalIgnoreCase) ? PlotFonts.CreateTypeface(bold) : null;
    }
}
