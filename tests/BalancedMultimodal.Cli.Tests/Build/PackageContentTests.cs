using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Build;

/// <summary>
/// What a user installing the NuGet packages gets: each library is packed with <c>dotnet pack &lt;csproj&gt; -c
/// Release --no-build</c> (once per class, <see cref="PackedLibraries"/>), and its .nupkg, .nuspec, .snupkg and the
/// assembly inside are checked against the values of Directory.Build.props, Directory.Packages.props and the
/// library's csproj, written here as literals so that changing what ships takes a deliberate change of this file.
/// </summary>
/// <remarks>
/// Why <c>--no-build</c> is safe here: this test assembly references the three libraries (through the sample), so
/// <c>dotnet test BalancedMultimodal.sln -c Release</c> has built them before this assembly starts, and the outputs
/// pack reads exist (other test projects may still be building then; they write only their own outputs); and with
/// <c>--no-build</c> pack compiles and restores nothing, so the test assemblies that run in parallel with this one
/// never see a bin/ or obj/ file change (the generated .nuspec goes to the temporary folder too). Not checked here:
/// the Source Link data in the .pdb (it depends on the clone's git remote, which a CI checkout need not have) and
/// the restore of the packages into a consumer project (it would download TorchSharp from nuget.org).
/// </remarks>
public class PackageContentTests : IClassFixture<PackedLibraries>
{
    /// <summary>Directory.Build.props: Version.</summary>
    public const string Version = "0.1.0";

    private const string Authors = "BalancedMultimodal contributors";
    private const string License = "MIT";
    private const string RepositoryUrl = "https://github.com/balancedmultimodal/BalancedMultimodal";
    private const string ProjectUrl = "https://github.com/balancedmultimodal/BalancedMultimodal";
    private const string Readme = "README.md";
    private const string TargetFramework = "net8.0";

    private static readonly Dictionary<string, ExpectedPackage> Expected = new()
    {
        ["BalancedMultimodal.Core"] = new(
            DescriptionPhrase: "mutual-information estimators",
            PublicType: "BalancedMultimodal.Core.Data.MultimodalDataset",
            Dependencies: new()
            {
                // The managed TorchSharp only: the native runtime (TorchSharp-cpu, -cuda) is the application's choice.
                ["TorchSharp"] = "0.107.0",
                ["MathNet.Numerics"] = "5.0.0",
                ["Microsoft.Extensions.Options"] = "8.0.2",
                ["Microsoft.Extensions.Options.ConfigurationExtensions"] = "8.0.0",
                ["Microsoft.Extensions.DependencyInjection.Abstractions"] = "8.0.2",
                ["Microsoft.Extensions.Logging.Abstractions"] = "8.0.2",
            },
            ExtraFiles: ["buildTransitive/BalancedMultimodal.Core.targets", "buildTransitive/LibTorchSharpGlibcxxPatcher.cs"]),
        ["BalancedMultimodal.Graph"] = new(
            DescriptionPhrase: "similarity network fusion",
            PublicType: "BalancedMultimodal.Graph.Fusion.SimilarityNetworkFusion",
            // TorchSharp and the Microsoft.Extensions packages come through Core.
            Dependencies: new() { ["BalancedMultimodal.Core"] = Version },
            ExtraFiles: []),
        ["BalancedMultimodal.Distillation"] = new(
            DescriptionPhrase: "cross-modal distillation",
            PublicType: "BalancedMultimodal.Distillation.Training.BalancedTrainer",
            Dependencies: new()
            {
                ["BalancedMultimodal.Core"] = Version,
                ["TorchSharp"] = "0.107.0",
                ["MathNet.Numerics"] = "5.0.0",
                ["Microsoft.Extensions.Options"] = "8.0.2",
                ["Microsoft.Extensions.Options.ConfigurationExtensions"] = "8.0.0",
                ["Microsoft.Extensions.DependencyInjection.Abstractions"] = "8.0.2",
            },
            ExtraFiles: []),
    };

