namespace BalancedMultimodal.Cli.Tests.Documentation;

/// <summary>
/// README.md, docs/getting-started.md and the example tests' own sources, linked into the test output by the project
/// file (folder <c>DocumentationSources</c>), so that the "the document shows exactly this code" checks read no file
/// outside the output.
/// </summary>
internal static class DocumentationSources
{
    /// <summary>The text of a linked file, with Unix line ends.</summary>
    public static string Read(string fileName) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "DocumentationSources", fileName)).Replace("\r\n", "\n");

    /// <summary>
    /// The lines of a test source strictly between the two marker lines, less the 8 spaces of a test method body's
    /// indentation, i.e. the example as a document shows it.
    /// </summary>
    public static string[] ExampleLines(string sourceFileName, string startMarker, string endMarker)
    {
        var source = Read(sourceFileName).Split('\n');
        int start = Array.FindIndex(source, l => l.Trim() == startMarker);
        int end = start < 0 ? -1 : Array.FindIndex(source, start + 1, l => l.Trim() == endMarker);   // the first end marker after the start
        if (start < 0 || end <= start)
            throw new InvalidOperationException($"{sourceFileName}: the markers '{startMarker}' and '{endMarker}' were not found in that order.");
        return source[(start + 1)..end].Select(l => l.Length >= 8 ? l[8..] : l.Trim()).ToArray();
    }
}
