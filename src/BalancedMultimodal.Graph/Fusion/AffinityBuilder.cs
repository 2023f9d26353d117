using BalancedMultimodal.Core;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// Builds one modality's affinity matrix W (n x n) from its feature matrix X (n x d), exactly as snfpy's
/// <c>make_affinity(X, metric, K, mu, normalize)</c>: optional column z-scoring (ddof = 1), pairwise distances,
/// then the scaled exponential kernel of <see cref="AffinityKernel.ScaledExponential"/>.
/// </summary>
/// <remarks>
/// Missing samples: with an availability mask, z-scores, distances and neighbour means use only the available
/// samples (snfpy treats all-NaN rows the same way); rows and columns of unavailable samples are 0 in the result and
/// are ignored by <see cref="SimilarityNetworkFusion"/> when it receives the same mask. Matches snfpy to 1e-10 in float64.
/// </remarks>
public sealed class AffinityBuilder
{
    private readonly AffinityOptions _options;

    /// <summary>Creates a builder with validated options.</summary>
    /// <param name="options">The options; copied, then checked by <see cref="AffinityOptionsValidator"/>. Later changes
    /// to this object do not affect the builder.</param>
    /// <exception cref="OptionsValidationException">When an option is out of range (the message names it).</exception>
    public AffinityBuilder(AffinityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = AffinityOptionsValidator.EnsureValid(Copy(options));
    }

