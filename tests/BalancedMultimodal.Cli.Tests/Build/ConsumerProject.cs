using System.Xml.Linq;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Build;

/// <summary>
/// A package consumer, set up once for <see cref="ConsumerProjectTests"/> as docs/getting-started.md section 2 tells
/// a user to: the three libraries packed from this build into a local folder, a console app outside the repository
/// whose nuget.config lists that folder beside the repository's feed, package references to the three libraries and
/// <c>TorchSharp-cpu</c>, the opt-in libtorch fix and one runtime identifier; then <c>dotnet build</c> and a run of
/// the app, which prints <see cref="ConsumerWorkload.Run"/>. <see cref="Dispose"/> deletes everything.
/// </summary>
/// <remarks>
/// <para>
/// The packages get a version of their own, <c>0.1.0-consumer&lt;guid&gt;</c>, referenced exactly (<c>[version]</c>,
/// not as a floor that a cached 0.1.0 would satisfy), so that no copy of 0.1.0 left in a package cache by an earlier
/// pack can stand in for this build's: if the local folder were not used, the restore would fail.
/// </para>
/// <para>
/// The app restores into a global packages folder of its own (inside the temporary folder) with the machine's
/// global packages folder (the one the test projects restored into) as a read-only fallback: the libraries are
/// extracted from this run's packages, and TorchSharp, its half-gigabyte native runtime and the other dependencies
/// are taken from the fallback instead of being downloaded again. Empty Directory.Build.props, .targets and
/// Directory.Packages.props in the app's folder keep any MSBuild file above it out of the build.
/// </para>
/// </remarks>
public sealed class ConsumerProject : IDisposable
{
    /// <summary>The app's name (its project file, assembly and namespace-free Program.cs).</summary>
    public const string AppName = "MyStudy";

    /// <summary>The line the app prints between the workload's lines and the list of loaded assemblies.</summary>
    public const string AssemblySeparator = "--- assemblies ---";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    private readonly string? _failure;

    /// <summary>Packs, writes, builds and runs the consumer; the first failure is kept for the tests to report.</summary>
    public ConsumerProject()
    {
        RepositoryRoot = PackedLibraries.FindRepositoryRoot();
        Root = PackedLibraries.CreateTemporaryDirectory("bmm-consumer-");
        PackageSource = Path.Combine(Root, "packages-source");
        PackagesFolder = Path.Combine(Root, "packages");
        AppFolder = Path.Combine(Root, AppName);
        Version = "0.1.0-consumer" + Guid.NewGuid().ToString("N");
        _failure = PackBuildAndRun();
    }

    /// <summary>The folder that holds BalancedMultimodal.sln.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The temporary folder that holds everything the fixture writes.</summary>
    public string Root { get; }

    /// <summary>The local package source the libraries are packed into.</summary>
    public string PackageSource { get; }

    /// <summary>The app's own global packages folder.</summary>
    public string PackagesFolder { get; }

    /// <summary>The machine's global packages folder, the app's fallback folder.</summary>
    public string FallbackFolder { get; private set; } = "";

    /// <summary>The app's project folder.</summary>
    public string AppFolder { get; }

    /// <summary>The package version this run packs and the app references.</summary>
    public string Version { get; }

    /// <summary>The app's build output folder (Release, net10.0, <see cref="RuntimeIdentifier"/>).</summary>
    public string OutputFolder => Path.Combine(AppFolder, "bin", "Release", "net10.0", RuntimeIdentifier);

    /// <summary>What <c>dotnet build</c> of the app printed.</summary>
    public DotnetCommandResult? Build { get; private set; }

    /// <summary>The app's run.</summary>
    public DotnetCommandResult? Run { get; private set; }

    /// <summary>The runtime identifier the app builds for, as the guide recommends (one platform's natives): this
    /// machine's (linux-x64 in CI; win-x64 or osx-arm64 where TorchSharp-cpu ships natives for them).</summary>
    public static string RuntimeIdentifier => System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

