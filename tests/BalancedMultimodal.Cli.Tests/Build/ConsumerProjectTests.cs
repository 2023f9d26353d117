using System.Text;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Build;

/// <summary>
/// The packages work for a user: a console app that references the three packed libraries and <c>TorchSharp-cpu</c>
/// the way docs/getting-started.md section 2 shows restores, builds, loads TorchSharp's native runtime on this machine
/// through the opt-in fix that Core ships, and computes with every public component exactly what the same code
/// computes against the project references (<see cref="ConsumerProject"/> sets the app up once; about 30 s).
/// </summary>
public class ConsumerProjectTests : IClassFixture<ConsumerProject>
{
    private readonly ConsumerProject _consumer;

    /// <summary>Takes the consumer the fixture built and ran.</summary>
    public ConsumerProjectTests(ConsumerProject consumer) => _consumer = consumer;

    [Fact]
    public void The_packed_libraries_compute_in_the_app_exactly_what_the_project_references_compute()
    {
        var printed = _consumer.OutputLines().TakeWhile(line => line != ConsumerProject.AssemblySeparator).ToArray();

        var expected = ConsumerWorkload.Run();

        expected.Should().HaveCountGreaterThan(10).And.OnlyContain(line => !line.Contains("NaN", StringComparison.Ordinal));
        printed.Should().Equal(expected, "the packages hold the very assemblies the tests ran, and the app runs them on the same data and seeds");
    }

    [Fact]
    public void The_app_restores_this_runs_packages_and_loads_every_library_from_its_own_output()
    {
        var loaded = _consumer.OutputLines().SkipWhile(line => line != ConsumerProject.AssemblySeparator).Skip(1)
            .Select(line => line.Split('\t')).ToDictionary(parts => parts[0], parts => parts[1]);

        loaded.Keys.Should().BeEquivalentTo([.. PackedLibraries.LibraryIds, "TorchSharp"], "the workload uses every library");
        loaded.Values.Should().OnlyContain(location => Path.GetDirectoryName(location) == _consumer.OutputFolder,
            "a package's assemblies are copied to the app's output");
        foreach (string id in PackedLibraries.LibraryIds)
        {
            string extracted = Path.Combine(_consumer.PackagesFolder, id.ToLowerInvariant(), _consumer.Version.ToLowerInvariant());
            File.ReadAllBytes(Path.Combine(extracted, "lib", "net8.0", id + ".dll")).Should().Equal(
                File.ReadAllBytes(loaded[id]), $"the app runs the {id} that this test run packed");
        }
    }

    [Fact]
    public void The_opt_in_libtorch_fix_reaches_the_app_through_the_package()
    {
        _consumer.ThrowIfFailed();
        string importingTargets = File.ReadAllText(Path.Combine(_consumer.AppFolder, "obj", ConsumerProject.AppName + ".csproj.nuget.g.targets"));
        importingTargets.Should().Contain(
            $"balancedmultimodal.core/{_consumer.Version.ToLowerInvariant()}/buildTransitive/BalancedMultimodal.Core.targets",
            "NuGet imports the targets that Core ships as buildTransitive");

        if (!OperatingSystem.IsLinux())
        {
            return; // the fix patches the Linux library only; elsewhere the targets are imported and do nothing
        }

        string built = Path.Combine(_consumer.OutputFolder, "libLibTorchSharp.so");
        string packaged = Path.Combine(_consumer.RestoredPackageFolder("TorchSharp"), "runtimes", ConsumerProject.RuntimeIdentifier, "native", "libLibTorchSharp.so");
        byte[] builtBytes = File.ReadAllBytes(built);
        byte[] packagedBytes = File.ReadAllBytes(packaged);
        int differingBytes = builtBytes.Length == packagedBytes.Length
            ? builtBytes.Zip(packagedBytes).Count(pair => pair.First != pair.Second)
            : int.MaxValue;

        if (SystemLibstdcxxLacksGlibcxx3432())
        {
            // The app ran its tensor work (the other tests), which libtorch's unpatched library cannot do here.
            differingBytes.Should().BeInRange(1, 64,
                "on this system the fix patches the output's copy in place: a version flag, one symbol name and its version index");
        }
        else
        {
            differingBytes.Should().Be(0, "a system whose C++ runtime has GLIBCXX_3.4.32 needs no patch, and the task leaves the file alone");
        }
    }

    /// <summary>
    /// Whether the first libstdc++ the dynamic loader would find among the usual folders lacks the symbol version
    /// that TorchSharp 0.107's native library needs (the condition of build/LibTorchSharpGlibcxxPatcher.cs).
    /// </summary>
    private static bool SystemLibstdcxxLacksGlibcxx3432()
    {
        string[] candidates =
        [
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        ];
        string? library = candidates.FirstOrDefault(File.Exists);
        return library is not null
            && File.ReadAllBytes(library).AsSpan().IndexOf(Encoding.ASCII.GetBytes("GLIBCXX_3.4.32\0")) < 0;
    }
}
