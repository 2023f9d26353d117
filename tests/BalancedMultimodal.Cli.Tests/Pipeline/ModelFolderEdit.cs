using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>
/// Records a deliberately edited file's new SHA-256 in a saved model's manifest.json, as a careful hand edit would: the
/// load then gets past the checksums (which catch unrecorded edits first) to the consistency check the test is about.
/// </summary>
internal static class ModelFolderEdit
{
    /// <summary>Updates the manifest entry of <paramref name="fileName"/> in <paramref name="folder"/> to the file's current hash.</summary>
    public static void RecordChecksum(string folder, string fileName)
    {
        var manifestPath = Path.Combine(folder, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        var entry = manifest["Files"]!.AsArray().Single(f => f!["Name"]!.GetValue<string>() == fileName)!;
        using (var stream = File.OpenRead(Path.Combine(folder, fileName)))
            entry["Sha256"] = Convert.ToHexStringLower(SHA256.HashData(stream));
        File.WriteAllText(manifestPath, manifest.ToJsonString());
    }
}
