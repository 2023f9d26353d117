namespace BalancedMultimodal.Core.Information;

/// <summary>Options of <see cref="InfoNceEstimator"/> (configuration section <c>InfoNce</c>).</summary>
public sealed class InfoNceEstimatorOptions
{
    /// <summary>Optimisation steps of the critic (one batch each). Default 500. Must be at least 1.</summary>
    public int Steps { get; set; } = 500;

    /// <summary>Width of the hidden layer and of the embedding of each critic branch. Default 64. At least 1.</summary>
    public int HiddenSize { get; set; } = 64;

    /// <summary>Adam learning rate. Default 5e-3. Must be finite and positive.</summary>
    public double LearningRate { get; set; } = 5e-3;

    /// <summary>Pairs per batch N (capped at n). InfoNCE cannot exceed ln N. Default 256. At least 2.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Seed of the weight initialisation, the batch sampling and the evaluation order. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>The bound trained and reported. Default <see cref="NeuralMutualInformationBound.InfoNce"/>.</summary>
    public NeuralMutualInformationBound Bound { get; set; } = NeuralMutualInformationBound.InfoNce;
}