    private readonly PackedLibraries _packages;

    public PackageContentTests(PackedLibraries packages) => _packages = packages;

    [Theory]
    [InlineData("BalancedMultimodal.Core")]
    [InlineData("BalancedMultimodal.Graph")]
    [InlineData("BalancedMultimodal.Distillation")]
    public void The_nuspec_carries_the_repository_s_package_metadata(string id)
    {
        using var package = _packages.OpenPackage(id);
        var metadata = ReadNuspec(package, id);

        Value(metadata, "id").Should().Be(id);
        Value(metadata, "version").Should().Be(Version);
        Value(metadata, "authors").Should().Be(Authors);

        var license = Child(metadata, "license");
        license.Should().NotBeNull("the package declares a license (PackageLicenseExpression)");
        (license!.Attribute("type")?.Value).Should().Be("expression", "the license is an SPDX expression, not a file");
        license.Value.Should().Be(License);
        // NuGet writes licenseUrl = https://licenses.nuget.org/<expression> for old clients; any other URL would mean
        // a PackageLicenseUrl (deprecated) took over.
        string? licenseUrl = Child(metadata, "licenseUrl")?.Value;
        if (licenseUrl is not null)
        {
            licenseUrl.Should().Be($"https://licenses.nuget.org/{License}", "the only license URL allowed is the one NuGet derives from the expression");
        }

        Value(metadata, "readme").Should().Be(Readme);
        package.GetEntry(Readme).Should().NotBeNull($"the readme the nuspec names ({Readme}) is in the package");
        Value(metadata, "projectUrl").Should().Be(ProjectUrl);

        var repository = Child(metadata, "repository");
        repository.Should().NotBeNull("the package names its source repository (RepositoryUrl, RepositoryType)");
        (repository!.Attribute("type")?.Value).Should().Be("git");
        (repository.Attribute("url")?.Value).Should().Be(RepositoryUrl);

        string description = Value(metadata, "description");
        description.Should().Contain(Expected[id].DescriptionPhrase, "each package describes its own component");
        foreach (var (otherId, other) in Expected.Where(pair => pair.Key != id))
        {
            description.Should().NotContain(other.DescriptionPhrase, $"that phrase describes {otherId}");
        }
    }

    [Theory]
    [InlineData("BalancedMultimodal.Core")]
    [InlineData("BalancedMultimodal.Graph")]
    [InlineData("BalancedMultimodal.Distillation")]
    public void The_dependencies_are_exactly_the_referenced_packages_and_no_analyzer(string id)
    {
        using var package = _packages.OpenPackage(id);
        var metadata = ReadNuspec(package, id);

        var groups = Child(metadata, "dependencies")?.Elements().ToList() ?? [];
        groups.Should().ContainSingle("the libraries target one framework");
        groups[0].Name.LocalName.Should().Be("group");
        (groups[0].Attribute("targetFramework")?.Value).Should().Be(TargetFramework);

        var dependencies = groups[0].Elements()
            .Where(element => element.Name.LocalName == "dependency")
            .ToDictionary(element => element.Attribute("id")!.Value, element => element.Attribute("version")!.Value);
        dependencies.Keys.Should().NotContain(
            dependency => dependency.Contains("Analyzers", StringComparison.OrdinalIgnoreCase),
            "the analyzers are build-time only (PrivateAssets=\"all\") and must not reach the package's users");
        dependencies.Keys.Should().NotContain(
            dependency => dependency.StartsWith("TorchSharp-", StringComparison.OrdinalIgnoreCase),
            "a library depends on the managed TorchSharp; the native runtime (TorchSharp-cpu, -cuda) is the application's choice");
        dependencies.Should().BeEquivalentTo(Expected[id].Dependencies, "the package's dependencies are its csproj's references, at the versions of Directory.Packages.props");
    }

