using System.Reflection;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Fusion;

namespace BalancedMultimodal.Cli;

/// <summary>What <c>bmm --version</c> (or <c>bmm version</c>) prints: the informational version of the tool and of each
/// BalancedMultimodal library assembly it runs with, one "name version" line each.</summary>
public static class ToolVersions
{
    /// <summary>The assemblies reported, the tool first.</summary>
    public static IReadOnlyList<Assembly> Assemblies { get; } =
    [
        typeof(ToolVersions).Assembly,
        typeof(MultimodalDataset).Assembly,
        typeof(SimilarityNetworkFusion).Assembly,
        typeof(BalancedTrainer).Assembly,
    ];

    /// <summary>Writes "bmm VERSION" and then "BalancedMultimodal.Core VERSION" etc., one line per assembly.</summary>
    public static void Write(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var assembly in Assemblies)
            output.WriteLine($"{assembly.GetName().Name} {InformationalVersion(assembly)}");
    }

    /// <summary>The assembly's informational version (e.g. "1.2.0+3f2c..."), else its assembly version.</summary>
    public static string InformationalVersion(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
    }
}
