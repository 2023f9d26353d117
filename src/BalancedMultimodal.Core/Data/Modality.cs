using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// One modality (view) of a <see cref="MultimodalDataset"/>: an n x d matrix of float64 feature values
/// (row i = sample i, column j = feature j), an optional name per feature, and an availability mask
/// (row i is available when sample i was measured in this modality).
/// </summary>
/// <remarks>
/// <para>Values are stored once, row-major, as float64 (float32 input is widened exactly). Instances are
/// immutable: every accessor returns a copy or a read-only view.</para>
/// <para>Validated at construction: a non-empty name, n &gt;= 1, d &gt;= 1, feature names (if given) matching d,
/// availability (if given) matching n with at least one available row, and every value of every available row
/// finite. A missing row may hold anything (NaN included); its values are meaningless and consumers must
/// consult <see cref="IsAvailable"/>. Errors name the modality and the first offending row and column (0-based).</para>
/// </remarks>
public sealed class Modality
{
    private readonly double[] _values;
    private readonly bool[] _available;
    private readonly string[]? _featureNames;

    /// <summary>Creates a modality from a float64 matrix (copied).</summary>
    /// <param name="name">The modality name (e.g. <c>mRNA</c>); non-empty.</param>
    /// <param name="values">Feature values, shape (n, d), n &gt;= 1, d &gt;= 1.</param>
    /// <param name="featureNames">Optional names of the d features.</param>
    /// <param name="availability">Optional availability mask of length n (default: all rows available).</param>
    /// <exception cref="ArgumentException">When a rule above is broken; the message names the modality, row and column.</exception>
    public Modality(string name, double[,] values, IReadOnlyList<string>? featureNames = null, IReadOnlyList<bool>? availability = null)
        : this(name, Flatten(values, name), ValidateShape(values, name, 0), ValidateShape(values, name, 1), featureNames, availability)
    {
    }

    /// <summary>Creates a modality from a float32 matrix (widened exactly to float64).</summary>
    /// <param name="name">The modality name; non-empty.</param>
    /// <param name="values">Feature values, shape (n, d), n &gt;= 1, d &gt;= 1.</param>
    /// <param name="featureNames">Optional names of the d features.</param>
    /// <param name="availability">Optional availability mask of length n (default: all rows available).</param>
    /// <exception cref="ArgumentException">When a rule above is broken; the message names the modality, row and column.</exception>
    public Modality(string name, float[,] values, IReadOnlyList<string>? featureNames = null, IReadOnlyList<bool>? availability = null)
        : this(name, Flatten(values, name), ValidateShape(values, name, 0), ValidateShape(values, name, 1), featureNames, availability)
    {
    }

    /// <summary>The public constructors' and <see cref="FromTensor"/>'s name of the values argument, named by the
    /// exceptions of the shared private constructor.</summary>
    private const string ValuesParameter = "values";

    /// <summary>Creates a modality that takes ownership of a row-major buffer (no copy).</summary>
    private Modality(string name, double[] rowMajor, int sampleCount, int featureCount, IReadOnlyList<string>? featureNames, IReadOnlyList<bool>? availability)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A modality needs a non-empty name.", nameof(name));
        if (sampleCount < 1)
            throw new ArgumentException($"Modality '{name}' has no rows; it needs at least one sample.", ValuesParameter);
        if (featureCount < 1)
            throw new ArgumentException($"Modality '{name}' has no columns; it needs at least one feature.", ValuesParameter);
        if (rowMajor.Length != (long)sampleCount * featureCount)
            throw new ArgumentException($"Modality '{name}': {rowMajor.Length} values do not fill {sampleCount} x {featureCount}.", ValuesParameter);
        Name = name;
        SampleCount = sampleCount;
        FeatureCount = featureCount;
        _values = rowMajor;

        if (featureNames is not null)
        {
            if (featureNames.Count != featureCount)
                throw new ArgumentException(
                    $"Modality '{name}' has {featureCount} features but {featureNames.Count} feature names.", nameof(featureNames));
            _featureNames = new string[featureCount];
            for (int j = 0; j < featureCount; j++)
                _featureNames[j] = featureNames[j] ?? throw new ArgumentException(
                    $"Modality '{name}': feature name at column {j} is null.", nameof(featureNames));
        }
        FeatureNames = _featureNames is null ? null : Array.AsReadOnly(_featureNames);

