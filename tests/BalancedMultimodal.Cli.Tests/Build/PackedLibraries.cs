using System.Diagnostics;
using System.IO.Compression;
using System.Text;
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

    /// <summary>Runs <c>dotnet pack</c> with the fixture's arguments on a project or solution.</summary>
    public static PackResult Pack(string projectOrSolution, string outputDirectory)
    {
        var startInfo = new ProcessStartInfo(DotnetExecutable())
        {
            WorkingDirectory = Path.GetDirectoryName(projectOrSolution)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
                 {
                     "pack", projectOrSolution, "-c", Configuration, "--no-build", "--disable-build-servers",
                     "-nologo", "-o", outputDirectory,
                     // The generated .nuspec would otherwise be written to obj/ of each library.
                     "-p:NuspecOutputPath=" + Path.Combine(outputDirectory, "nuspec") + Path.DirectorySeparatorChar,
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The test host inherits MSBuild's variables from the `dotnet test` that started it (the SDK paths,
        // MSBUILDNOINPROCNODE and the like); the child dotnet sets its own.
        foreach (string name in startInfo.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase))
            {
                startInfo.Environment.Remove(name);
            }
        }

        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        string command = "dotnet " + string.Join(' ', startInfo.ArgumentList);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(PackTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new PackResult(command, -1, $"timed out after {PackTimeout}\n{Snapshot(output)}");
        }

        process.WaitForExit(); // drains the asynchronous output readers
        return new PackResult(command, process.ExitCode, Snapshot(output));
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

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>The dotnet that runs the tests: the SDK's host path if set, else this process's own dotnet.</summary>
    private static string DotnetExecutable()
    {
        string? hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
        {
            return hostPath;
        }

        string? processPath = Environment.ProcessPath;
        if (processPath is not null
            && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        return "dotnet";
    }

    private static string FindRepositoryRoot()
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

/// <summary>The outcome of one <c>dotnet pack</c>.</summary>
public sealed record PackResult(string Command, int ExitCode, string Output)
{
    /// <summary>The command, its exit code and everything it printed, for a failure message.</summary>
    public string Describe() => $"`{Command}` exited with code {ExitCode}:\n{Output}";
}
