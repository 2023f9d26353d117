using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Cli;

/// <summary>Dispatches <c>bmm</c> sub-commands and turns failures into one-line errors with exit codes.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad arguments or bad input.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a run cancelled with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>An unknown command within this many edits (insertions, deletions, substitutions) of a command's name
    /// gets "did you mean 'NAME'?" (<c>bmm trian</c>: 'train').</summary>
    public const int MaxSuggestionDistance = 2;

    /// <summary>Runs the command named by <paramref name="args"/>[0] (or the default command).</summary>
    public static int Run(string[] args, IReadOnlyList<ICliCommand> commands, string defaultCommand, TextWriter output, TextWriter error)
    {
        if (args.Length > 0 && (args[0] is "--help" or "-h" or "help"))
        {
            output.WriteLine("bmm: balanced multimodal learning (BalancedMultimodal sample CLI)");
            output.WriteLine();
            output.WriteLine("usage: bmm <command> [options]      (no command: " + defaultCommand + " on the bundled ROSMAP data)");
            output.WriteLine();
            output.WriteLine("commands:");
            foreach (var c in commands) output.WriteLine($"  {c.Name,-8} {c.Summary}");
            output.WriteLine();
            output.WriteLine("bmm <command> --help (or -h) shows a command's options; bmm --version (or bmm version) the versions.");
            return 0;
        }
        if (args.Length > 0 && (args[0] is "--version" or "version"))
        {
            if (args.Length > 1)
            {
                error.WriteLine($"bmm {args[0]}: unexpected argument '{args[1]}' ({args[0]} takes none)");
                return UsageError;
            }
            ToolVersions.Write(output);
            return 0;
        }
        string name = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : defaultCommand;
        var rest = args.Length > 0 && name == args[0] ? args[1..] : args;
        var command = commands.FirstOrDefault(c => c.Name == name);
        if (command is null)
        {
            // An option-like token is not a mistyped command: only the usual version flags get a suggestion.
            var closest = name.StartsWith('-')
                ? name is "-v" or "-V" or "-version" ? "--version" : null
                : EditDistance.Closest(name, commands.Select(c => c.Name).Append("version"), MaxSuggestionDistance);
            var suggestion = closest is null ? "" : $"did you mean '{closest}'? ";
            error.WriteLine($"bmm: unknown command '{name}' ({suggestion}bmm --help lists the commands)");
            return UsageError;
        }
        try
        {
            var parsed = new CliArguments(rest);
            if (parsed.WantsHelp)
            {
                output.WriteLine(command.Usage);
                return 0;
            }
            return command.Run(parsed, output);
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"bmm {name}: {e.Message}");
            return UsageError;
        }
        catch (CliCancelledException e)
        {
            error.WriteLine($"bmm {name}: {e.Message}");
            return Cancelled;
        }
        catch (Exception e) when (e is ArgumentException or IOException or FormatException or InvalidDataException or UnauthorizedAccessException
                                   or OptionsValidationException)
        {
            error.WriteLine($"bmm {name}: {OneLine(e)}");
            if (Environment.GetEnvironmentVariable("BMM_STACKTRACE") == "1") error.WriteLine(e);
            return UsageError;
        }
    }

    /// <summary>
    /// The first line of an exception's message, without the " (Parameter 'x')" that <see cref="ArgumentException"/>
    /// appends to it (an <see cref="ArgumentOutOfRangeException"/> adds "Actual value was ..." on a second line).
    /// </summary>
    internal static string OneLine(Exception e)
    {
        var message = e.Message.Split('\n')[0].TrimEnd('\r');
        if (e is ArgumentException { ParamName: { } parameter })
        {
            var suffix = $" (Parameter '{parameter}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal)) message = message[..^suffix.Length];
        }
        return message;
    }

    /// <summary>The bundled ROSMAP folder next to the executable.</summary>
    public static string BundledDataFolder => Path.Combine(AppContext.BaseDirectory, "data", "ROSMAP");
}
