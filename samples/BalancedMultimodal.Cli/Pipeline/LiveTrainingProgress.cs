using System.Diagnostics;
using System.Globalization;
using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Progress for a terminal: one line per (fold, phase, modality) that is redrawn in place (carriage return) at every
/// report with a bar, the epoch, loss and validation macro-F1 (<see cref="TrainingProgressFormat.LiveLine"/>) and the
/// elapsed time; when the fold, phase or modality changes the finished line stays and a new one starts (a fold
/// resumed from a checkpoint first gets its <see cref="TrainingProgressFormat.ResumedLine"/>). Lines are cut to
/// the terminal width so they never wrap (a wrapped line cannot be redrawn). Call <see cref="Complete"/> (or dispose)
/// to end the last line before printing anything else.
/// </summary>
public sealed class LiveTrainingProgress : IFoldProgress, IDisposable
{
    private readonly TextWriter _output;
    private readonly int _foldCount;
    private readonly Func<int> _width;
    private readonly FoldTracker _folds = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private (int Fold, TrainingPhase Phase, string? Modality)? _current;
    private int _lastLength;

    /// <summary>Creates the reporter.</summary>
    /// <param name="output">The terminal writer.</param>
    /// <param name="foldCount">Number of folds the run trains.</param>
    /// <param name="width">Returns the terminal width in columns (default: <see cref="Console.WindowWidth"/>, 100 when unknown).</param>
    public LiveTrainingProgress(TextWriter output, int foldCount, Func<int>? width = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(foldCount, 1);
        _output = output;
        _foldCount = foldCount;
        _width = width ?? TerminalWidth;
    }

    /// <inheritdoc />
    public void FoldStarting(string? resumedFrom)
    {
        lock (_gate)
        {
            EndLine();
            _folds.StartFold();
            if (resumedFrom is null) return;
            _output.WriteLine(TrainingProgressFormat.ResumedLine(_folds.Fold, resumedFrom));
            _output.Flush();
        }
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            _folds.Observe(value);
            var key = (_folds.Fold, value.Phase, value.Modality);
            if (_current is { } current && current != key) EndLine();
            _current = key;
            var text = TrainingProgressFormat.LiveLine(value, _folds.Fold, _foldCount)
                + string.Create(CultureInfo.InvariantCulture, $"  {_clock.Elapsed.TotalSeconds:F0}s");
            int max = Math.Max(20, _width() - 1);
            if (text.Length > max) text = text[..max];
            // Pad with spaces to erase what is left of a longer previous text on this line.
            _output.Write("\r" + text.PadRight(Math.Max(text.Length, _lastLength)));
            _output.Flush();
            _lastLength = text.Length;
        }
    }

    /// <summary>Ends the line being redrawn (no-op when none is open).</summary>
    public void Complete()
    {
        lock (_gate) EndLine();
    }

    /// <inheritdoc />
    public void Dispose() => Complete();

    private void EndLine()
    {
        if (_lastLength == 0) return;
        _output.WriteLine();
        _output.Flush();
        _lastLength = 0;
        _current = null;
    }

    private static int TerminalWidth()
    {
        try
        {
            int width = Console.WindowWidth;
            return width > 0 ? width : 100;
        }
        catch (IOException)
        {
            return 100;
        }
    }
}
