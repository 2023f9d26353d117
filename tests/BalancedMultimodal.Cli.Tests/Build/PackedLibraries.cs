using System.IO.Compression;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Build;

/// <summary>
/// Packs the three libraries once for <see cref="PackageContentTests"/>: <c>dotnet pack &lt;library csproj&gt; -c
/// Release --no-build</c> into a fresh temporary folder, which <see cref="Dispose"/> deletes.
/// </summary>
/// <remarks>
/// <para>
/// <c>--no-build</c> (which implies <c>--no-restore</c>) packs the assemblies that <c>dotnet test
/// BalancedMultimodal.sln -c Release</c> has just built as project references (src/*/bin/Release/net8.0), so the
/// packages hold exactly what the tests ran against, and the pack neither compiles nor restores anything: no
/// bin/ or obj/project.assets.json file that a test assembly running in parallel reads is written. The only
/// file pack would still write inside the repository, the generated .nuspec in obj/, goes to the temporary folder
/// (<c>NuspecOutputPath</c>). Build servers are disabled so that no MSBuild node outlives the test run.
/// </para>
/// <para>
/// The configuration is the test assembly's own (Release in CI, Debug when a developer runs the tests in Debug),
/// so the pack never picks up a stale build of the other configuration. If the libraries have not been built in
/// that configuration, pack fails and the tests show its output.
/// </para>
/// </remarks>
public sealed class PackedLibraries : IDisposable
{
#if DEBUG
    /// <summary>The configuration the test assembly, and so the referenced libraries, were built in.</summary>
    public const string Configuration = "Debug";
#else
    /// <summary>The configuration the test assembly, and so the referenced libraries, were built in.</summary>
    public const string Configuration = "Release";
#endif

    /// <summary>The packable projects, by package id (each csproj is src/&lt;id&gt;/&lt;id&gt;.csproj).</summary>
    public static readonly IReadOnlyList<string> LibraryIds =
        ["BalancedMultimodal.Core", "BalancedMultimodal.Graph", "BalancedMultimodal.Distillation"];

    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    private readonly string? _failure;

    /// <summary>Packs the libraries; a failure is kept and reported by <see cref="PackageFile"/>.</summary>
    public PackedLibraries()
    {
        RepositoryRoot = FindRepositoryRoot();
        OutputDirectory = CreateTemporaryDirectory("bmm-pack-");
        foreach (string id in LibraryIds)
        {
            string project = Path.Combine(RepositoryRoot, "src", id, id + ".csproj");
            var result = Pack(project, OutputDirectory);
            if (result.ExitCode != 0)
            {
                _failure = result.Describe();
                break;
            }
        }
    }

    /// <summary>The folder that holds BalancedMultimodal.sln.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The temporary folder the packages were written to.</summary>
    public string OutputDirectory { get; }

    /// <summary>
    /// The path of a package the fixture produced (<c>&lt;id&gt;.0.1.0.nupkg</c> or <c>.snupkg</c>); fails the
    /// calling test with pack's output if a pack failed, or with the folder's listing if the file is missing.
    /// </summary>
    public string PackageFile(string id, string extension)
    {
        if (_failure is not null)
        {
            Assert.Fail(_failure);
        }

        string path = Path.Combine(OutputDirectory, $"{id}.{PackageContentTests.Version}.{extension}");
        File.Exists(path).Should().BeTrue(
            $"dotnet pack writes {Path.GetFileName(path)}; the output folder holds: "
            + string.Join(", ", Directory.GetFiles(OutputDirectory).Select(Path.GetFileName)));
        return path;
    }

    /// <summary>Opens a package of the fixture as a zip archive.</summary>
    public ZipArchive OpenPackage(string id, string extension = "nupkg") =>
        ZipFile.OpenRead(PackageFile(id, extension));

    /// <summary>
    /// Runs <c>dotnet pack</c> with the fixture's arguments on a project or solution, plus any
    /// <paramref name="properties"/> (<c>Name=Value</c>, passed as <c>-p:</c>).
    /// </summary>
    public static DotnetCommandResult Pack(string projectOrSolution, string outputDirectory, params string[] properties)
    {
        string[] arguments =
        [
            "pack", projectOrSolution, "-c", Configuration, "--no-build", "--disable-build-servers", "-nologo",
            "-o", outputDirectory,
            // The generated .nuspec would otherwise be written to obj/ of each library.
            "-p:NuspecOutputPath=" + Path.Combine(outputDirectory, "nuspec") + Path.DirectorySeparatorChar,
            .. properties.Select(property => "-p:" + property),
        ];
        return DotnetCommand.Run(Path.GetDirectoryName(projectOrSolution)!, arguments, PackTimeout);
    }

    /// <summary>Creates an empty folder with a unique name under the system's temporary folder.</summary>
    public static string CreateTemporaryDirectory(string prefix)
    {
        string path = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a temporary folder; a file still held open (which would only leak a temp folder) is ignored.</summary>
    public static void DeleteTemporaryDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <inheritdoc />
    public void Dispose() => DeleteTemporaryDirectory(OutputDirectory);

    /// <summary>The folder that holds BalancedMultimodal.sln, found upwards from the test assembly.</summary>
    public static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BalancedMultimodal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No BalancedMultimodal.sln in {AppContext.BaseDirectory} or any folder above it: the package tests run from a build inside the repository.");
    }
}