    [Theory]
    [InlineData("BalancedMultimodal.Core")]
    [InlineData("BalancedMultimodal.Graph")]
    [InlineData("BalancedMultimodal.Distillation")]
    public void The_package_holds_the_library_its_xml_docs_and_the_documents_and_nothing_else(string id)
    {
        using var package = _packages.OpenPackage(id);
        var files = PayloadFiles(package, id);

        files.Should().NotContain(
            file => file.StartsWith("runtimes/", StringComparison.Ordinal)
                    || file.EndsWith(".so", StringComparison.Ordinal)
                    || file.Contains(".so.", StringComparison.Ordinal)
                    || file.EndsWith(".dylib", StringComparison.Ordinal),
            "no native (libtorch) file ships in a library package");
        files.Where(file => file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
            .Should().Equal(new[] { $"lib/{TargetFramework}/{id}.dll" }, "the only assembly is the library: no test, sample, dependency or native one");
        string[] expected =
        [
            $"lib/{TargetFramework}/{id}.dll",
            $"lib/{TargetFramework}/{id}.xml",
            Readme,
            "METHOD.md",
            .. Expected[id].ExtraFiles,
        ];
        files.Should().BeEquivalentTo(expected);
    }

    [Theory]
    [InlineData("BalancedMultimodal.Core", "package-readme.md", Readme)]
    [InlineData("BalancedMultimodal.Core", "METHOD.md", "METHOD.md")]
    [InlineData("BalancedMultimodal.Graph", "package-readme.md", Readme)]
    [InlineData("BalancedMultimodal.Graph", "METHOD.md", "METHOD.md")]
    [InlineData("BalancedMultimodal.Distillation", "package-readme.md", Readme)]
    [InlineData("BalancedMultimodal.Distillation", "METHOD.md", "METHOD.md")]
    public void The_packaged_documents_are_the_repository_s(string id, string docsFile, string packagePath)
    {
        using var package = _packages.OpenPackage(id);
        byte[] source = File.ReadAllBytes(Path.Combine(_packages.RepositoryRoot, "docs", docsFile));
        source.Should().NotBeEmpty();
        ReadEntry(package, packagePath).Should().Equal(source, $"{packagePath} in the package is docs/{docsFile}");
    }

    [Theory]
    [InlineData("BalancedMultimodal.Core")]
    [InlineData("BalancedMultimodal.Graph")]
    [InlineData("BalancedMultimodal.Distillation")]
    public void The_xml_documentation_describes_every_public_type_of_the_packaged_assembly(string id)
    {
        using var package = _packages.OpenPackage(id);
        byte[] xml = ReadEntry(package, $"lib/{TargetFramework}/{id}.xml");
        xml.Length.Should().BeGreaterThan(50_000, "the XML docs of a whole library are not a stub");

        var documentation = XDocument.Load(new MemoryStream(xml));
        (documentation.Root!.Element("assembly")?.Element("name")?.Value).Should().Be(id);
        var members = documentation.Root.Element("members")!.Elements("member")
            .Select(member => member.Attribute("name")!.Value)
            .ToHashSet(StringComparer.Ordinal);
        members.Should().Contain("T:" + Expected[id].PublicType);

        var publicTypes = PublicTypeNames(ReadEntry(package, $"lib/{TargetFramework}/{id}.dll"));
        publicTypes.Select(type => "T:" + type).Should().BeSubsetOf(members, "the docs beside the assembly are the ones generated with it");
    }

    [Theory]
    [InlineData("BalancedMultimodal.Core")]
    [InlineData("BalancedMultimodal.Graph")]
    [InlineData("BalancedMultimodal.Distillation")]
    public void The_packaged_assembly_is_the_library_at_version_0_1_0_0(string id)
    {
        using var package = _packages.OpenPackage(id);
        using var peReader = new PEReader(new MemoryStream(ReadEntry(package, $"lib/{TargetFramework}/{id}.dll")));
        var reader = peReader.GetMetadataReader();
        var assembly = reader.GetAssemblyDefinition();

        reader.GetString(assembly.Name).Should().Be(id);
        assembly.Version.Should().Be(new Version(0, 1, 0, 0));
        PublicTypeNames(peReader).Should().Contain(Expected[id].PublicType);

        var ownReferences = reader.AssemblyReferences
            .Select(handle => reader.GetAssemblyReference(handle))
            .Where(reference => reader.GetString(reference.Name).StartsWith("BalancedMultimodal.", StringComparison.Ordinal))
            .Select(reference => (reader.GetString(reference.Name), reference.Version))
            .ToList();
        var expectedReferences = Expected[id].Dependencies.Keys
            .Where(dependency => dependency.StartsWith("BalancedMultimodal.", StringComparison.Ordinal))
            .Select(dependency => (dependency, new Version(0, 1, 0, 0)));
        ownReferences.Should().BeEquivalentTo(expectedReferences, "the assembly references exactly the sibling libraries its package depends on");
    }

    [Theory]
    [InlineData("BalancedMultimodal.Core")]
    [InlineData("BalancedMultimodal.Graph")]
    [InlineData("BalancedMultimodal.Distillation")]
    public void The_symbol_package_holds_the_pdb_of_the_packaged_assembly(string id)
    {
        using var package = _packages.OpenPackage(id);
        using var symbols = _packages.OpenPackage(id, "snupkg");

        PayloadFiles(symbols, id).Should().Equal(new[] { $"lib/{TargetFramework}/{id}.pdb" }, "the symbol package holds the portable pdb");

        using var peReader = new PEReader(new MemoryStream(ReadEntry(package, $"lib/{TargetFramework}/{id}.dll")));
        var codeView = peReader.ReadDebugDirectory().Where(entry => entry.Type == DebugDirectoryEntryType.CodeView).ToList();
        codeView.Should().ContainSingle("the assembly points at its pdb");
        var pdbPointer = peReader.ReadCodeViewDebugDirectoryData(codeView[0]);

        using var pdbProvider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(ReadEntry(symbols, $"lib/{TargetFramework}/{id}.pdb")));
        var pdb = pdbProvider.GetMetadataReader();
        new BlobContentId(pdb.DebugMetadataHeader!.Id).Guid.Should().Be(pdbPointer.Guid, "the pdb is the one built with the packaged assembly");
    }