    /// <summary>Creates a builder from the options pattern (e.g. dependency injection).</summary>
    /// <param name="options">The options wrapper; its value is validated.</param>
    public AffinityBuilder(IOptions<AffinityOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>A copy of the options in use. They were validated and copied at construction, so neither changes to
    /// the object given to the constructor nor changes to this copy affect the builder.</summary>
    public AffinityOptions Options => Copy(_options);

    private static AffinityOptions Copy(AffinityOptions o) => new() { K = o.K, Mu = o.Mu, Metric = o.Metric, ZScore = o.ZScore };

    /// <summary>Builds the affinity of one modality.</summary>
    /// <param name="features">Features X of shape (n, d), float32 or float64, any device; rows = samples. Rows of
    /// unavailable samples are ignored (they may hold NaN); every other entry must be finite.</param>
    /// <param name="available">Optional mask of length n: which samples have this modality (null = all).</param>
    /// <returns>W of shape (n, n), symmetric and non-negative, on the device and dtype of <paramref name="features"/>;
    /// detached (no autograd history from requires-grad features).</returns>
    /// <exception cref="ArgumentException">For a malformed input; the message names the sample, feature or option.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public Tensor Build(Tensor features, bool[]? available = null)
    {
        TensorArgument.ThrowIfNullOrDisposed(features);
        if (features.dim() != 2)
            throw new ArgumentException($"Features must have shape (n, d), got ({string.Join(", ", features.shape)}).", nameof(features));
        if (features.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"Features must be float32 or float64, got {features.dtype}.", nameof(features));
        long n = features.shape[0];
        if (features.shape[1] < 1)
            throw new ArgumentException("Features need at least one column.", nameof(features));
        if (available is not null && available.Length != n)
            throw new ArgumentException($"The availability mask has {available.Length} entries but there are {n} samples.", nameof(available));
        long[] rows = available is null
            ? Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray()
            : Enumerable.Range(0, (int)n).Where(i => available[i]).Select(i => (long)i).ToArray();
        if (_options.K >= rows.Length)
            throw new ArgumentOutOfRangeException(nameof(features), _options.K,
                $"AffinityOptions.K = {_options.K} must be below the number of available samples ({rows.Length}).");

        using var scope = NewDisposeScope();
        var index = tensor(rows, dtype: ScalarType.Int64, device: features.device);
        var x = available is null ? features : features.index_select(0, index);
        EnsureFinite(x, rows);
        if (_options.ZScore) x = AffinityKernel.ZScoreColumns(x);
        if (_options.Metric == DistanceMetric.Cosine) EnsureNoZeroRow(x, rows);
        var distances = AffinityKernel.PairwiseDistances(x, _options.Metric);
        EnsureFiniteDistances(distances, rows, x.dtype);
        var w = AffinityKernel.ScaledExponential(distances, _options.K, _options.Mu);
        if (available is null) return w.MoveToOuterDisposeScope();
        var partial = zeros(rows.Length, n, dtype: w.dtype, device: w.device).index_copy_(1, index, w);
        return zeros(n, n, dtype: w.dtype, device: w.device).index_copy_(0, index, partial).MoveToOuterDisposeScope();
    }

    /// <summary>Builds the affinity of one modality from a <c>double[,]</c> feature matrix (float64 on the CPU).</summary>
    /// <param name="features">Features X (n rows = samples, d columns).</param>
    /// <param name="available">Optional mask of length n: which samples have this modality (null = all).</param>
    /// <returns>W (n x n).</returns>
    public double[,] Build(double[,] features, bool[]? available = null)
    {
        using var x = MatrixConversion.ToTensor(features, nameof(features));
        using var w = Build(x, available);
        return MatrixConversion.ToArray(w);
    }

    /// <summary>Builds the affinities of several modalities over the same samples.</summary>
    /// <param name="views">One feature matrix (n, d_v) per modality.</param>
    /// <param name="availability">Optional masks, one per modality (null = all samples everywhere).</param>
    /// <param name="cancellationToken">Checked before any work and before each modality's affinity (never inside a
    /// tensor operation).</param>
    /// <returns>One affinity (n, n) per modality; the caller disposes them.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception): the affinities built so far are disposed and none is returned.</exception>
    /// <exception cref="ArgumentException">A null view, or views that disagree in sample count, dtype or device (checked
    /// for all before any is built), or a malformed view (the message starts with its modality index).</exception>
    /// <exception cref="ArgumentNullException">A null mask in <paramref name="availability"/> (its modality is named).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="views"/> has been
    /// disposed; <see cref="ObjectDisposedException.ObjectName"/> names the parameter (<c>views[i]</c> for an
    /// entry).</exception>
    public IReadOnlyList<Tensor> Build(IReadOnlyList<Tensor> views, IReadOnlyList<bool[]>? availability = null, CancellationToken cancellationToken = default)
    {
        TensorArgument.ThrowIfNullOrAnyDisposed(views);
        if (availability is not null && availability.Count != views.Count)
            throw new ArgumentException($"{availability.Count} availability masks for {views.Count} modalities.", nameof(availability));
        // A null mask is not "all samples" (that is a null list); rejected as similarity network fusion rejects it.
        for (int v = 0; availability is not null && v < availability.Count; v++)
            if (availability[v] is null) throw new ArgumentNullException(nameof(availability), $"The mask of modality {v} is null.");
        CheckViewsAgree(views);
        cancellationToken.ThrowIfCancellationRequested();   // before any work, also with no views (arguments first)
        var result = new List<Tensor>(views.Count);
        try
        {
            for (int v = 0; v < views.Count; v++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    result.Add(Build(views[v], availability?[v]));
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"Modality {v}: {WithoutParameterName(e)}", nameof(views), e);
                }
            }
            return result;
        }
        catch
        {
            foreach (var t in result) t.Dispose();
            throw;
        }
    }

    /// <summary>Before any modality is built: none null, all (n, d_v) matrices with the same n, dtype and device.</summary>
    private static void CheckViewsAgree(IReadOnlyList<Tensor> views)
    {
        for (int v = 0; v < views.Count; v++)
        {
            var view = views[v] ?? throw new ArgumentNullException(nameof(views), $"Modality {v} is null.");
            if (view.dim() != 2)
                throw new ArgumentException($"Modality {v}: features must have shape (n, d), got ({string.Join(", ", view.shape)}).", nameof(views));
            var first = views[0];
            if (view.shape[0] != first.shape[0] || view.dtype != first.dtype || view.device.type != first.device.type || view.device.index != first.device.index)
                throw new ArgumentException(
                    $"Modality {v} has {view.shape[0]} samples of {view.dtype} on {view.device}; modality 0 has {first.shape[0]} of {first.dtype} on {first.device}. " +
                    "All modalities must describe the same samples with one dtype and device.", nameof(views));
        }
    }

    /// <summary>The message of <paramref name="e"/> without the " (Parameter 'x')" suffix .NET appends, for wrapping.</summary>
    private static string WithoutParameterName(ArgumentException e)
    {
        string suffix = e.ParamName is null ? "" : $" (Parameter '{e.ParamName}')";
        return suffix.Length > 0 && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
    }

    private static void EnsureNoZeroRow(Tensor x, long[] rows)
    {
        using var zeroScalar = 0.ToScalar();
        using var zero = x.abs().sum(1).eq(zeroScalar).nonzero();
        if (zero.shape[0] > 0)
            throw new ArgumentException($"Sample {rows[zero[0, 0].item<long>()]} has an all-zero feature vector; the cosine distance is undefined for it.", "features");
    }

    /// <summary>Finite features can still give infinite squared distances (values near the dtype's range).</summary>
    private static void EnsureFiniteDistances(Tensor distances, long[] rows, ScalarType dtype)
    {
        // Two reductions first (a NaN or an infinity makes the minimum or the maximum non-finite); the n x n mask only to
        // name the pair.
        using (var smallest = distances.min())
        using (var largest = distances.max())
        {
            if (double.IsFinite(smallest.to(ScalarType.Float64).item<double>()) && double.IsFinite(largest.to(ScalarType.Float64).item<double>()))
                return;
        }
        using var bad = distances.isfinite().logical_not().nonzero();
        if (bad.shape[0] == 0) return;
        throw new ArgumentException(
            $"The distance between samples {rows[bad[0, 0].item<long>()]} and {rows[bad[0, 1].item<long>()]} overflows {dtype}: the features are too large " +
            "for this dtype; rescale them (or set AffinityOptions.ZScore).", "features");
    }

    private static void EnsureFinite(Tensor x, long[] rows)
    {
        using var bad = x.isfinite().logical_not().nonzero();
        if (bad.shape[0] == 0) return;
        long row = bad[0, 0].item<long>(), column = bad[0, 1].item<long>();
        throw new ArgumentException($"Sample {rows[row]}, feature {column} is not finite; features must be finite for available samples.", "features");
    }
}
