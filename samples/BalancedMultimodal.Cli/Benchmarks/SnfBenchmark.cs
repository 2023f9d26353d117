using System.Diagnostics;
using System.Globalization;
using BalancedMultimodal.Cli.Commands;
using BalancedMultimodal.Core;
using BalancedMultimodal.Graph.Fusion;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Benchmarks;

/// <summary>
/// <c>bmm bench snf</c>: similarity network fusion, sparse fast path vs snfpy's dense products, on synthetic data
/// (views x features, clustered Gaussians) and on the bundled ROSMAP data; timings next to the snfpy anchors. With
/// <c>--missing F</c> every view of every sample is missing with probability F on its own (seeded; a sample keeps at
/// least one view), and the affinities and the fusion run with the availability masks (the pipeline's default graph
/// for incomplete samples). With <c>--memory</c> the fast fusion's resident set is sampled every 100 ms and printed
/// after the table, above its level just before the fusion, in n x n float64 matrices.
/// </summary>
public sealed class SnfBenchmark : IBenchmark
{
    // snfpy (numpy + OpenBLAS, both cores of an idle machine, affinity + fusion, K = 20, t = 20), seconds, from the issue;
    // quoted, not measured: the output's table marks the columns and says so below it.
    private static readonly Dictionary<int, double> SnfpySeconds = new() { [351] = 0.36, [875] = 3.2, [2000] = 37 };

    /// <summary>The note printed under the table: the snfpy columns are reference timings, not this run's.</summary>
    public const string SnfpyNote =
        "* snfpy s: reference timings of snfpy (numpy + OpenBLAS, affinity + fusion, K = 20, t = 20, complete data, both cores " +
        "of an idle machine), quoted from docs/benchmarks/snf.md (the machine is named in docs/benchmarks.md); they are constants " +
        "of this program, not measured by this run, so \"snfpy* / ours\" compares this run with another one, possibly on other hardware.";

    /// <inheritdoc />
    public string Name => "snf";

    /// <summary>Samples in the bundled ROSMAP data (245 training + 106 test).</summary>
    private const int RosmapSamples = 351;

    /// <inheritdoc />
    public string Summary => "similarity network fusion: sparse fast path vs dense, and vs snfpy's reference timings (quoted, not run)";

    /// <inheritdoc />
    public IReadOnlyList<string> Options { get; } =
    [
        "--sizes LIST       synthetic sample counts, each above 20 (default 500,875,2000,5000: up to n = 5000,",
        "                   which takes minutes; the dense run at 5000 alone can take a quarter of an hour)",
        "--dense-max N      largest n also fused with the dense products, 0 = none (default 5000)",
        "--coo-max N        largest n also fused with libtorch's COO product, 0 = none (default 0)",
        "--features N       features per synthetic view (default 100)",
        "--views N          synthetic views, >= 2 (default 3)",
        "--K N              neighbours (default 20)",
        "--t N              fusion iterations (default 20)",
        "--seed N           seed of the synthetic data and of --missing (default 1)",
        "--rosmap true|false  also run the bundled ROSMAP data (default true)",
        "--missing F        probability in [0, 1) that a view of a sample is missing (default 0)",
        "--memory           sample the fast fusion's resident set every 100 ms (default off)",
        "--threads N        torch threads, 0 keeps TorchSharp's (default 0)",
        "the snfpy columns are reference timings quoted from docs/benchmarks/snf.md, not measured by the run",
    ];

