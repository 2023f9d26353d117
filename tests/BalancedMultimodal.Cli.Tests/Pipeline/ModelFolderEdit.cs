using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>
/// Deliberate edits of a saved model folder for the load-check tests: a JSON file changed in place, and, as a careful
/// hand edit would, its new SHA-256 recorded in manifest.json, so that the load gets past the checksums (which catch
/// unrecorded edits first) to the consistency check a test is about.
/// </summary>
internal static class ModelFolderEdit
{
    /// <summary>Applies <paramref name="edit"/> to the JSON file <paramref name="fileName"/> in <paramref name="folder"/>,
    /// then records its new checksum unless <paramref name="recordChecksum"/> is false (or the file is the manifest).</summary>
    public static void EditJson(string folder, string fileName, Action<JsonNode> edit, bool recordChecksum = true)
    {
        var path = Path.Combine(folder, fileName);
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        edit(node);
        File.WriteAllText(path, node.ToJsonString());
        if (recordChecksum && fileName != "manifest.json") RecordChecksum(folder, fileName);
    }

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
