using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Documentation;

/// <summary>
/// Every relative link between the documents (README.md and docs/**/*.md, copied into the test output folder
/// <c>DocumentTree</c> by the project file) points to a document that exists and, with a <c>#fragment</c>, to a heading
/// (GitHub's anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered -1, -2, ...) or an explicit
/// <c>&lt;a id="..."&gt;</c> in it; and every relative link to another file (source files, tuning scripts, data)
/// points to a file of the repository's src/, samples/ or docs/ (listed at build time in
/// <c>DocumentTree/repository-files.txt</c>). Headings get renamed as results change and files as code moves; this
/// catches the links they leave behind. Web links are not checked.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "DocumentTree");

    private static readonly Lazy<HashSet<string>> RepositoryFiles = new(() =>
        File.ReadAllLines(Path.Combine(Root, "repository-files.txt")).Select(l => l.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal));

    public static TheoryData<string> Documents() => new(DocumentNames());

    private static IEnumerable<string> DocumentNames() =>
        Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Root, file).Replace('\\', '/')).Order(StringComparer.Ordinal);

    [Fact]
    public void The_tree_holds_the_readme_and_the_docs()
    {
        DocumentNames().Should().Contain(["README.md", "docs/results.md", "docs/pipeline.md", "docs/benchmarks/snf.md"]);
        RepositoryFiles.Value.Should().Contain(["src/BalancedMultimodal.Core/Metrics/RocAuc.cs", "docs/tuning/pooling_rules.py",
            "samples/BalancedMultimodal.Cli/Program.cs"]).And.NotContain(f => f.Contains("/obj/") || f.Contains("/bin/"));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_link_to_a_document_or_heading_resolves(string document)
    {
        var path = Path.Combine(Root, document);
        var broken = new List<string>();
        foreach (Match link in LinkPattern().Matches(WithoutCodeBlocks(File.ReadAllText(path))))
        {
            var target = link.Groups[1].Value;
            if (SchemePattern().IsMatch(target)) continue;
            int hash = target.IndexOf('#');
            var file = hash < 0 ? target : target[..hash];
            var fragment = hash < 0 ? "" : target[(hash + 1)..];
            var resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (resolved.EndsWith(".md", StringComparison.Ordinal) && File.Exists(resolved))
            {
                if (fragment.Length > 0 && !Anchors(resolved).Contains(fragment)) broken.Add($"{target}: no such heading or anchor");
                continue;
            }
            var relative = Path.GetRelativePath(Root, resolved).Replace('\\', '/').TrimEnd('/');
            if (!RepositoryFiles.Value.Contains(relative) && !RepositoryFiles.Value.Any(f => f.StartsWith(relative + "/", StringComparison.Ordinal)))
                broken.Add($"{target}: no such document, file or folder in src/, samples/ or docs/");
        }

        broken.Should().BeEmpty($"every link in {document} must resolve");
    }

    [Theory]
    [InlineData("Nineteenth session: epoch caps, calibrated heads, 10 x 1 folds (none adopted)", "nineteenth-session-epoch-caps-calibrated-heads-10-x-1-folds-none-adopted")]
    [InlineData("`bmm compare` and the ± column", "bmm-compare-and-the--column")]
    [InlineData("What next (not done)", "what-next-not-done")]
    public void Anchors_follow_githubs_rule(string heading, string anchor)
    {
        Slug(heading).Should().Be(anchor);
    }

    [Fact]
    public void Repeated_headings_are_numbered_and_explicit_anchors_count()
    {
        var file = Path.Combine(Path.GetTempPath(), "bmm-anchors-" + Guid.NewGuid().ToString("N") + ".md");
        File.WriteAllText(file, "# Results\n## Setup\n```\n# not a heading\n```\n## Setup\n<a id=\"custom-anchor\"></a>\ntext\n");
        try
        {
            Anchors(file).Should().BeEquivalentTo(["results", "setup", "setup-1", "custom-anchor"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static HashSet<string> Anchors(string markdownFile)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in WithoutCodeBlocks(File.ReadAllText(markdownFile)).Split('\n'))
        {
            var heading = HeadingPattern().Match(line);
            if (heading.Success)
            {
                var slug = Slug(heading.Groups[1].Value);
                int count = seen.GetValueOrDefault(slug);
                seen[slug] = count + 1;
                anchors.Add(count == 0 ? slug : $"{slug}-{count}");
            }
            foreach (Match id in ExplicitAnchorPattern().Matches(line)) anchors.Add(id.Groups[1].Value);
        }
        return anchors;
    }

    /// <summary>GitHub's heading anchor: link text kept, code marks dropped, lower case, every character but letters,
    /// digits, underscores, hyphens and spaces removed, spaces turned into hyphens.</summary>
    private static string Slug(string heading)
    {
        var text = InlineLinkPattern().Replace(heading.Trim(), "$1").Replace("`", "").ToLowerInvariant();
        return PunctuationPattern().Replace(text, "").Replace(' ', '-');
    }

    private static string WithoutCodeBlocks(string text) => CodeBlockPattern().Replace(text.Replace("\r\n", "\n"), "");

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)]
    private static partial Regex SchemePattern();

    [GeneratedRegex(@"^#{1,6}\s+(.*?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex("<a id=\"([^\"]+)\"")]
    private static partial Regex ExplicitAnchorPattern();

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLinkPattern();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex PunctuationPattern();

    [GeneratedRegex(@"^```.*?^```[^\n]*$", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CodeBlockPattern();
}
