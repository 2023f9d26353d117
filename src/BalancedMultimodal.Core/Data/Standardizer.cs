namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Per-column z-scoring of every modality, fitted on chosen rows (by default the training rows) and applied to all rows:
/// z_ij = (x_ij - mean_j) / s_j, with mean_j and the sample standard deviation
/// s_j = sqrt( sum_i (x_ij - mean_j)^2 / (n_fit - 1) ) (ddof = 1, as <c>scipy.stats.zscore(ddof=1)</c> used by snfpy)
/// computed over the fitting rows where the modality is available.
/// </summary>
/// <remarks>
/// A constant column (all fitted values identical, tested exactly) gets scale 1, so it is only centred and
/// becomes 0 on the fitting rows, instead of dividing by zero. Missing rows are left untouched by
/// <see cref="Transform"/>. The fitted statistics are exposed (<see cref="Means"/>, <see cref="Scales"/>) and a
/// standardizer can be rebuilt from saved statistics with the constructor. The sums behind mean_j and s_j run over
/// the column scaled by an exact power of two (<see cref="PowerOfTwoScaling"/>), so valid values near 1e-160 or 1e155
/// are standardised exactly as values near 1 are (their squares would underflow or overflow), and values in the usual
/// range give the same bits as the plain sums.
/// </remarks>
public sealed class Standardizer
{
    private readonly double[][] _means;
    private readonly double[][] _scales;
    private readonly string[] _modalityNames;

    /// <summary>Creates a standardizer from saved statistics.</summary>
    /// <param name="modalityNames">The M modality names the statistics belong to (checked by <see cref="Transform"/>).</param>
    /// <param name="means">Per modality, the d_m column means (finite).</param>
    /// <param name="scales">Per modality, the d_m column scales (finite and &gt; 0).</param>
    /// <exception cref="ArgumentNullException"><paramref name="modalityNames"/>, <paramref name="means"/> or
    /// <paramref name="scales"/> is null.</exception>
    /// <exception cref="ArgumentException">A null, empty or repeated modality name (naming
    /// <paramref name="modalityNames"/>); counts of names, mean vectors and scale vectors that differ (naming
    /// <paramref name="means"/>); a modality whose means or scales are missing or differ in length (naming
    /// <paramref name="scales"/>); a non-finite mean (naming <paramref name="means"/>); or a scale that is not finite
    /// and &gt; 0 (naming <paramref name="scales"/>). Messages name the modality and column.</exception>
    public Standardizer(IReadOnlyList<string> modalityNames, IReadOnlyList<IReadOnlyList<double>> means, IReadOnlyList<IReadOnlyList<double>> scales)
    {
        ArgumentNullException.ThrowIfNull(modalityNames);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(scales);
        LoaderArguments.CheckNames(modalityNames, nameof(modalityNames), "Modality name");
        if (means.Count != modalityNames.Count || scales.Count != modalityNames.Count)
            throw new ArgumentException($"{modalityNames.Count} modality names, {means.Count} mean vectors and {scales.Count} scale vectors do not match.", nameof(means));
        _modalityNames = modalityNames.ToArray();
        _means = new double[means.Count][];
        _scales = new double[means.Count][];
        for (int m = 0; m < means.Count; m++)
        {
            var name = _modalityNames[m];
            if (means[m] is null || scales[m] is null || means[m].Count != scales[m].Count)
                throw new ArgumentException($"Modality '{name}': means and scales must both be given, with equal lengths.", nameof(scales));
            _means[m] = means[m].ToArray();
            _scales[m] = scales[m].ToArray();
            for (int j = 0; j < _means[m].Length; j++)
            {
                if (!double.IsFinite(_means[m][j]))
                    throw new ArgumentException($"Modality '{name}': mean of column {j} is not finite.", nameof(means));
                if (!double.IsFinite(_scales[m][j]) || _scales[m][j] <= 0)
                    throw new ArgumentException($"Modality '{name}': scale of column {j} is {_scales[m][j]}; scales must be finite and > 0.", nameof(scales));
            }
        }
    }

