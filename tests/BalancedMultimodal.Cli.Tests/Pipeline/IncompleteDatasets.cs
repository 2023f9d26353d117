using BalancedMultimodal.Core.Data;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>Test data in which samples lack a modality.</summary>
internal static class IncompleteDatasets
{
    /// <summary><paramref name="data"/> with modality <paramref name="modality"/> missing on every row where
    /// <paramref name="missing"/> holds, its values there set to <paramref name="placeholder"/> (NaN, as a loader leaves
    /// them); the labels and the split are kept.</summary>
    public static MultimodalDataset WithMissingRows(MultimodalDataset data, int modality, Func<int, bool> missing, double placeholder = double.NaN)
    {
        var source = data.Modalities[modality];
        var values = new double[source.SampleCount, source.FeatureCount];
        for (int i = 0; i < source.SampleCount; i++)
            for (int j = 0; j < source.FeatureCount; j++)
                values[i, j] = missing(i) ? placeholder : source[i, j];
        var modalities = data.Modalities.ToArray();
        modalities[modality] = new Modality(source.Name, values, source.FeatureNames,
            Enumerable.Range(0, source.SampleCount).Select(i => !missing(i)).ToArray());
        return new MultimodalDataset(modalities, data.Labels, data.ClassCount, data.ClassNames, data.SampleIds,
            trainIndices: data.TrainIndices, validationIndices: data.ValidationIndices, testIndices: data.TestIndices);
    }
}
