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
    /// <exception cref="CliUsageException">The path cannot be a folder.</exception>
    public static void RequireOutputFolder(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path)) throw new CliUsageException($"option --{option}: '{path}' is a file, not a folder");
        RequireNoFileAncestor(path, option);
    }

    /// <summary>Checks a file the command will write: it must not be an existing folder, and no existing ancestor of it
    /// may be a file. Nothing is created.</summary>
    /// <param name="path">The file.</param>
    /// <param name="option">The option's name without dashes (e.g. <c>out</c>).</param>
    /// <exception cref="CliUsageException">The path cannot be written as a file.</exception>
    public static void RequireOutputFile(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new CliUsageException($"option --{option}: '{path}' is a folder, not a file");
        RequireNoFileAncestor(path, option);
    }

    /// <summary>Checks a folder the command reads: it must exist and be a folder.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="option">The option's name without dashes (e.g. <c>data</c>).</param>
    /// <param name="what">What the folder holds, for the message (e.g. <c>data</c> gives "data folder '...' does not exist").</param>
    /// <exception cref="CliUsageException">The folder does not exist, or the path is a file.</exception>
    public static void RequireInputFolder(string path, string option, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path)) throw new CliUsageException($"option --{option}: '{path}' is a file, not a folder (give the {what} folder)");
        if (!Directory.Exists(path)) throw new CliUsageException($"{what} folder '{path}' does not exist");
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