    [Fact]
    public void Core_ships_the_opt_in_libtorch_fix_as_build_transitive_targets_beside_their_patcher()
    {
        const string id = "BalancedMultimodal.Core";
        using var package = _packages.OpenPackage(id);

        // NuGet imports buildTransitive/<package id>.targets into every project that references the package directly
        // or through Graph or Distillation; the file name must match the id.
        byte[] targets = ReadEntry(package, $"buildTransitive/{id}.targets");
        targets.Should().Equal(File.ReadAllBytes(Path.Combine(_packages.RepositoryRoot, "build", "LibTorchSharpGlibcxxFix.targets")));
        string targetsText = System.Text.Encoding.UTF8.GetString(targets);
        targetsText.Should().Contain("$(MSBuildThisFileDirectory)LibTorchSharpGlibcxxPatcher.cs", "the task's source is found beside the targets");
        targetsText.Should().Contain("'$(BalancedMultimodalFixLibTorchSharp)' == 'true'", "consumers opt in (docs/native-runtime.md)");

        ReadEntry(package, "buildTransitive/LibTorchSharpGlibcxxPatcher.cs")
            .Should().Equal(File.ReadAllBytes(Path.Combine(_packages.RepositoryRoot, "build", "LibTorchSharpGlibcxxPatcher.cs")));
    }

