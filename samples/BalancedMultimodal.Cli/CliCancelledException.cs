namespace BalancedMultimodal.Cli;

/// <summary>A run stopped by Ctrl+C (or its host's cancellation): <see cref="CliApp.Run"/> prints the message as one
/// line on stderr and returns <see cref="CliApp.Cancelled"/>.</summary>
public sealed class CliCancelledException(string message) : Exception(message);
