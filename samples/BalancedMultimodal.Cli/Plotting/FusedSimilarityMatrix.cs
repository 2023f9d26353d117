using BalancedMultimodal.Core;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Graph.Fusion;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Plotting;

/// <summary>
/// Recomputes the fused SNF patient-similarity matrix that <see cref="TrainingPipeline"/> builds its graph from, with
/// the same steps and options: z-score every modality on the labelled rows (training plus any validation split,
/// <see cref="Standardizer.FitTransform"/>), convert to the pipeline's compute dtype, optionally compress with the
/// seeded autoencoder, then the per-modality affinities (<see cref="AffinityBuilder"/>, computed in float64) and
/// <see cref="SimilarityNetworkFusion"/> over all rows (transductive, as the pipeline's graph).
/// </summary>
/// <remarks>
/// The pipeline does not expose its fused matrix, so the plot recomputes it; every stage is deterministic for a given
/// seed, so the result is the matrix the run used (with the autoencoder on, up to the run-to-run reproducibility of
/// seeded TorchSharp training on the same machine).
/// </remarks>
public static class FusedSimilarityMatrix
{
    /// <summary>The rows the fused matrix covers: every row, or, when some samples lack a modality and the graph rule is
    /// <see cref="IncompleteSampleGraph.AttachToCompleteSamples"/>, the samples that have every modality (the pipeline
    /// fuses its graph over them and attaches the others; docs/pipeline.md, "Incomplete samples").</summary>
    /// <param name="dataset">The data.</param>
    /// <param name="graph">How the pipeline's graph treats incomplete samples.</param>
    /// <returns>Row indices of <paramref name="dataset"/>, increasing.</returns>
    public static int[] Rows(MultimodalDataset dataset, IncompleteSampleGraph graph)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!Enum.IsDefined(graph))
            throw new ArgumentOutOfRangeException(nameof(graph), graph, $"IncompleteSampleGraph must be {string.Join(" or ", Enum.GetNames<IncompleteSampleGraph>())}.");
        return graph == IncompleteSampleGraph.FuseAvailableModalities ? Enumerable.Range(0, dataset.SampleCount).ToArray() : CompleteSamples.Rows(dataset);
    }

    /// <summary>The fused matrix of <paramref name="dataset"/> under <paramref name="options"/> over <see cref="Rows"/>
    /// (N x N for complete data, in the dataset's row order).</summary>
    /// <exception cref="ArgumentException">For a dataset with fewer than two modalities or an unknown dtype.</exception>
    public static double[,] Compute(MultimodalDataset dataset, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        if (dataset.ModalityCount < 2)
            throw new ArgumentException($"Similarity network fusion needs at least two modalities; the dataset has {dataset.ModalityCount}.", nameof(dataset));
        var dtype = options.DType switch
        {
            "float32" => ScalarType.Float32,
            "float64" => ScalarType.Float64,
            _ => throw new ArgumentException($"DType must be float32 or float64, got '{options.DType}'.", nameof(options)),
        };
        var labelledRows = dataset.TrainIndices.Concat(dataset.ValidationIndices).ToArray();
        var standardized = FittedScaling.Fit(dataset, labelledRows, options.Scaling).Scaled;

        using var scope = NewDisposeScope();
        options.Autoencoder.Seed = options.Seed;
        var plotted = Rows(dataset, options.IncompleteSampleGraph);
        var rows = tensor(plotted.Select(r => (long)r).ToArray());
        var features = new List<Tensor>();
        for (int m = 0; m < standardized.ModalityCount; m++)
        {
            var modality = standardized.Modalities[m];
            var x = TrainingPipeline.ModelInput(standardized.ToTensor(m, dtype: dtype), modality.HasMissingRows ? modality.Availability.ToArray() : null,
                labelledRows, options, modality.Name, keep: null);
            features.Add(x.to(ScalarType.Float64).index_select(0, rows));
        }
        // Over every row, each modality's availability restricted to the plotted rows (null when complete there).
        var masks = dataset.Modalities.Any(m => plotted.Any(r => !m.IsAvailable(r)))
            ? dataset.Modalities.Select(m => plotted.Select(m.IsAvailable).ToArray()).ToArray() : null;
        var affinities = new AffinityBuilder(options.Affinity).Build(features, masks);
        return new SimilarityNetworkFusion(options.Fusion).Fuse(affinities, masks).ToMatrix();
    }
}
