using BalancedMultimodal.Core.Data;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// The pipeline's feature scaling (<see cref="PipelineOptions.Scaling"/>) fitted on the labelled rows: an optional
/// rank-Gauss transform (<see cref="FeatureScaling.QuantileNormal"/>) followed by z-scoring, and the scaled dataset.
/// One place for the step, so that everything that recomputes the pipeline's inputs (the fused-similarity plot) scales
/// exactly as training did.
/// </summary>
/// <param name="QuantileNormalizer">The rank-Gauss transform, or null for <see cref="FeatureScaling.Standardize"/>.</param>
/// <param name="Standardizer">The z-scoring fitted on the (rank-Gauss transformed) labelled rows.</param>
/// <param name="Scaled">All rows of the dataset, scaled.</param>
public sealed record FittedScaling(QuantileNormalizer? QuantileNormalizer, Standardizer Standardizer, MultimodalDataset Scaled)
{
    /// <summary>Fits the scaling on <paramref name="labelledRows"/> and applies it to every row of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="labelledRows">The fitting rows (the labelled training rows).</param>
    /// <param name="scaling">Which scaling.</param>
    /// <returns>The fitted transforms and the scaled dataset.</returns>
    public static FittedScaling Fit(MultimodalDataset dataset, IReadOnlyList<int> labelledRows, FeatureScaling scaling)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(labelledRows);
        if (!Enum.IsDefined(scaling))
            throw new ArgumentException($"Scaling must be {string.Join(" or ", Enum.GetNames<FeatureScaling>())}, got {(int)scaling}.", nameof(scaling));
        var quantileNormalizer = scaling == FeatureScaling.QuantileNormal ? QuantileNormalizer.Fit(dataset, labelledRows) : null;
        var rankGauss = quantileNormalizer?.Transform(dataset) ?? dataset;
        var standardizer = Standardizer.Fit(rankGauss, labelledRows);
        return new FittedScaling(quantileNormalizer, standardizer, standardizer.Transform(rankGauss));
    }
}