        _available = new bool[sampleCount];
        if (availability is null)
        {
            Array.Fill(_available, true);
        }
        else
        {
            if (availability.Count != sampleCount)
                throw new ArgumentException(
                    $"Modality '{name}' has {sampleCount} rows but its availability mask has {availability.Count} entries.", nameof(availability));
            for (int i = 0; i < sampleCount; i++) _available[i] = availability[i];
        }
        AvailableCount = _available.Count(a => a);
        if (AvailableCount == 0)
            throw new ArgumentException($"Modality '{name}' is missing for every sample; at least one row must be available.", nameof(availability));

        for (int i = 0; i < sampleCount; i++)
        {
            if (!_available[i]) continue;
            var row = _values.AsSpan(i * featureCount, featureCount);
            for (int j = 0; j < featureCount; j++)
            {
                if (!double.IsFinite(row[j]))
                    throw new ArgumentException(
                        $"Modality '{name}': value at row {i}, column {j} is {row[j].ToString(CultureInfo.InvariantCulture)}; " +
                        "values must be finite (mark the row as missing in the availability mask if the sample lacks this modality).",
                        ValuesParameter);
            }
        }
    }

    /// <summary>Creates a modality from a 2-D tensor of shape (n, d) (any floating dtype, any device; copied to float64).</summary>
    /// <param name="name">The modality name; non-empty.</param>
    /// <param name="values">A 2-D floating-point tensor, shape (n, d).</param>
    /// <param name="featureNames">Optional names of the d features.</param>
    /// <param name="availability">Optional availability mask of length n (default: all rows available).</param>
    /// <returns>The modality holding a float64 copy of <paramref name="values"/>.</returns>
    /// <exception cref="ArgumentException">When the tensor is not 2-D floating point, or a validation rule is broken.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Modality FromTensor(string name, Tensor values, IReadOnlyList<string>? featureNames = null, IReadOnlyList<bool>? availability = null)
    {
        TensorArgument.ThrowIfNullOrDisposed(values);
        if (values.dim() != 2)
            throw new ArgumentException($"Modality '{name}': expected a 2-D tensor (n, d), got {values.dim()} dimensions.", nameof(values));
        if (!values.dtype.IsFloatingPoint())
            throw new ArgumentException($"Modality '{name}': expected a floating-point tensor, got {values.dtype}.", nameof(values));
        using var scope = NewDisposeScope();
        // Reading the values needs a host copy, whatever device the tensor lives on.
        var host = values.detach().cpu().to(ScalarType.Float64).contiguous();
        // An empty tensor has no data to read (TorchSharp refuses it): the constructor then names the missing rows or columns.
        var flat = host.numel() == 0 ? [] : host.data<double>().ToArray();
        return new Modality(name, flat, (int)values.shape[0], (int)values.shape[1], featureNames, availability);
    }

    /// <summary>Creates a modality over a row-major buffer that the caller hands over (not copied; used by loaders and generators).</summary>
    internal static Modality FromRowMajor(string name, double[] rowMajor, int sampleCount, int featureCount,
        IReadOnlyList<string>? featureNames = null, IReadOnlyList<bool>? availability = null) =>
        new(name, rowMajor, sampleCount, featureCount, featureNames, availability);

    /// <summary>The modality name.</summary>
    public string Name { get; }

    /// <summary>Number of rows n (samples).</summary>
    public int SampleCount { get; }

    /// <summary>Number of columns d (features).</summary>
    public int FeatureCount { get; }

    /// <summary>The d feature names (a read-only view), or null when none were given.</summary>
    public IReadOnlyList<string>? FeatureNames { get; }

    /// <summary>Number of rows whose modality is available.</summary>
    public int AvailableCount { get; }

    /// <summary>True when at least one row is marked missing.</summary>
    public bool HasMissingRows => AvailableCount < SampleCount;

    /// <summary>The availability mask (length n): entry i is true when sample i was measured in this modality.</summary>
    public IReadOnlyList<bool> Availability => Array.AsReadOnly(_available);

    /// <summary>True when sample <paramref name="row"/> was measured in this modality.</summary>
    /// <param name="row">Row index in [0, n).</param>
    public bool IsAvailable(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, SampleCount);
        return _available[row];
    }

    /// <summary>The value at (<paramref name="row"/>, <paramref name="column"/>).</summary>
    /// <param name="row">Row index in [0, n).</param>
    /// <param name="column">Column index in [0, d).</param>
    public double this[int row, int column]
    {
        get
        {
            if ((uint)row >= (uint)SampleCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must lie in [0, {SampleCount}).");
            if ((uint)column >= (uint)FeatureCount) throw new ArgumentOutOfRangeException(nameof(column), column, $"Column must lie in [0, {FeatureCount}).");
            return _values[row * FeatureCount + column];
        }
    }

    /// <summary>A read-only view of one row (d values).</summary>
    /// <param name="row">Row index in [0, n).</param>
    public ReadOnlySpan<double> GetRow(int row)
    {
        if ((uint)row >= (uint)SampleCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must lie in [0, {SampleCount}).");
        return _values.AsSpan(row * FeatureCount, FeatureCount);
    }

    /// <summary>A read-only view of all values, row-major (n * d entries; entry i * d + j is row i, column j).</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>A copy of the values as an n x d array.</summary>
    public double[,] ToArray()
    {
        var result = new double[SampleCount, FeatureCount];
        Buffer.BlockCopy(_values, 0, result, 0, _values.Length * sizeof(double));
        return result;
    }

    /// <summary>
    /// The values as a tensor of shape (n, d) on <paramref name="device"/> (default: TorchSharp's default device, the CPU unless changed) with <paramref name="dtype"/>
    /// (default float64). Missing rows hold whatever was stored for them (possibly NaN).
    /// </summary>
    /// <param name="device">Target device; null means TorchSharp's default device.</param>
    /// <param name="dtype">Target floating-point dtype.</param>
    /// <returns>A new tensor owned by the caller (it joins the caller's dispose scope, if any).</returns>
    public Tensor ToTensor(Device? device = null, ScalarType dtype = ScalarType.Float64)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"Modality '{Name}': dtype must be floating point, got {dtype}.", nameof(dtype));
        using var scope = NewDisposeScope();
        var values = torch.tensor(_values, new long[] { SampleCount, FeatureCount }, ScalarType.Float64, device);
        return values.to(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>A new modality holding the given rows, in the given order (values, availability; names kept).</summary>
    /// <param name="rows">Row indices in [0, n); may repeat.</param>
    /// <returns>The new modality.</returns>
    /// <exception cref="ArgumentException">No rows, an index outside [0, n) (naming its position), or rows that all lack
    /// this modality.</exception>
    public Modality SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new ArgumentException($"Modality '{Name}': no rows selected; a modality needs at least one sample.", nameof(rows));
        var values = new double[(long)rows.Count * FeatureCount];
        var available = new bool[rows.Count];
        for (int k = 0; k < rows.Count; k++)
        {
            int r = rows[k];
            if ((uint)r >= (uint)SampleCount)
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Modality '{Name}': row index at position {k} must lie in [0, {SampleCount}).");
            Array.Copy(_values, (long)r * FeatureCount, values, (long)k * FeatureCount, FeatureCount);
            available[k] = _available[r];
        }
        if (!available.Contains(true))
            throw new ArgumentException($"Modality '{Name}' is missing on every selected row; at least one must have it.", nameof(rows));
        return new Modality(Name, values, rows.Count, FeatureCount, _featureNames, available);
    }

    /// <summary>A new modality with the same name, feature names and availability but other values (row-major, handed over).</summary>
    internal Modality WithValues(double[] rowMajor) => new(Name, rowMajor, SampleCount, FeatureCount, _featureNames, _available);

    private static int ValidateShape(Array values, string name, int dimension)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.GetLength(dimension);
    }

    private static double[] Flatten(double[,] values, string name)
    {
        ArgumentNullException.ThrowIfNull(values);
        var flat = new double[values.Length];
        Buffer.BlockCopy(values, 0, flat, 0, values.Length * sizeof(double));
        return flat;
    }

    private static double[] Flatten(float[,] values, string name)
    {
        ArgumentNullException.ThrowIfNull(values);
        var flat = new double[values.Length];
        int k = 0;
        foreach (var v in values) flat[k++] = v;
        return flat;
    }
}
