namespace BalancedMultimodal.Cli;

/// <summary>Bad command-line arguments or bad input files: printed as one line, exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
