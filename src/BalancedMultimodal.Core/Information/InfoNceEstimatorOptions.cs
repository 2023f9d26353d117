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

    /// <summary>
    /// Fraction of the rows held out from training the critic and used only to evaluate the bound, in [0, 1). Default
    /// 0.5. A critic evaluated on the rows it was fitted to can memorise their pairing, and then the "lower bound" reads
    /// high on independent data (up to ln N); measured on held-out rows it is a lower bound in expectation (Poole et al.
    /// 2019, section 3; McAllester and Stratos, AISTATS 2020), apart from the small optimism of keeping the best of the
    /// held-out measurements (early stopping): one before the first step, one after every max(1, floor(Steps / 20))-th
    /// step and one after the last (21 for the default 500 steps; Steps + 1 when Steps &lt; 40). 0 trains and evaluates
    /// on every row (the
    /// estimator's behaviour before this option; fine for low dimensions and many rows). Both parts need at least 2 rows.
    /// </summary>
    public double HeldOutFraction { get; set; } = 0.5;

    /// <summary>The bound trained and reported. Default <see cref="NeuralMutualInformationBound.InfoNce"/>.</summary>
    public NeuralMutualInformationBound Bound { get; set; } = NeuralMutualInformationBound.InfoNce;
}
