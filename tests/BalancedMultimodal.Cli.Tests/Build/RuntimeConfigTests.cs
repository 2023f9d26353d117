using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Build;

public class RuntimeConfigTests
{
    [Fact]
    public void The_bmm_executable_runs_without_dynamic_PGO()
    {
        // Twenty-ninth session (docs/benchmarks.md): dynamic PGO's instrumented tier re-compiled every hot method once
        // more on the background JIT thread, about 8 % of the main job's CPU samples, so the CLI project sets
        // <TieredPGO>false</TieredPGO>; the SDK writes it into bmm.runtimeconfig.json, which is copied beside bmm.dll.
        string directory = Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!;
        string path = Path.Combine(directory, "bmm.runtimeconfig.json");
        File.Exists(path).Should().BeTrue($"the referenced executable's runtime configuration is copied to {directory}");

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        properties.TryGetProperty("System.Runtime.TieredPGO", out var pgo).Should().BeTrue();
        pgo.ValueKind.Should().Be(JsonValueKind.False);
    }
}