    [Fact]
    public void Packing_the_solution_yields_the_three_libraries_only()
    {
        string output = PackedLibraries.CreateTemporaryDirectory("bmm-pack-sln-");
        try
        {
            var result = PackedLibraries.Pack(Path.Combine(_packages.RepositoryRoot, "BalancedMultimodal.sln"), output);
            if (result.ExitCode != 0)
            {
                Assert.Fail(result.Describe());
            }

            Directory.GetFiles(output).Select(Path.GetFileName).Should().BeEquivalentTo(
                PackedLibraries.LibraryIds.SelectMany(id => new[] { $"{id}.{Version}.nupkg", $"{id}.{Version}.snupkg" }),
                "tests and the sample set IsPackable=false; only the libraries are packages");
        }
        finally
        {
            PackedLibraries.DeleteTemporaryDirectory(output);
        }
    }

    /// <summary>The package's files, without the parts every package has (nuspec, OPC relationships and metadata).</summary>
    private static List<string> PayloadFiles(ZipArchive package, string id) =>
        package.Entries
            .Select(entry => entry.FullName)
            .Where(name => name != $"{id}.nuspec"
                           && name != "[Content_Types].xml"
                           && !name.StartsWith("_rels/", StringComparison.Ordinal)
                           && !name.StartsWith("package/services/metadata/", StringComparison.Ordinal))
            .ToList();

    private static XElement ReadNuspec(ZipArchive package, string id)
    {
        var nuspecs = package.Entries.Where(entry => !entry.FullName.Contains('/') && entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).ToList();
        nuspecs.Select(entry => entry.FullName).Should().Equal(new[] { $"{id}.nuspec" }, "a package holds one nuspec, named after its id");
        using var stream = nuspecs[0].Open();
        var metadata = XDocument.Load(stream).Root?.Elements().SingleOrDefault(element => element.Name.LocalName == "metadata");
        metadata.Should().NotBeNull("the nuspec has a metadata element");
        return metadata!;
    }

    private static XElement? Child(XElement parent, string name) =>
        parent.Elements().SingleOrDefault(element => element.Name.LocalName == name);

    private static string Value(XElement metadata, string name)
    {
        var element = Child(metadata, name);
        element.Should().NotBeNull($"the nuspec has <{name}>");
        element!.Value.Should().NotBeNullOrWhiteSpace($"<{name}> is not empty");
        return element.Value;
    }

    private static byte[] ReadEntry(ZipArchive package, string path)
    {
        var entry = package.GetEntry(path);
        entry.Should().NotBeNull($"the package holds {path}");
        using var stream = entry!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static List<string> PublicTypeNames(byte[] assembly)
    {
        using var peReader = new PEReader(new MemoryStream(assembly));
        return PublicTypeNames(peReader);
    }

    /// <summary>Full names (nested types joined with '.', as in XML doc ids) of the types visible outside the assembly.</summary>
    private static List<string> PublicTypeNames(PEReader peReader)
    {
        var reader = peReader.GetMetadataReader();
        return reader.TypeDefinitions
            .Select(handle => reader.GetTypeDefinition(handle))
            .Where(type => IsPublic(reader, type))
            .Select(type => FullName(reader, type))
            .ToList();
    }

    private static bool IsPublic(MetadataReader reader, TypeDefinition type) =>
        (type.Attributes & TypeAttributes.VisibilityMask) switch
        {
            TypeAttributes.Public => true,
            TypeAttributes.NestedPublic => IsPublic(reader, reader.GetTypeDefinition(type.GetDeclaringType())),
            _ => false,
        };

    private static string FullName(MetadataReader reader, TypeDefinition type)
    {
        string name = reader.GetString(type.Name);
        var declaringType = type.GetDeclaringType();
        if (!declaringType.IsNil)
        {
            return FullName(reader, reader.GetTypeDefinition(declaringType)) + "." + name;
        }

        string ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private sealed record ExpectedPackage(
        string DescriptionPhrase,
        string PublicType,
        Dictionary<string, string> Dependencies,
        string[] ExtraFiles);
}