    /// <summary>Fits column means and standard deviations (ddof 1) on <paramref name="rows"/> of every modality.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="rows">The fitting rows; default <see cref="MultimodalDataset.TrainIndices"/>. Each modality needs at least two available fitting rows.</param>
    /// <returns>The fitted standardizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A fitting row outside [0, n) (naming <paramref name="rows"/> and
    /// the row's position).</exception>
    /// <exception cref="ArgumentException">A fitting row listed twice or a modality with fewer than two available
    /// fitting rows (naming <paramref name="rows"/>), or a column whose mean or standard deviation overflows float64
    /// (naming <paramref name="dataset"/>, the modality and the column).</exception>
    public static Standardizer Fit(MultimodalDataset dataset, IReadOnlyList<int>? rows = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        rows = FittingRows.Checked(dataset, rows, nameof(rows));
        var means = new double[dataset.ModalityCount][];
        var scales = new double[dataset.ModalityCount][];
        for (int m = 0; m < dataset.ModalityCount; m++)
        {
            var modality = dataset.Modalities[m];
            var used = rows.Where(modality.IsAvailable).ToArray();
            if (used.Length < 2)
                throw new ArgumentException(
                    $"Modality '{modality.Name}' has {used.Length} available fitting row(s); a standard deviation (ddof 1) needs at least two.", nameof(rows));
            int d = modality.FeatureCount;
            var mean = new double[d];
            var min = new double[d];
            var max = new double[d];
            Array.Fill(min, double.PositiveInfinity);
            Array.Fill(max, double.NegativeInfinity);
            foreach (var r in used)
            {
                var row = modality.GetRow(r);
                for (int j = 0; j < d; j++)
                {
                    min[j] = Math.Min(min[j], row[j]);
                    max[j] = Math.Max(max[j], row[j]);
                }
            }
            // The statistics are computed on each column scaled by an exact power of two p_j, to a largest magnitude
            // in [0.5, 1) (PowerOfTwoScaling), then scaled back: the same bits where the plain sums are in range, and
            // no overflow or underflow of the sums and squares of valid but very large or very small values.
            var power = new double[d];
            for (int j = 0; j < d; j++) power[j] = PowerOfTwoScaling.Scale(Math.Max(Math.Abs(min[j]), Math.Abs(max[j])));
            foreach (var r in used)
            {
                var row = modality.GetRow(r);
                for (int j = 0; j < d; j++) mean[j] += row[j] * power[j];
            }
            for (int j = 0; j < d; j++) mean[j] /= used.Length;
            var sumSquares = new double[d];
            foreach (var r in used)
            {
                var row = modality.GetRow(r);
                for (int j = 0; j < d; j++)
                {
                    double c = row[j] * power[j] - mean[j];
                    sumSquares[j] += c * c;
                }
            }
            var scale = new double[d];
            for (int j = 0; j < d; j++)
            {
                mean[j] /= power[j];
                scale[j] = min[j] == max[j] ? 1.0 : Math.Sqrt(sumSquares[j] / (used.Length - 1)) / power[j];
                if (!double.IsFinite(mean[j]) || !double.IsFinite(scale[j]))
                    throw new ArgumentException(
                        $"Modality '{modality.Name}', feature column {j}: its values (from {min[j]:G3} to {max[j]:G3}) are too large to standardise in float64 " +
                        "(the mean or standard deviation of the fitting rows overflows); rescale the feature.", nameof(dataset));
            }
            // A constant column is centred exactly on its value, so it maps to 0 without rounding residue.
            for (int j = 0; j < d; j++) if (min[j] == max[j]) mean[j] = min[j];
            means[m] = mean;
            scales[m] = scale;
        }
        return new Standardizer(dataset.Modalities.Select(x => x.Name).ToArray(), means, scales);
    }

