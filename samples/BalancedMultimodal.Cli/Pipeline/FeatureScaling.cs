namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>How the pipeline scales every modality's features before the graph and the encoders see them
/// (<see cref="PipelineOptions.Scaling"/>); the statistics are fitted on the labelled training rows only.</summary>
public enum FeatureScaling
{
    /// <summary>Per-column z-scoring, z = (x - mean) / sd (<see cref="BalancedMultimodal.Core.Data.Standardizer"/>).</summary>
    Standardize,

    /// <summary>Per-column rank-Gauss transform, u = empirical CDF(x), z = Phi^-1(u)
    /// (<see cref="BalancedMultimodal.Core.Data.QuantileNormalizer"/>, scikit-learn's
    /// <c>QuantileTransformer(output_distribution="normal")</c>), then z-scoring of the result.</summary>
    QuantileNormal,
}
