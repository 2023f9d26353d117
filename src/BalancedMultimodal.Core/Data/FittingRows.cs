namespace BalancedMultimodal.Core.Data;

/// <summary>The check shared by the per-column fitters (<see cref="Standardizer"/>, <see cref="QuantileNormalizer"/>):
/// the fitting rows lie in the dataset and are distinct.</summary>
internal static class FittingRows
{
    /// <summary>Returns <paramref name="rows"/>, or the dataset's training rows when null, after checking that every
    /// row lies in [0, n) and none is listed twice (a repeated row would count twice in the statistics, a weight
    /// nobody asked for: refused, as the splitters do).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A row outside [0, n), named with its position.</exception>
    /// <exception cref="ArgumentException">A row listed twice, named with its second position.</exception>
    internal static IReadOnlyList<int> Checked(MultimodalDataset dataset, IReadOnlyList<int>? rows, string parameterName)
    {
        rows ??= dataset.TrainIndices;
        for (int k = 0; k < rows.Count; k++)
            if ((uint)rows[k] >= (uint)dataset.SampleCount)
                throw new ArgumentOutOfRangeException(parameterName, rows[k], $"Fitting row at position {k} must lie in [0, {dataset.SampleCount}).");
        var distinct = new HashSet<int>();
        for (int k = 0; k < rows.Count; k++)
            if (!distinct.Add(rows[k]))
                throw new ArgumentException($"Fitting row {rows[k]} is listed twice (again at position {k}); fitting rows must be distinct.", parameterName);
        return rows;
    }
}
