using Microsoft.Extensions.Logging;

namespace BalancedMultimodal.Graph.Tests.Graphs;

/// <summary>A logger that keeps the text of every warning, for tests of the connectivity report's warnings.</summary>
internal sealed class RecordingLogger : ILogger
{
    /// <summary>The formatted warnings, in the order they were logged.</summary>
    public List<string> Warnings { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == LogLevel.Warning) Warnings.Add(formatter(state, exception));
    }
}
