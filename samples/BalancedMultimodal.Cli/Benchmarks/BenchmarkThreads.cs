using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary>The <c>--threads</c> option of the benchmarks that run at one libtorch thread count.</summary>
public static class BenchmarkThreads
{
    /// <summary>Reads <c>--threads</c>: 0 (the default) keeps TorchSharp's thread count, a positive count sets it.</summary>
    /// <exception cref="CliUsageException">The count is negative or above <see cref="Pipeline.TrainingPipeline.MaxThreads"/>.</exception>
    public static int Read(CliArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int threads = args.GetInt("threads", 0, minimum: 0);
        if (threads < 0)
            throw new CliUsageException($"--threads must be >= 0 (0 keeps TorchSharp's default), got {threads}");
        if (threads > Pipeline.TrainingPipeline.MaxThreads)
            throw new CliUsageException($"--threads must be at most {Pipeline.TrainingPipeline.MaxThreads}, got {threads}");
        return threads;
    }

    /// <summary>Sets libtorch's intra-op thread count when <paramref name="threads"/> is positive (after all other
    /// options were checked, so that a usage error changes nothing).</summary>
    public static void Apply(int threads)
    {
        if (threads > 0)
            set_num_threads(threads);
    }
}
