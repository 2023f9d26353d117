using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// The check that a modality's standardised features survived the conversion to the compute dtype: a value finite in
/// the file (and in float64) can overflow float32 (e.g. 1e200), which would otherwise surface later as a "not finite"
/// error about the affinity, naming neither the file's modality nor its sample.
/// </summary>
internal static class RepresentableFeatures
{
    /// <summary>Throws when <paramref name="features"/> holds a NaN or an infinity at an available row, naming the
    /// modality, the sample (by ID when known) and the feature.</summary>
    /// <param name="features">(n, d) features in the compute dtype.</param>
    /// <param name="modality">The modality's name.</param>
    /// <param name="sampleIds">Sample IDs of the n rows, or null.</param>
    /// <param name="featureNames">Feature names of the d columns, or null.</param>
    /// <param name="available">Which rows hold the modality (null: all).</param>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    public static void Require(Tensor features, string modality, IReadOnlyList<string>? sampleIds, IReadOnlyList<string>? featureNames, bool[]? available = null)
    {
        using var scope = NewDisposeScope();
        var bad = features.isfinite().logical_not();
        if (available is not null) bad = bad.logical_and(tensor(available, device: features.device).unsqueeze(1));
        var positions = bad.nonzero();
        if (positions.shape[0] == 0) return;
        int row = (int)positions[0, 0].item<long>(), column = (int)positions[0, 1].item<long>();
        string sample = sampleIds is null ? $"row {row}" : $"'{sampleIds[row]}' (row {row})";
        string feature = featureNames is null ? $"column {column}" : $"'{featureNames[column]}' (column {column})";
        throw new ArgumentException(
            $"Modality '{modality}', sample {sample}, feature {feature}: its standardised value is not finite in {features.dtype} " +
            "(a value too large for the compute dtype); rescale the feature or set \"DType\": \"float64\".");
    }
}
