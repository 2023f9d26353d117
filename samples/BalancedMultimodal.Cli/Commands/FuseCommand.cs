using BalancedMultimodal.Core;
using System.Diagnostics;
using System.Globalization;
using BalancedMultimodal.Graph.Fusion;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Commands;

/// <summary><c>bmm fuse</c>: snfpy-exact affinities and similarity network fusion of CSV views (docs/snf.md).</summary>
public sealed class FuseCommand : ICliCommand
{
    /// <inheritdoc />
    public string Name => "fuse";

    /// <inheritdoc />
    public string Summary => "similarity network fusion of CSV views (snfpy-exact)";

    /// <inheritdoc />
    public string Usage =>
        "usage: bmm fuse --views a.csv,b.csv[,c.csv...] [--K 20] [--mu 0.5] [--t 20] [--normalize true|false]\n" +
        "                [--dense] [--dtype float64|float32] --out fused.csv\n\n" +
        "  --views      two or more headerless comma-separated files, rows = samples (same rows in every file)\n" +
        "  --K          neighbours for the affinity kernel and the fusion (default 20, below the number of samples)\n" +
        "  --mu         kernel width factor (default 0.5)\n" +
        "  --t          fusion iterations (default 20)\n" +
        "  --normalize  z-score each column first (default true)\n" +
        "  --dense      use snfpy's dense O(n^3) products instead of the sparse fast path\n" +
        "  --dtype      float64 (default) or float32\n" +
        "  --out        where to write the fused n x n matrix (17 significant digits)\n" +
        "Prints fuse_ms=<milliseconds of affinity + fusion, excluding file I/O and a small warm-up run> as its last line.";

    /// <inheritdoc />
    public int Run(CliArguments args, TextWriter output)
    {
        var viewList = args.GetRequiredString("views");
        int k = args.GetInt("K", 20, minimum: 1);
        double mu = args.GetDouble("mu", 0.5);
        int t = args.GetInt("t", 20, minimum: 1);
        bool normalize = args.GetBool("normalize", true);
        bool dense = args.GetBool("dense", false);
        var dtypeName = args.GetString("dtype", "float64");
        var outPath = args.GetRequiredString("out");
        args.EnsureAllConsumed();
        CliPaths.RequireOutputFile(outPath, "out");

        var dtype = dtypeName switch
        {
            "float64" => ScalarType.Float64,
            "float32" => ScalarType.Float32,
            _ => throw new CliUsageException($"--dtype must be float64 or float32, got '{dtypeName}'"),
        };
        var paths = viewList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (paths.Length < 2)
            throw new CliUsageException($"--views needs at least two files, got {paths.Length}");

        AffinityBuilder builder;
        SimilarityNetworkFusion fusion;
        try
        {
            builder = new AffinityBuilder(new AffinityOptions { K = k, Mu = mu, ZScore = normalize });
            fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions
            {
                K = k,
                Iterations = t,
                ProductPath = dense ? FusionProductPath.Dense : FusionProductPath.Sparse,
            });
        }
        catch (OptionsValidationException e)
        {
            throw new CliUsageException(string.Join(" ", e.Failures)
                .Replace("AffinityOptions.Mu", "--mu").Replace("AffinityOptions.", "--")
                .Replace("SimilarityNetworkFusionOptions.Iterations", "--t").Replace("SimilarityNetworkFusionOptions.", "--"));
        }

        var matrices = paths.Select(MatrixCsv.Read).ToArray();
        int n = matrices[0].GetLength(0);
        for (int v = 1; v < matrices.Length; v++)
            if (matrices[v].GetLength(0) != n)
                throw new CliUsageException($"{paths[v]} has {matrices[v].GetLength(0)} rows but {paths[0]} has {n}; every view needs the same samples");
        if (k >= n)
            throw new CliUsageException($"--K {k} must be below the number of samples ({n})");
        // The output's folder is made and tried before the fusion, so that a path that cannot be written fails now.
        CliPaths.CreateOutputFileFolder(outPath, "out");

        GlibcHeap.ReturnLargeBlocksToSystem();
        WarmUp(dtype);
        var clock = Stopwatch.StartNew();
        double[,] fused;
        using (var scope = NewDisposeScope())
        {
            var views = matrices.Select(m => tensor(m, dtype: ScalarType.Float64).to_type(dtype)).ToArray();
            var affinities = builder.Build(views);
            var result = fusion.Fuse(affinities);
            fused = TensorMatrices.ToMatrix(result);
        }
        clock.Stop();

        MatrixCsv.Write(outPath, fused);
        output.WriteLine($"fused {n} x {n} similarity of {paths.Length} views written to {outPath}");
        output.WriteLine($"fuse_ms={clock.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)}");
        return 0;
    }

    // Loads the native library and JIT-compiles the code paths so fuse_ms measures the computation only.
    private static void WarmUp(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var views = new[] { rand(16, 3, dtype: dtype), rand(16, 3, dtype: dtype) };
        new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 4, Iterations = 1 })
            .Fuse(new AffinityBuilder(new AffinityOptions { K = 4 }).Build(views));
    }
}
