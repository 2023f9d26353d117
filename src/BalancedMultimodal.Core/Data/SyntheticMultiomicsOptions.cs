namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Options of <see cref="SyntheticMultiomicsGenerator"/>. The defaults give 300 samples, three imbalanced classes
/// (50% / 30% / 20%) and three modalities: "strong" (100 features, 20 informative, signal 1.5), "weak" (100 features,
/// 20 informative, signal 0.4) and "noise" (50 features, none informative), split 60/20/20 with seed 0.
/// </summary>
/// <remarks>When binding from configuration, note that the binder appends to the default arrays; replace them in code instead.</remarks>
public sealed class SyntheticMultiomicsOptions
{
    /// <summary>Number of samples n: at least the number of classes, and enough that every class keeps a training row
    /// after its stratified test and validation rows (13 with the default proportions and fractions). Default 300.</summary>
    public int SampleCount { get; set; } = 300;

    /// <summary>Relative class frequencies (C &gt;= 2 positive finite weights, normalised to sum 1). Default {0.5, 0.3, 0.2}.</summary>
    public double[] ClassProportions { get; set; } = [0.5, 0.3, 0.2];

    /// <summary>The modalities (at least one, distinct names). Default: strong (1.5), weak (0.4), noise (0).</summary>
    public SyntheticModalityOptions[] Modalities { get; set; } =
    [
        new() { Name = "strong", FeatureCount = 100, InformativeFeatureCount = 20, SignalStrength = 1.5 },
        new() { Name = "weak", FeatureCount = 100, InformativeFeatureCount = 20, SignalStrength = 0.4 },
        new() { Name = "noise", FeatureCount = 50, InformativeFeatureCount = 0, SignalStrength = 0.0 },
    ];

    /// <summary>Fraction of each class in the validation split, in [0, 1). Default 0.2.</summary>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>Fraction of each class in the test split, in [0, 1); with <see cref="ValidationFraction"/> below 1. Default 0.2.</summary>
    public double TestFraction { get; set; } = 0.2;

    /// <summary>Seed of every random draw (labels, class means, noise, split). Default 0.</summary>
    public int Seed { get; set; }
}