    /// <summary>Fails the calling test with the step that failed and its output, if any step failed.</summary>
    public void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            Assert.Fail(_failure);
        }
    }

    /// <summary>The lines of the app's standard output, without the trailing empty line.</summary>
    public IReadOnlyList<string> OutputLines()
    {
        ThrowIfFailed();
        return Run!.StandardOutput.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0).ToArray();
    }

    /// <summary>
    /// The folder the app's restore took package <paramref name="id"/> from (its own packages folder or the fallback),
    /// read from obj/project.assets.json: the library's path under the first package folder that holds it.
    /// </summary>
    public string RestoredPackageFolder(string id)
    {
        ThrowIfFailed();
        using var assets = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppFolder, "obj", "project.assets.json")));
        var library = assets.RootElement.GetProperty("libraries").EnumerateObject()
            .Single(l => l.Name.StartsWith(id + "/", StringComparison.OrdinalIgnoreCase));
        string relative = library.Value.GetProperty("path").GetString()!;
        return assets.RootElement.GetProperty("packageFolders").EnumerateObject()
            .Select(folder => Path.Combine(folder.Name, relative))
            .First(Directory.Exists);
    }

    /// <inheritdoc />
    public void Dispose() => PackedLibraries.DeleteTemporaryDirectory(Root);

    private string? PackBuildAndRun()
    {
        foreach (string id in PackedLibraries.LibraryIds)
        {
            var pack = PackedLibraries.Pack(Path.Combine(RepositoryRoot, "src", id, id + ".csproj"), PackageSource, "Version=" + Version);
            if (pack.ExitCode != 0)
            {
                return pack.Describe();
            }
        }

        var locals = DotnetCommand.Run(RepositoryRoot, ["nuget", "locals", "global-packages", "--list"], RunTimeout);
        const string prefix = "global-packages:";
        string? line = locals.StandardOutput.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (locals.ExitCode != 0 || line is null)
        {
            return "The machine's global packages folder is unknown: " + locals.Describe();
        }

        FallbackFolder = line[prefix.Length..].Trim();
        WriteApp();

        Build = DotnetCommand.Run(AppFolder,
            ["build", AppName + ".csproj", "-c", "Release", "--disable-build-servers", "-nologo", "-p:RestorePackagesPath=" + PackagesFolder],
            BuildTimeout);
        if (Build.ExitCode != 0)
        {
            return Build.Describe();
        }

        Run = DotnetCommand.Run(AppFolder, [Path.Combine(OutputFolder, AppName + ".dll")], RunTimeout);
        return Run.ExitCode != 0 ? Run.Describe() : null;
    }

    private void WriteApp()
    {
        Directory.CreateDirectory(AppFolder);
        foreach (string isolating in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(AppFolder, isolating), "<Project />\n");
        }

        // The repository's nuget.config (its feeds) with the local folder first, the app's own global packages
        // folder and the machine's as a fallback.
        var config = XDocument.Load(Path.Combine(RepositoryRoot, "nuget.config"));
        var sources = config.Root!.Element("packageSources")!;
        var clear = sources.Element("clear");
        var local = new XElement("add", new XAttribute("key", "bmm-consumer-test"), new XAttribute("value", PackageSource));
        if (clear is null)
        {
            sources.AddFirst(local);
        }
        else
        {
            clear.AddAfterSelf(local);
        }

        // A user-level NuGet.Config's source mapping would route the packages away from the local folder: cleared.
        config.Root.Element("packageSourceMapping")?.Remove();
        config.Root.Add(
            new XElement("packageSourceMapping", new XElement("clear")),
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", PackagesFolder))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", FallbackFolder))));
        config.Save(Path.Combine(AppFolder, "nuget.config"));

        string torchSharpVersion = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion").Single(p => (string?)p.Attribute("Include") == "TorchSharp-cpu").Attribute("Version")!.Value;
        File.WriteAllText(Path.Combine(AppFolder, AppName + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <NuGetAudit>false</NuGetAudit>
                <BalancedMultimodalFixLibTorchSharp>true</BalancedMultimodalFixLibTorchSharp>
                <RuntimeIdentifier>{RuntimeIdentifier}</RuntimeIdentifier>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="BalancedMultimodal.Core" Version="[{Version}]" />
                <PackageReference Include="BalancedMultimodal.Graph" Version="[{Version}]" />
                <PackageReference Include="BalancedMultimodal.Distillation" Version="[{Version}]" />
                <PackageReference Include="TorchSharp-cpu" Version="{torchSharpVersion}" />
              </ItemGroup>
            </Project>
            """);

        File.Copy(Path.Combine(RepositoryRoot, "tests", "BalancedMultimodal.Cli.Tests", "Build", "ConsumerWorkload.cs"),
            Path.Combine(AppFolder, "ConsumerWorkload.cs"));
        File.WriteAllText(Path.Combine(AppFolder, "Program.cs"), $$"""
            foreach (string line in BalancedMultimodal.Cli.Tests.Build.ConsumerWorkload.Run())
            {
                Console.WriteLine(line);
            }

            Console.WriteLine("{{AssemblySeparator}}");
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name!.StartsWith("BalancedMultimodal.", StringComparison.Ordinal) || a.GetName().Name == "TorchSharp").OrderBy(a => a.GetName().Name, StringComparer.Ordinal))
            {
                Console.WriteLine(assembly.GetName().Name + "\t" + assembly.Location);
            }
            """);
    }
}
