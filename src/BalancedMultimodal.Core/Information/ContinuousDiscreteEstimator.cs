using MathNet.Numerics;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>
/// Ross (2014) nearest-neighbour estimator of I(C; L) between continuous features C and a discrete label L:
/// <code>
/// I = psi(N') + &lt;psi(k_i)&gt; - &lt;psi(N_{l_i})&gt; - &lt;psi(m_i)&gt;
/// k_i = min(k, N_{l_i} - 1),  d_i = distance from c_i to its k_i-th nearest point with the same label
/// m_i = #{ j (i included) : ||c_j - c_i||_inf &lt; d_i }
/// </code>
/// where samples whose label occurs once are dropped first, N' is the number kept and N_l the size of label l.
/// </summary>
/// <remarks>
/// <para>Shapes: C (n, d) or (n); labels as Y of shape (n) or (n, 1) holding integer values, or as an
/// <c>int[]</c>. Matches scikit-learn 1.2.1 <c>_compute_mi_cd</c> (the noise-free core of
/// <c>mutual_info_classif</c>) to 1e-10 for one feature, including its rule m_i = #{j : d &lt;= nextafter(d_i, 0)}.
/// For d &gt; 1 the max-norm is used (scikit-learn only handles one feature at a time). Not clipped at 0.</para>
/// <para>Ties: when k_i same-label points coincide with c_i, d_i = 0 and m_i counts the points at distance exactly
/// 0 (at least i itself), so psi is never evaluated at 0.</para>
/// <para>Reference: B. C. Ross, "Mutual information between discrete and continuous data sets", PLoS ONE 9(2),
/// e87357 (2014); METHOD.md section 5. Stateless and thread-safe.</para>
/// </remarks>
public sealed class ContinuousDiscreteEstimator : IMutualInformationEstimator
{
    private readonly ContinuousDiscreteEstimatorOptions _options;

    /// <summary>Creates the estimator with the default options. (A separate constructor rather than an optional
    /// parameter, so that a dependency-injection container that registers the options pattern picks the
    /// <c>IOptions</c> constructor unambiguously.)</summary>
    public ContinuousDiscreteEstimator()
        : this((ContinuousDiscreteEstimatorOptions?)null)
    {
    }

    /// <summary>Creates the estimator with validated options (default K = 3).</summary>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <exception cref="OptionsValidationException">An option is out of range (the message names it).</exception>
    public ContinuousDiscreteEstimator(ContinuousDiscreteEstimatorOptions? options)
    {
        var source = options ?? new ContinuousDiscreteEstimatorOptions();
        OptionsCheck.Validated(source, new ContinuousDiscreteEstimatorOptionsValidator());
        _options = new ContinuousDiscreteEstimatorOptions { K = source.K, BlockSize = source.BlockSize };
    }

