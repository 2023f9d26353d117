namespace BalancedMultimodal.Cli;

/// <summary>
/// Up-front checks of the paths given on the command line, run right after the arguments are parsed so that a path
/// that cannot be used fails before any work (a run must not train for minutes and then fail to write its results).
/// Every message names the option.
/// </summary>
public static class CliPaths
{
    /// <summary>Checks a folder the command will create or write into: it must not be an existing file, and no
    /// existing ancestor of it may be a file. Nothing is created.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="option">The option's name without dashes (e.g. <c>out</c>).</param>
    /// <exception cref="CliUsageException">The path is empty or cannot be a folder.</exception>
    public static void RequireOutputFolder(string path, string option)
    {
        RequireValue(path, option);
        if (File.Exists(path)) throw new CliUsageException($"option --{option}: '{path}' is a file, not a folder");
        RequireNoFileAncestor(path, option);
    }

    /// <summary>Checks a file the command will write: it must not be an existing folder, and no existing ancestor of it
    /// may be a file. Nothing is created.</summary>
    /// <param name="path">The file.</param>
    /// <param name="option">The option's name without dashes (e.g. <c>out</c>).</param>
    /// <exception cref="CliUsageException">The path is empty or cannot be written as a file.</exception>
    public static void RequireOutputFile(string path, string option)
    {
        RequireValue(path, option);
        if (Directory.Exists(path)) throw new CliUsageException($"option --{option}: '{path}' is a folder, not a file");
        RequireNoFileAncestor(path, option);
    }

    /// <summary>Creates a folder the command will write into (after <see cref="RequireOutputFolder"/>'s checks) and
    /// checks that a file can be created in it, so that a place that cannot be written fails now, before any work.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="option">The option's name without dashes (e.g. <c>out</c>).</param>
    /// <exception cref="CliUsageException">The folder cannot be created or written into.</exception>
    public static void CreateOutputFolder(string path, string option)
    {
        RequireOutputFolder(path, option);
        CreateWritableFolder(path, option, $"the folder '{path}'");
    }

    /// <summary>Creates the folder of a file the command will write (after <see cref="RequireOutputFile"/>'s checks) and
    /// checks that a file can be created there; the file itself is not touched until the command writes it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="option">The option's name without dashes (e.g. <c>out</c>).</param>
    /// <exception cref="CliUsageException">The folder cannot be created or written into.</exception>
    public static void CreateOutputFileFolder(string path, string option)
    {
        RequireOutputFile(path, option);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        CreateWritableFolder(folder, option, $"the folder of '{path}'");
    }

    /// <summary>Checks a folder the command reads: it must exist and be a folder.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="option">The option's name without dashes (e.g. <c>data</c>).</param>
    /// <param name="what">What the folder holds, for the message (e.g. <c>data</c> gives "data folder '...' does not exist").</param>
    /// <exception cref="CliUsageException">The path is empty, the folder does not exist, or the path is a file.</exception>
    public static void RequireInputFolder(string path, string option, string what)
    {
        RequireValue(path, option);
        if (File.Exists(path)) throw new CliUsageException($"option --{option}: '{path}' is a file, not a folder (give the {what} folder)");
        if (!Directory.Exists(path)) throw new CliUsageException($"{what} folder '{path}' does not exist");
    }

    private static void CreateWritableFolder(string folder, string option, string what)
    {
        try
        {
            Directory.CreateDirectory(folder);
            // A probe file, deleted when closed: a read-only mount or a folder without write permission fails here.
            var probe = Path.Combine(folder, $".bmm-write-probe-{Environment.ProcessId}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"option --{option}: cannot write {what}: {e.Message}");
        }
    }

    private static void RequireValue(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path)) throw new CliUsageException($"option --{option} needs a non-empty value");
    }

    private static void RequireNoFileAncestor(string path, string option)
    {
        for (var folder = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            if (Directory.Exists(folder)) return;
            if (File.Exists(folder)) throw new CliUsageException($"option --{option}: '{path}' cannot be created because '{folder}' is a file");
        }
    }
}
