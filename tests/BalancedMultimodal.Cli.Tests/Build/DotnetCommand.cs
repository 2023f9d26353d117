using System.Diagnostics;
using System.Text;

namespace BalancedMultimodal.Cli.Tests.Build;

/// <summary>
/// Runs the <c>dotnet</c> that runs the tests as a child process (pack, build, or an app's dll) and collects what it
/// prints, for the package tests.
/// </summary>
public static class DotnetCommand
{
    /// <summary>
    /// Runs <c>dotnet &lt;arguments&gt;</c> in <paramref name="workingDirectory"/> and waits at most
    /// <paramref name="timeout"/>, then kills the process tree.
    /// </summary>
    /// <remarks>
    /// The test host inherits MSBuild's variables from the <c>dotnet test</c> that started it (the SDK paths,
    /// MSBUILDNOINPROCNODE and the like); they are removed so that the child dotnet sets its own. Telemetry and the
    /// first-run banner are off.
    /// </remarks>
    public static DotnetCommandResult Run(string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(DotnetExecutable())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (string name in startInfo.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase))
            {
                startInfo.Environment.Remove(name);
            }
        }

        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        string command = "dotnet " + string.Join(' ', startInfo.ArgumentList);
        var standardOutput = new StringBuilder();
        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) =>
        {
            Append(output, e.Data);
            Append(standardOutput, e.Data);
        };
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new DotnetCommandResult(command, -1, $"timed out after {timeout}\n{Snapshot(output)}", Snapshot(standardOutput));
        }

        process.WaitForExit(); // drains the asynchronous output readers
        return new DotnetCommandResult(command, process.ExitCode, Snapshot(output), Snapshot(standardOutput));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>The dotnet that runs the tests: the SDK's host path if set, else this process's own dotnet.</summary>
    private static string DotnetExecutable()
    {
        string? hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
        {
            return hostPath;
        }

        string? processPath = Environment.ProcessPath;
        if (processPath is not null
            && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        return "dotnet";
    }
}

/// <summary>The outcome of one <see cref="DotnetCommand.Run"/>.</summary>
/// <param name="Command">The command line, for messages.</param>
/// <param name="ExitCode">The process's exit code (-1 after a timeout).</param>
/// <param name="Output">Everything the process printed, standard output and standard error interleaved.</param>
/// <param name="StandardOutput">What the process printed on standard output alone.</param>
public sealed record DotnetCommandResult(string Command, int ExitCode, string Output, string StandardOutput)
{
    /// <summary>The command, its exit code and everything it printed, for a failure message.</summary>
    public string Describe() => $"`{Command}` exited with code {ExitCode}:\n{Output}";
}
