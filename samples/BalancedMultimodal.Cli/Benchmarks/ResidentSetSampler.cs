using System.Globalization;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary>
/// Samples this process's resident set at a fixed interval on a background thread while a measured call runs (the
/// memory column of <c>bmm bench snf --memory</c>). On Linux the resident set is read from <c>/proc/self/statm</c>
/// (resident pages times the page size); elsewhere <see cref="Environment.WorkingSet"/>.
/// </summary>
public sealed class ResidentSetSampler : IDisposable
{
    private readonly List<long> _samples = [];
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new(false);
    private int _stopped;
    private readonly TimeSpan _interval;

    private ResidentSetSampler(TimeSpan interval)
    {
        _interval = interval;
        _samples.Add(CurrentBytes());
        _thread = new Thread(Sample) { IsBackground = true, Name = "resident set sampler" };
        _thread.Start();
    }

    /// <summary>Starts sampling; the first sample is taken at once, on the calling thread.</summary>
    /// <param name="interval">The time between samples: positive and at most <see cref="int.MaxValue"/> milliseconds
    /// (the wait's limit; a longer one would throw on the sampling thread and end the process).</param>
    /// <exception cref="ArgumentOutOfRangeException">The interval is not positive or longer than that.</exception>
    public static ResidentSetSampler Start(TimeSpan interval) =>
        interval > TimeSpan.Zero && interval.TotalMilliseconds <= int.MaxValue
            ? new ResidentSetSampler(interval)
            : throw new ArgumentOutOfRangeException(nameof(interval), interval, $"The sampling interval must be positive and at most {int.MaxValue} ms.");

    /// <summary>Stops sampling, takes a last sample and returns all of them in bytes, oldest first (thread-safe: only
    /// the first call stops the thread and takes the last sample).</summary>
    public IReadOnlyList<long> Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _stop.Set();
            _thread.Join();
            lock (_samples) _samples.Add(CurrentBytes());
        }
        lock (_samples) return _samples.ToArray();
    }

    /// <summary>The resident set of this process now, in bytes.</summary>
    public static long CurrentBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var fields = File.ReadAllText("/proc/self/statm").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
            }
            catch (IOException)
            {
                // Fall through to the portable reading.
            }
        }
        return Environment.WorkingSet;
    }

    /// <summary>
    /// The samples above <paramref name="baseline"/> in units of <paramref name="unit"/> bytes, one decimal each, with
    /// runs of equal values written once with their count (<c>6.0 x12</c>).
    /// </summary>
    public static string Describe(IReadOnlyList<long> samples, long baseline, double unit)
    {
        var parts = new List<string>();
        string? previous = null;
        int run = 0;
        foreach (long sample in samples)
        {
            string value = ((sample - baseline) / unit).ToString("F1", CultureInfo.InvariantCulture);
            if (value == previous) { run++; continue; }
            if (previous is not null) parts.Add(run > 1 ? $"{previous} x{run}" : previous);
            previous = value;
            run = 1;
        }
        if (previous is not null) parts.Add(run > 1 ? $"{previous} x{run}" : previous);
        return string.Join(", ", parts);
    }

    private void Sample()
    {
        while (!_stop.Wait(_interval))
        {
            long bytes = CurrentBytes();
            lock (_samples) _samples.Add(bytes);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }
}
