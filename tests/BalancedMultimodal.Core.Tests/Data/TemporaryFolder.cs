namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>A temporary copy of a fixture folder in which single files can be replaced; deleted on dispose.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder(string? copyFrom = null)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bmm-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        if (copyFrom is not null)
            foreach (var file in Directory.GetFiles(copyFrom))
                File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
    }

    public string Path { get; }

    public void Replace(string fileName, string sourceFile) =>
        File.Copy(sourceFile, System.IO.Path.Combine(Path, fileName), overwrite: true);

    public void Delete(string fileName) => File.Delete(System.IO.Path.Combine(Path, fileName));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