    /// <summary>Creates the estimator from bound options (dependency injection).</summary>
    /// <param name="options">The options accessor; its value is validated.</param>
    public ContinuousDiscreteEstimator(IOptions<ContinuousDiscreteEstimatorOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <inheritdoc />
    public string Name => "mixed";

    /// <summary>Estimates I(C; L) in nats; <paramref name="y"/> is one column of integer labels.</summary>
    /// <param name="x">Continuous features C, shape (n, d) or (n).</param>
    /// <param name="y">Integer labels, shape (n) or (n, 1), same device as <paramref name="x"/>.</param>
    /// <returns>The estimate in nats.</returns>
    /// <exception cref="ArgumentException">Bad shapes, non-finite or non-integer labels, a single class, no label
    /// with two or more samples, or a non-finite feature value.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public double Estimate(Tensor x, Tensor y)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        TensorArgument.ThrowIfNullOrDisposed(y);
        using var scope = NewDisposeScope();
        var (features, labelColumn) = MutualInformationInput.ValidateAndConvert(x, y, 2, Name);
        if (labelColumn.shape[1] != 1)
            throw new ArgumentException($"{Name}: y must be one column of integer labels, got {labelColumn.shape[1]} columns.", nameof(y));
        var labelsCpu = labelColumn.select(1, 0).cpu();
        var values = labelsCpu.data<double>().ToArray();
        var labels = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue)
                throw new ArgumentException($"{Name}: y must hold integer labels; row {i} holds {v}.", nameof(y));
            labels[i] = (int)v;
        }
        return EstimateValidated(features, labels, nameof(y));
    }

    /// <summary>Estimates I(C; L) in nats from typed labels.</summary>
    /// <param name="x">Continuous features C, shape (n, d) or (n).</param>
    /// <param name="labels">The label of each row, length n.</param>
    /// <returns>The estimate in nats.</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="labels"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> and <paramref name="labels"/> have different row counts
    /// (naming <paramref name="labels"/>), <paramref name="x"/> has a bad shape, too few rows or a non-finite value, or
    /// the labels hold a single class or no label with two or more samples (naming
    /// <paramref name="labels"/>).</exception>
    public double Estimate(Tensor x, int[] labels)
    {
        TensorArgument.ThrowIfNullOrDisposed(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (x.dim() is 1 or 2 && x.shape[0] != labels.Length)
            throw new ArgumentException($"{Name}: x has {x.shape[0]} rows but labels has {labels.Length} entries; they must pair up.", nameof(labels));
        using var scope = NewDisposeScope();
        var labelTensor = tensor(labels.Select(l => (double)l).ToArray(), dtype: ScalarType.Float64, device: x.device);
        var (features, _) = MutualInformationInput.ValidateAndConvert(x, labelTensor, 2, Name);
        return EstimateValidated(features, labels, nameof(labels));
    }

    /// <summary>Estimates I(C; L) in nats from arrays; <paramref name="y"/> has one column of integer labels.</summary>
    /// <param name="x">Continuous features C, shape (n, d).</param>
    /// <param name="y">Integer labels, shape (n, 1).</param>
    /// <returns>The estimate in nats.</returns>
    public double Estimate(double[,] x, double[,] y)
    {
        using var scope = NewDisposeScope();
        return Estimate(MutualInformationInput.FromArray(x, nameof(x), Name), MutualInformationInput.FromArray(y, nameof(y), Name));
    }

    /// <summary>Estimates I(C; L) in nats from an array of features and typed labels.</summary>
    /// <param name="x">Continuous features C, shape (n, d).</param>
    /// <param name="labels">The label of each row, length n.</param>
    /// <returns>The estimate in nats.</returns>
    public double Estimate(double[,] x, int[] labels)
    {
        using var scope = NewDisposeScope();
        return Estimate(MutualInformationInput.FromArray(x, nameof(x), Name), labels);
    }

    private double EstimateValidated(Tensor features, int[] labels, string labelsName)
    {
        var groups = labels.Select((label, row) => (label, row)).GroupBy(p => p.label)
            .ToDictionary(g => g.Key, g => g.Select(p => (long)p.row).ToArray());
        if (groups.Count < 2)
            throw new ArgumentException($"{Name}: {labelsName} holds a single class ({labels[0]}); mutual information with a constant label is undefined here.", labelsName);
        var kept = groups.Where(g => g.Value.Length > 1).OrderBy(g => g.Key).ToArray();
        if (kept.Length == 0)
            throw new ArgumentException($"{Name}: every label occurs once; at least one label needs two or more samples.", labelsName);

        var keptRows = new List<long>();
        var radii = new List<Tensor>();
        double sumPsiK = 0, sumPsiLabel = 0;
        foreach (var (_, rows) in kept)
        {
            int kLabel = Math.Min(_options.K, rows.Length - 1);
            var index = tensor(rows, device: features.device);
            var group = features.index_select(0, index);
            var kth = ChebyshevNeighbourSearch.KthNeighbourDistance(group, kLabel, _options.BlockSize);
            radii.Add(ChebyshevNeighbourSearch.RadiusBelow(kth));
            keptRows.AddRange(rows);
            sumPsiK += rows.Length * SpecialFunctions.DiGamma(kLabel);
            sumPsiLabel += rows.Length * SpecialFunctions.DiGamma(rows.Length);
        }
        long nKept = keptRows.Count;
        var keptFeatures = features.index_select(0, tensor(keptRows.ToArray(), device: features.device));
        var counts = ChebyshevNeighbourSearch.CountWithin(keptFeatures, cat(radii, 0), _options.BlockSize);
        double sumPsiM = counts.to_type(ScalarType.Float64).digamma().sum().item<double>();
        return SpecialFunctions.DiGamma(nKept) + sumPsiK / nKept - sumPsiLabel / nKept - sumPsiM / nKept;
    }
}