    /// <summary>Fits on <paramref name="rows"/> (default: the training rows) and transforms all rows of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="rows">The fitting rows; default <see cref="MultimodalDataset.TrainIndices"/>.</param>
    /// <returns>The standardised dataset (same labels, IDs and splits).</returns>
    public static MultimodalDataset FitTransform(MultimodalDataset dataset, IReadOnlyList<int>? rows = null) =>
        Fit(dataset, rows).Transform(dataset);

    /// <summary>The modality names the statistics belong to.</summary>
    public IReadOnlyList<string> ModalityNames => _modalityNames;

    /// <summary>Per modality, the column means mean_j (length d_m).</summary>
    public IReadOnlyList<IReadOnlyList<double>> Means => _means.Select(a => (IReadOnlyList<double>)Array.AsReadOnly(a)).ToArray();

    /// <summary>Per modality, the column scales s_j (ddof-1 standard deviation, or 1 for a constant column).</summary>
    public IReadOnlyList<IReadOnlyList<double>> Scales => _scales.Select(a => (IReadOnlyList<double>)Array.AsReadOnly(a)).ToArray();

    /// <summary>Applies z_ij = (x_ij - mean_j) / s_j to every available row of every modality.</summary>
    /// <param name="dataset">A dataset with the modalities (names and feature counts) this standardizer was fitted on.</param>
    /// <returns>A new dataset with standardised values and the same labels, IDs and splits.</returns>
    /// <exception cref="ArgumentException">When the modalities differ from the fitted ones, or a value's z-score
    /// exceeds float64's range (naming the modality, row and column).</exception>
    public MultimodalDataset Transform(MultimodalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.ModalityCount != _modalityNames.Length)
            throw new ArgumentException($"The dataset has {dataset.ModalityCount} modalities but the standardizer was fitted on {_modalityNames.Length}.", nameof(dataset));
        var result = new Modality[dataset.ModalityCount];
        for (int m = 0; m < result.Length; m++)
        {
            var modality = dataset.Modalities[m];
            if (modality.Name != _modalityNames[m] || modality.FeatureCount != _means[m].Length)
                throw new ArgumentException(
                    $"Modality {m} is '{modality.Name}' with {modality.FeatureCount} features but the standardizer was fitted on '{_modalityNames[m]}' with {_means[m].Length}.",
                    nameof(dataset));
            int d = modality.FeatureCount;
            // z = (x - mean) / s; only where that overflows (x - mean beyond float64 for values near its limit) the
            // same quotient as (x p - mean p) / (s p), p an exact power of two that brings max(|mean|, s) near 1.
            var power = new double[d];
            var scaledMean = new double[d];
            var scaledScale = new double[d];
            for (int j = 0; j < d; j++)
            {
                power[j] = PowerOfTwoScaling.Scale(Math.Max(Math.Abs(_means[m][j]), _scales[m][j]));
                scaledMean[j] = _means[m][j] * power[j];
                scaledScale[j] = _scales[m][j] * power[j];
            }
            var values = modality.Values.ToArray();
            for (int i = 0; i < modality.SampleCount; i++)
            {
                if (!modality.IsAvailable(i)) continue;
                var row = values.AsSpan(i * d, d);
                for (int j = 0; j < d; j++)
                {
                    double z = (row[j] - _means[m][j]) / _scales[m][j];
                    if (!double.IsFinite(z)) z = (row[j] * power[j] - scaledMean[j]) / scaledScale[j];
                    if (!double.IsFinite(z))
                        throw new ArgumentException(
                            $"Modality '{modality.Name}', row {i}, feature column {j}: the value {row[j]:G3} standardises beyond float64's range " +
                            $"(fitted mean {_means[m][j]:G3}, scale {_scales[m][j]:G3}); rescale the feature.", nameof(dataset));
                    row[j] = z;
                }
            }
            result[m] = modality.WithValues(values);
        }
        return dataset.WithModalities(result);
    }
}