    /// <inheritdoc />
    public void Run(CliArguments args, TextWriter output)
    {
        var sizes = (args.GetString("sizes", "500,875,2000,5000") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => CliArguments.ParseInt(s, "--sizes", minimum: 21, expected: "comma-separated integers above 20") is var n && n > 20
                ? n : throw new CliUsageException($"--sizes expects comma-separated integers above 20, got '{s}'"))
            .ToArray();
        if (sizes.Length == 0) throw new CliUsageException("--sizes needs at least one size");
        int denseMax = args.GetInt("dense-max", 5000, minimum: 0);
        int cooMax = args.GetInt("coo-max", 0, minimum: 0);
        if (denseMax < 0) throw new CliUsageException($"--dense-max must be 0 or positive, got {denseMax}");
        if (cooMax < 0) throw new CliUsageException($"--coo-max must be 0 or positive, got {cooMax}");
        int features = args.GetInt("features", DefaultFeatures, minimum: 1);
        int viewCount = args.GetInt("views", DefaultViews, minimum: 2);
        int k = args.GetInt("K", 20, minimum: 1);
        int t = args.GetInt("t", 20, minimum: 1);
        int seed = args.GetInt("seed", 1);
        bool rosmap = args.GetBool("rosmap", true);
        double missing = args.GetDouble("missing", 0);
        bool memory = args.GetBool("memory", false);
        int threads = BenchmarkThreads.Read(args);
        args.EnsureAllConsumed(allowPositionals: true);
        if (!(missing >= 0 && missing < 1)) throw new CliUsageException($"--missing must lie in [0, 1), got {missing.ToString(CultureInfo.InvariantCulture)}");
        if (features < 1 || viewCount < 2 || k < 1 || t < 1)
            throw new CliUsageException("--features, --K and --t must be at least 1 and --views at least 2");
        int smallest = Math.Min(sizes.DefaultIfEmpty(int.MaxValue).Min(), rosmap ? RosmapSamples : int.MaxValue);
        if (k >= smallest)
            throw new CliUsageException($"--K = {k} must be below the smallest number of samples benchmarked ({smallest}{(rosmap && smallest == RosmapSamples ? ", ROSMAP" : "")})");
        BenchmarkThreads.Apply(threads);
        GlibcHeap.ReturnLargeBlocksToSystem();

        output.WriteLine($"# SNF benchmark: {viewCount} views x {features} features (synthetic), K = {k}, t = {t}, float64, torch threads = {get_num_threads()}" +
                         (missing > 0 ? $", each view missing on a sample with probability {missing.ToString(CultureInfo.InvariantCulture)} (availability masks)" : ""));
        output.WriteLine();
        output.WriteLine("| data | n | affinity ms | fast fusion ms | dense fusion ms | dense / fast | max abs diff | COO fusion ms | affinity + fast fusion s | snfpy s (reference*) | snfpy* / ours |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        // Warm-up (JIT, native library load) so the first row is not charged for it.
        using (var warm = NewDisposeScope())
            Measure(TextWriter.Null, "warm-up", Synthetic(64, 8, viewCount, seed), Math.Min(k, 10), 2, dense: true, coo: true, Masks(64, viewCount, missing, seed), null);
        var memoryRows = memory ? new List<string>() : null;
        if (rosmap)
        {
            var views = Enumerable.Range(1, 3).Select(LoadRosmapView).ToArray();
            Measure(output, "ROSMAP", views, k, t, dense: RosmapSamples <= denseMax, coo: RosmapSamples <= cooMax, Masks(RosmapSamples, 3, missing, seed), memoryRows,
                comparable: AsReferenced(k, t));
            foreach (var view in views) view.Dispose();
        }
        foreach (int n in sizes)
        {
            var views = Synthetic(n, features, viewCount, seed);
            Measure(output, "synthetic", views, k, t, dense: n <= denseMax, coo: n <= cooMax, Masks(n, viewCount, missing, seed), memoryRows,
                comparable: AsReferenced(k, t) && viewCount == DefaultViews && features == DefaultFeatures);
            foreach (var view in views) view.Dispose();
        }
        output.WriteLine();
        output.WriteLine(SnfpyNote);
        if (memoryRows is not null)
        {
            output.WriteLine();
            output.WriteLine("Fast fusion, resident set above its level just before the call, in n x n float64 matrices, sampled every " +
                             $"{MemorySampling.TotalMilliseconds:F0} ms (first and last samples at the call's start and end; \"x12\" = 12 equal samples):");
            output.WriteLine();
            output.WriteLine("| data | n | n x n MB | resident before GB | peak | samples |");
            output.WriteLine("|---|---:|---:|---:|---:|---|");
            foreach (var row in memoryRows) output.WriteLine(row);
        }
        output.WriteLine();
        output.WriteLine($"Memory (float64): during the iterations the fast path holds {viewCount} + 3 n x n matrices ({viewCount} views P_v, " +
                         "updated in place, their sum, A = sum - P_v and the intermediate product) plus the sparse S_v (about K entries " +
                         "per row), with availability masks one more (the per-pair divisor); the set-up and the final normalisation " +
                         "stay below that level (--memory shows it); the dense path adds one dense S_v per view and two product temporaries. " +
                         $"At n = 5000 one n x n matrix is {5000L * 5000 * 8 / 1e6:F0} MB. Peak resident set of this process: " +
                         $"{Environment.WorkingSet / 1e9:F2} GB now, {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1e9:F2} GB at most.");
    }

    /// <summary>Per view, which of the n samples have it: each view missing with probability <paramref name="missing"/>
    /// on its own, a sample that would lack all keeping one drawn uniformly; null when nothing is missing.</summary>
    private static bool[][]? Masks(int n, int views, double missing, int seed)
    {
        if (missing == 0) return null;
        var random = new Random(seed);
        var masks = Enumerable.Range(0, views).Select(_ => new bool[n]).ToArray();
        for (int i = 0; i < n; i++)
        {
            for (int v = 0; v < views; v++) masks[v][i] = random.NextDouble() >= missing;
            if (!masks.Any(m => m[i])) masks[random.Next(views)][i] = true;
        }
        return masks;
    }

    /// <summary>The interval of the <c>--memory</c> samples.</summary>
    private static readonly TimeSpan MemorySampling = TimeSpan.FromMilliseconds(100);

    /// <summary>The views and features per view of the synthetic data by default, those of the snfpy reference runs.</summary>
    private const int DefaultViews = 3, DefaultFeatures = 100;

    /// <summary>Whether K and t are the snfpy reference runs' (K = 20, t = 20): with other settings the reference
    /// timings compare nothing and are printed as "-".</summary>
    private static bool AsReferenced(int k, int t) => k == 20 && t == 20;

    private static void Measure(TextWriter output, string label, Tensor[] views, int k, int t, bool dense, bool coo, bool[][]? masks,
        List<string>? memoryRows, bool comparable = false)
    {
        long n = views[0].shape[0];
        using var scope = NewDisposeScope();
        var builder = new AffinityBuilder(new AffinityOptions { K = k });
        var fast = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = k, Iterations = t });
        var clock = Stopwatch.StartNew();
        var affinities = builder.Build(views, masks);
        double affinityMs = clock.Elapsed.TotalMilliseconds;
        // The sampler's thread is stopped and its event disposed even if the fusion throws.
        using var sampler = memoryRows is null ? null : ResidentSetSampler.Start(MemorySampling);
        clock.Restart();
        var fastResult = fast.Fuse(affinities, masks);
        double fastMs = clock.Elapsed.TotalMilliseconds;
        if (sampler is not null)
        {
            var samples = sampler.Stop();
            double matrix = n * n * 8.0;
            memoryRows!.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {n} | {matrix / 1e6:F0} | {samples[0] / 1e9:F2} | {(samples.Max() - samples[0]) / matrix:F1} | {ResidentSetSampler.Describe(samples, samples[0], matrix)} |"));
        }
        string denseMs = "-", ratio = "-", difference = "-";
        if (dense)
        {
            var slow = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = k, Iterations = t, ProductPath = FusionProductPath.Dense });
            clock.Restart();
            var denseResult = slow.Fuse(affinities, masks);
            double ms = clock.Elapsed.TotalMilliseconds;
            denseMs = ms.ToString("F0", CultureInfo.InvariantCulture);
            ratio = (ms / fastMs).ToString("F1", CultureInfo.InvariantCulture) + "x";
            difference = (fastResult - denseResult).abs().max().item<double>().ToString("G3", CultureInfo.InvariantCulture);
        }
        string cooMs = "-";
        if (coo)
        {
            var sparseCoo = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = k, Iterations = t, ProductPath = FusionProductPath.SparseCoo });
            clock.Restart();
            using var cooResult = sparseCoo.Fuse(affinities, masks);
            cooMs = clock.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);
        }
        double totalSeconds = (affinityMs + fastMs) / 1000;
        // The snfpy anchors were measured on complete data with K = 20, t = 20 (and the default synthetic shape): no
        // comparison with masks or other settings.
        // The 351-sample anchor is ROSMAP's, the others synthetic: a synthetic run of 351 samples has none.
        bool anchored = comparable && masks is null && SnfpySeconds.ContainsKey((int)n) && (label == "ROSMAP") == (n == RosmapSamples);
        string snfpy = anchored ? SnfpySeconds[(int)n].ToString("G3", CultureInfo.InvariantCulture) : "-";
        string versus = anchored ? (SnfpySeconds[(int)n] / totalSeconds).ToString("F1", CultureInfo.InvariantCulture) + "x" : "-";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {n} | {affinityMs:F0} | {fastMs:F0} | {denseMs} | {ratio} | {difference} | {cooMs} | {totalSeconds:F3} | {snfpy} | {versus} |"));
        output.Flush();
    }

    /// <summary>Clustered Gaussian views: 4 classes, per view a random class mean plus unit noise.</summary>
    /// <remarks>The views leave the method's dispose scope (to the caller's, if any); every temporary is freed.</remarks>
    private static Tensor[] Synthetic(int n, int features, int viewCount, int seed)
    {
        using var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        var labels = randint(0, 4, new long[] { n }, generator: generator);
        var views = new Tensor[viewCount];
        for (int v = 0; v < viewCount; v++)
        {
            var means = randn(4, features, dtype: ScalarType.Float64, generator: generator);
            var noise = randn(n, features, dtype: ScalarType.Float64, generator: generator);
            views[v] = means.index_select(0, labels).Times(0.5).Plus(noise).MoveToOuterDisposeScope();
        }
        return views;
    }

    private static Tensor LoadRosmapView(int view)
    {
        var folder = CliApp.BundledDataFolder;
        using var train = tensor(MatrixCsv.Read(Path.Combine(folder, $"{view}_tr.csv")), dtype: ScalarType.Float64);
        using var test = tensor(MatrixCsv.Read(Path.Combine(folder, $"{view}_te.csv")), dtype: ScalarType.Float64);
        return cat(new[] { train, test }, 0);
    }
}
