using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Per-column rank-Gauss ("quantile-normal") transform of every modality, fitted on chosen rows (by default the
/// training rows) and applied to all rows; the same mapping as scikit-learn's
/// <c>QuantileTransformer(output_distribution="normal")</c> (scikit-learn 1.2, <c>sklearn/preprocessing/_data.py</c>).
/// </summary>
/// <remarks>
/// <para>Fit, per column j over the n fitting rows: Q = min(<c>maxQuantiles</c>, n) references
/// r_k = k / (Q - 1) (k = 0..Q-1) and the quantiles q_jk = the r_k-th quantile of the column with linear interpolation
/// (numpy's default percentile, R type 7), made non-decreasing by a running maximum.</para>
/// <para>Transform, for a value x of column j: u = 0 if x - t_j &lt; q_j0, else u = 1 if x + t_j &gt; q_j,Q-1, else
/// u = (interp(x; q_j, r) - interp(-x; -q_j reversed, -r reversed)) / 2, where interp is numpy's piecewise-linear
/// <c>np.interp</c> (the two one-sided interpolations averaged, so a value repeated in several quantiles maps to the
/// middle of their references); then z = Phi^-1(u) clipped to [Phi^-1(1e-7 - eps), Phi^-1(1 - (1e-7 - eps))]
/// (about +-5.2), with Phi^-1 the standard normal quantile function (MathNet <see cref="Normal.InvCDF"/>) and eps the
/// double-precision machine epsilon. The result is approximately standard normal whatever the column's distribution,
/// which takes the skew and outliers out of omics features before a neural encoder sees them (Gorishniy et al.,
/// "Revisiting deep learning models for tabular data", NeurIPS 2021, use it as the default for MLPs).</para>
/// <para>The bounds tolerance t_j is scikit-learn's absolute <c>BOUNDS_THRESHOLD</c> 1e-7 for a column whose fitted range
/// q_j,Q-1 - q_j0 is at least 1 (so the map is scikit-learn's on such columns, as the fixtures check), and 1e-7 times
/// the range below that (for a constant column, 1e-7 times its magnitude when below 1): scikit-learn's absolute
/// tolerance would send every value of a column measured on a tiny scale (differences below 1e-7, e.g. features around
/// 1e-12) to the lower clip, whereas a rank transform should not depend on the column's unit.</para>
/// <para>A constant column maps to the lower clip value on every row (scikit-learn's behaviour). Missing rows are left
/// untouched by <see cref="Transform(MultimodalDataset)"/>. The fitted quantiles are exposed (<see cref="Quantiles"/>) and a normaliser can
/// be rebuilt from saved quantiles with the constructor.</para>
/// </remarks>
public sealed class QuantileNormalizer
{
    /// <summary>scikit-learn's <c>BOUNDS_THRESHOLD</c>: how close to the fitted range a value must come to map to its end
    /// (times the column's fitted range when that is below 1; class remarks).</summary>
    public const double BoundsThreshold = 1e-7;

    /// <summary>scikit-learn's default <c>n_quantiles</c>: the largest number of quantiles stored per column.</summary>
    public const int DefaultMaxQuantiles = 1000;

    private static readonly double ClipLow = Normal.InvCDF(0, 1, BoundsThreshold - Math.Pow(2, -52));
    private static readonly double ClipHigh = Normal.InvCDF(0, 1, 1 - (BoundsThreshold - Math.Pow(2, -52)));

    private readonly string[] _modalityNames;
    private readonly double[][][] _quantiles;

    /// <summary>Creates a normaliser from saved quantiles.</summary>
    /// <param name="modalityNames">The M modality names the quantiles belong to (checked by <see cref="Transform(MultimodalDataset)"/>).</param>
    /// <param name="quantiles">Per modality and column, the Q &gt;= 2 quantiles q_j0..q_j,Q-1 at the equally spaced
    /// references 0, 1/(Q-1), ..., 1: finite and non-decreasing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="modalityNames"/> or <paramref name="quantiles"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException">A null, empty or repeated modality name (naming
    /// <paramref name="modalityNames"/>); or, naming <paramref name="quantiles"/>: a count of quantile tables other
    /// than the count of names, a missing table or column, a column with fewer than two quantiles, a non-finite
    /// quantile, or quantiles that decrease (the message names the modality and column).</exception>
    public QuantileNormalizer(IReadOnlyList<string> modalityNames, IReadOnlyList<IReadOnlyList<IReadOnlyList<double>>> quantiles)
    {
        ArgumentNullException.ThrowIfNull(modalityNames);
        ArgumentNullException.ThrowIfNull(quantiles);
        LoaderArguments.CheckNames(modalityNames, nameof(modalityNames), "Modality name");
        if (quantiles.Count != modalityNames.Count)
            throw new ArgumentException($"{modalityNames.Count} modality names and {quantiles.Count} quantile tables do not match.", nameof(quantiles));
        _modalityNames = modalityNames.ToArray();
        _quantiles = new double[quantiles.Count][][];
        for (int m = 0; m < quantiles.Count; m++)
        {
            var name = _modalityNames[m];
            if (quantiles[m] is null)
                throw new ArgumentException($"Modality '{name}': the quantile table is missing.", nameof(quantiles));
            _quantiles[m] = new double[quantiles[m].Count][];
            for (int j = 0; j < quantiles[m].Count; j++)
            {
                var column = quantiles[m][j]?.ToArray()
                    ?? throw new ArgumentException($"Modality '{name}': the quantiles of column {j} are missing.", nameof(quantiles));
                if (column.Length < 2)
                    throw new ArgumentException($"Modality '{name}': column {j} has {column.Length} quantile(s); at least two are needed.", nameof(quantiles));
                for (int k = 0; k < column.Length; k++)
                {
                    if (!double.IsFinite(column[k]))
                        throw new ArgumentException($"Modality '{name}': quantile {k} of column {j} is not finite.", nameof(quantiles));
                    if (k > 0 && column[k] < column[k - 1])
                        throw new ArgumentException($"Modality '{name}': the quantiles of column {j} decrease at position {k}; they must be non-decreasing.", nameof(quantiles));
                }
                _quantiles[m][j] = column;
            }
        }
    }

    /// <summary>Fits the column quantiles on <paramref name="rows"/> of every modality (see the class remarks).</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="rows">The fitting rows; default <see cref="MultimodalDataset.TrainIndices"/>. Each modality needs at least two available fitting rows.</param>
    /// <param name="maxQuantiles">The largest number of quantiles per column (scikit-learn's <c>n_quantiles</c>); at least 2. Default 1000.</param>
    /// <returns>The fitted normaliser.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxQuantiles"/> is less than 2, or a fitting row
    /// lies outside [0, n) (naming <paramref name="rows"/> and the row's position).</exception>
    /// <exception cref="ArgumentException">A fitting row listed twice, or a modality with fewer than two available
    /// fitting rows (naming <paramref name="rows"/>).</exception>
    public static QuantileNormalizer Fit(MultimodalDataset dataset, IReadOnlyList<int>? rows = null, int maxQuantiles = DefaultMaxQuantiles)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (maxQuantiles < 2)
            throw new ArgumentOutOfRangeException(nameof(maxQuantiles), maxQuantiles, "At least two quantiles per column are needed.");
        rows = FittingRows.Checked(dataset, rows, nameof(rows));
        foreach (var modality in dataset.Modalities)
        {
            int available = rows.Count(modality.IsAvailable);
            if (available < 2)
                throw new ArgumentException($"Modality '{modality.Name}' has {available} available fitting row(s); quantiles need at least two.", nameof(rows));
        }
        var tables = new double[dataset.ModalityCount][][];
        for (int m = 0; m < dataset.ModalityCount; m++)
        {
            var modality = dataset.Modalities[m];
            var used = rows.Where(modality.IsAvailable).ToArray();
            int d = modality.FeatureCount, count = Math.Min(maxQuantiles, used.Length);
            var references = References(count);
            var column = new double[used.Length];
            tables[m] = new double[d][];
            for (int j = 0; j < d; j++)
            {
                for (int i = 0; i < used.Length; i++) column[i] = modality.GetRow(used[i])[j];
                Array.Sort(column);
                var q = new double[count];
                for (int k = 0; k < count; k++)
                {
                    q[k] = SortedArrayStatistics.QuantileCustom(column, references[k], QuantileDefinition.R7);
                    if (k > 0 && q[k] < q[k - 1]) q[k] = q[k - 1];
                }
                tables[m][j] = q;
            }
        }
        return new QuantileNormalizer(dataset.Modalities.Select(x => x.Name).ToArray(), tables);
    }

    /// <summary>Fits on <paramref name="rows"/> (default: the training rows) and transforms all rows of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="rows">The fitting rows; default <see cref="MultimodalDataset.TrainIndices"/>.</param>
    /// <returns>The transformed dataset (same labels, IDs and splits).</returns>
    public static MultimodalDataset FitTransform(MultimodalDataset dataset, IReadOnlyList<int>? rows = null) =>
        Fit(dataset, rows).Transform(dataset);

    /// <summary>The modality names the quantiles belong to.</summary>
    public IReadOnlyList<string> ModalityNames => _modalityNames;

    /// <summary>Per modality and column, the fitted quantiles q_j0..q_j,Q-1 at the references 0, 1/(Q-1), ..., 1.</summary>
    public IReadOnlyList<IReadOnlyList<IReadOnlyList<double>>> Quantiles =>
        _quantiles.Select(t => (IReadOnlyList<IReadOnlyList<double>>)t.Select(c => (IReadOnlyList<double>)Array.AsReadOnly(c)).ToArray()).ToArray();

    /// <summary>Maps every available row of every modality through its columns' rank-Gauss transform (class remarks).</summary>
    /// <param name="dataset">A dataset with the modalities (names and feature counts) this normaliser was fitted on.</param>
    /// <returns>A new dataset with transformed values and the same labels, IDs and splits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentException">The dataset has another number of modalities than the fitted ones, or a
    /// modality whose name or feature count differs from the fitted one (naming
    /// <paramref name="dataset"/>).</exception>
    public MultimodalDataset Transform(MultimodalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.ModalityCount != _modalityNames.Length)
            throw new ArgumentException($"The dataset has {dataset.ModalityCount} modalities but the normaliser was fitted on {_modalityNames.Length}.", nameof(dataset));
        for (int m = 0; m < dataset.ModalityCount; m++) CheckModality(m, dataset.Modalities[m], nameof(dataset));
        return dataset.WithModalities(dataset.Modalities.Select((modality, m) => Transform(m, modality)).ToArray());
    }

    /// <summary>Maps every available row of one modality (for example new samples at prediction time) through its
    /// columns' rank-Gauss transform (class remarks).</summary>
    /// <param name="modalityIndex">Which fitted modality <paramref name="modality"/> is (0-based).</param>
    /// <param name="modality">Rows of that modality: the fitted name and feature count; unavailable rows are left untouched.</param>
    /// <returns>A new modality with transformed values and the same names and availability.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modality"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modalityIndex"/> lies outside [0, M), M the number
    /// of fitted modalities.</exception>
    /// <exception cref="ArgumentException">The modality's name or feature count differs from the fitted modality
    /// <paramref name="modalityIndex"/>'s (naming <paramref name="modality"/>).</exception>
    public Modality Transform(int modalityIndex, Modality modality)
    {
        ArgumentNullException.ThrowIfNull(modality);
        if ((uint)modalityIndex >= (uint)_modalityNames.Length)
            throw new ArgumentOutOfRangeException(nameof(modalityIndex), modalityIndex, $"The normaliser was fitted on {_modalityNames.Length} modalities.");
        CheckModality(modalityIndex, modality, nameof(modality));
        var quantiles = _quantiles[modalityIndex];
        int d = modality.FeatureCount;
        var values = modality.Values.ToArray();
        var references = quantiles.Select(q => References(q.Length)).ToArray();
        var tolerances = quantiles.Select(BoundsTolerance).ToArray();
        // Column by column: each column's quantile table stays in cache across its rows (row by row, every value searched
        // another column's table and missed the cache: 2.6x slower at n = 4000 with 1000 features); same values.
        var available = Enumerable.Range(0, modality.SampleCount).Where(modality.IsAvailable).ToArray();
        for (int j = 0; j < d; j++)
        {
            double[] columnQuantiles = quantiles[j], columnReferences = references[j];
            double tolerance = tolerances[j];
            foreach (int i in available)
                values[i * d + j] = TransformValue(values[i * d + j], columnQuantiles, columnReferences, tolerance);
        }
        return modality.WithValues(values);
    }

    private void CheckModality(int m, Modality modality, string parameter)
    {
        if (modality.Name != _modalityNames[m] || modality.FeatureCount != _quantiles[m].Length)
            throw new ArgumentException(
                $"Modality {m} is '{modality.Name}' with {modality.FeatureCount} features but the normaliser was fitted on '{_modalityNames[m]}' with {_quantiles[m].Length}.",
                parameter);
    }

    /// <summary>How close to a column's fitted range a value must come to map to its end (class remarks):
    /// <see cref="BoundsThreshold"/> x min(1, s) with s the column's fitted range q_j,Q-1 - q_j0, or for a constant
    /// column its magnitude |q_j0|, and <see cref="BoundsThreshold"/> itself for a column constant at 0.</summary>
    private static double BoundsTolerance(double[] quantiles)
    {
        double range = quantiles[^1] - quantiles[0];
        double scale = range > 0 ? range : Math.Abs(quantiles[0]);
        return scale > 0 ? BoundsThreshold * Math.Min(1, scale) : BoundsThreshold;
    }

    /// <summary>The rank-Gauss value of <paramref name="x"/> for one column's quantiles (class remarks).</summary>
    private static double TransformValue(double x, double[] quantiles, double[] references, double tolerance)
    {
        double u;
        if (x - tolerance < quantiles[0]) u = 0;
        else if (x + tolerance > quantiles[^1]) u = 1;
        else u = 0.5 * (InterpolateFromBelow(x, quantiles, references) + InterpolateFromAbove(x, quantiles, references));
        return Math.Clamp(Normal.InvCDF(0, 1, u), ClipLow, ClipHigh);
    }

    /// <summary>np.interp(x, q, r) for q[0] &lt;= x &lt; q[^1]: on the segment starting at the last quantile &lt;= x.</summary>
    private static double InterpolateFromBelow(double x, double[] q, double[] r)
    {
        int lo = 0, hi = q.Length - 1; // invariant: q[lo] <= x < q[hi]
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >>> 1;
            if (q[mid] <= x) lo = mid; else hi = mid;
        }
        double slope = (r[lo + 1] - r[lo]) / (q[lo + 1] - q[lo]);
        return slope * (x - q[lo]) + r[lo];
    }

    /// <summary>-np.interp(-x, -q reversed, -r reversed) for q[0] &lt; x &lt;= q[^1]: on the segment ending at the first quantile &gt;= x.</summary>
    private static double InterpolateFromAbove(double x, double[] q, double[] r)
    {
        int lo = 0, hi = q.Length - 1; // invariant: q[lo] < x <= q[hi]
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >>> 1;
            if (q[mid] >= x) hi = mid; else lo = mid;
        }
        // numpy evaluates the mirrored segment: slope * (-x - (-q[hi])) + (-r[hi]), negated.
        double slope = (r[hi] - r[lo]) / (q[hi] - q[lo]);
        return -(slope * (q[hi] - x) - r[hi]);
    }

    private static double[] References(int count)
    {
        var references = new double[count];
        for (int k = 0; k < count; k++) references[k] = (double)k / (count - 1);
        references[^1] = 1.0;
        return references;
    }
}
