using BalancedMultimodal.Core;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// Similarity Network Fusion (Wang et al. 2014, Nature Methods 11(3)) with snfpy's exact semantics
/// (<c>snf.snf(*aff, K, t, alpha)</c>, rmarkello/snfpy): float64 results match snfpy to 1e-10.
/// </summary>
/// <remarks>
/// <para>For m views W_v (n x n):</para>
/// <list type="number">
/// <item>P_v = W_v / rowsum(W_v), then symmetrised <c>(P + P^T)/2</c> (scikit-learn <c>check_symmetric</c>).</item>
/// <item>S_v = the entries of each row of P_v at or above its <c>100 (1 - K/n)</c>-th percentile (the K largest, self
/// included), row-normalised.</item>
/// <item>t times, every view from the previous iteration's values:
/// <c>P_v = S_v (sum_{k != v} P_k) S_v^T / (m - 1) + alpha I</c>.</item>
/// <item><c>P = mean_v P_v</c>; <c>P = P / rowsum(P)</c>; result <c>(P + P^T + I) / 2</c>.</item>
/// </list>
/// <para>The product uses a sparse S_v by default (<see cref="FusionProductPath.Sparse"/>, O(n^2 K) per view and
/// iteration; on the CPU a SIMD row-gather kernel, elsewhere libtorch's COO product, <see cref="FusionProductPath.SparseCoo"/>);
/// <see cref="FusionProductPath.Dense"/> keeps snfpy's dense O(n^3) products. The sparse kernels compute the transpose
/// <c>S_v A^T S_v^T</c>, equal to the update up to rounding when every P_v is exactly symmetric after step 1 (the
/// usual case: the second symmetry check fires); when one is not (its row sums agreed to within check_symmetric's
/// tolerance, so up to ~1e-5 of asymmetry reaches A), the loop holds every P_v transposed after each such iteration,
/// so that the next A is A^T and the orientation alternates, and undoes an odd count once at the end: every path
/// gives snfpy's <c>S_v A S_v^T</c> for any t.</para>
/// <para>Memory, in n x n matrices of the input dtype: during the iterations m + 3 (P_v per view, updated in place,
/// their sum, A = sum - P_v and the intermediate product), with availability masks one more (the per-pair divisor),
/// plus S_v with about K entries per row; the dense path adds a dense S_v per view and two product temporaries per
/// update. The views are set up one after another and each view's temporaries (a masked or symmetrised copy of the
/// input, the neighbour selection's) are freed before the next, so the set-up stays below the iterations' level; the
/// final normalisation works in place in the iterations' buffers. Measured (<c>bmm bench snf --sizes 3000 --rosmap
/// false --t 8 --threads 1 --dense-max 0 --memory</c>, glibc mmap threshold 128 KiB, resident set every 100 ms): 6.1
/// matrices above the level before the call through the iterations and at the peak for m = 3 (7.1 with 30 % of
/// the views missing); docs/benchmarks/snf.md.</para>
/// <para>Missing modalities (snfpy's semantics, with two deliberate deviations): with availability masks, a view's
/// entries involving an unavailable sample are ignored (treated as snfpy's NaN), row sums use the available samples
/// only, and the update of entry (i, j) is divided by (number of views in which both i and j are present) - 1. The
/// deviations: neighbour selection also uses the available samples only (snfpy's <c>_find_dominate_set</c> takes a
/// percentile over <c>len(W)</c> entries, so a row holding NaN keeps every entry), and the divisor is at least 1
/// (snfpy divides by zero there).</para>
/// </remarks>
public sealed class SimilarityNetworkFusion : ISimilarityFusion
{
    private readonly SimilarityNetworkFusionOptions _options;

    /// <summary>Creates the fusion with validated options.</summary>
    /// <param name="options">The options; copied, then checked by <see cref="SimilarityNetworkFusionOptionsValidator"/>.
    /// Later changes to this object do not affect the fusion.</param>
    /// <exception cref="OptionsValidationException">When an option is out of range (the message names it).</exception>
    public SimilarityNetworkFusion(SimilarityNetworkFusionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = SimilarityNetworkFusionOptionsValidator.EnsureValid(Copy(options));
    }

    /// <summary>Creates the fusion from the options pattern (e.g. dependency injection).</summary>
    /// <param name="options">The options wrapper; its value is validated.</param>
    public SimilarityNetworkFusion(IOptions<SimilarityNetworkFusionOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>A copy of the options in use. They were validated and copied at construction, so neither changes to
    /// the object given to the constructor nor changes to this copy affect the fusion.</summary>
    public SimilarityNetworkFusionOptions Options => Copy(_options);

    private static SimilarityNetworkFusionOptions Copy(SimilarityNetworkFusionOptions o) =>
        new() { K = o.K, Iterations = o.Iterations, Alpha = o.Alpha, ProductPath = o.ProductPath };

    /// <inheritdoc />
    /// <exception cref="ArgumentException">For fewer than two views, mismatched shapes, dtypes or devices, non-finite or
    /// negative entries, a zero row, a sample with no modality, or K not below a view's sample count; the message names
    /// the view, row and column.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="affinities"/> has
    /// been disposed; <see cref="ObjectDisposedException.ObjectName"/> names the parameter (<c>affinities[i]</c> for an
    /// entry).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception): before any work (after the arguments are checked), between two views' set-ups, or between two SNF
    /// iterations; every tensor the fusion made is freed and no result is returned.</exception>
    public Tensor Fuse(IReadOnlyList<Tensor> affinities, IReadOnlyList<bool[]>? availability = null, CancellationToken cancellationToken = default) =>
        Fuse(affinities, availability, afterIteration: null, cancellationToken);

    /// <summary>
    /// <see cref="Fuse(IReadOnlyList{Tensor}, IReadOnlyList{bool[]}, CancellationToken)"/> with <paramref name="afterIteration"/> called on
    /// the calling thread after every iteration (0-based index), once all views are updated and summed: the tests count
    /// the tensors alive at that point.
    /// </summary>
    internal Tensor Fuse(IReadOnlyList<Tensor> affinities, IReadOnlyList<bool[]>? availability, Action<int>? afterIteration,
        CancellationToken cancellationToken = default)
    {
        var (n, masks) = Validate(affinities, availability);
        cancellationToken.ThrowIfCancellationRequested();
        int m = affinities.Count;
        var first = affinities[0];
        using var scope = NewDisposeScope();

        var p = new Tensor[m];
        var kernels = new IPropagationKernel[m];
        try
        {
            // Whether every P_v is exactly symmetric after the set-up: then A is symmetric in the first iteration and,
            // up to rounding, in every later one.
            bool symmetric = true;
            // With masks, the number of views in which both samples of a pair are present, summed view by view.
            var count = masks.Any(x => x is not null) ? zeros(n, n, dtype: first.dtype, device: first.device) : null;
            // The set-up's numbers as Scalars disposed with the method, not left to the finalizer (the Int32 0 of the
            // comparison and the Int32 alpha 1 that TorchSharp's add_(Scalar) would pass keep their implicit types).
            using var zeroScalar = 0.ToScalar();
            using var zeroFill = 0.0.ToScalar();
            using var oneScalar = 1.0.ToScalar();
            using var unitAlpha = 1.ToScalar();
            for (int v = 0; v < m; v++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Every temporary of this view's set-up (masks, copies, row sums, the neighbour selection) is freed
                // here; only P_v leaves the scope.
                using var setUp = NewDisposeScope();
                // Data, not a differentiable step (the iterations write in place): read detached, and row-major so that a
                // strided view sums its rows as its contiguous copy does. The alias shares the caller's memory, so it is
                // written only once a masked copy has replaced it.
                var w = affinities[v].detach().contiguous();
                bool copied = false;
                Tensor? rowMask = null;
                if (masks[v] is { } mask)
                {
                    rowMask = tensor(mask, device: first.device);
                    using var pair = rowMask.unsqueeze(1).logical_and(rowMask.unsqueeze(0));
                    using (var absent = pair.logical_not()) w = w.masked_fill(absent, zeroFill);
                    copied = true;
                    using (var present = pair.to_type(first.dtype)) count!.PlusInPlace(present);
                }
                else
                {
                    count?.add_(oneScalar, unitAlpha);
                }
                // The caller's affinity is never written; a masked copy is ours and is symmetrised in place.
                w = SklearnSymmetry.CheckSymmetric(w, inPlace: copied, out _);
                var rowSum = w.sum(1, keepdim: true);
                if (rowMask is not null) rowSum = rowSum.masked_fill(rowSum == zeroScalar, oneScalar);
                // P_v = W / rowsum(W) straight into the iteration's buffer (fresh, advised for huge pages), then
                // symmetrised in place when the check fires.
                var normalised = HugePageAdvice.Copy(w).div_(rowSum);
                // snfpy's check_symmetric leaves a matrix within rtol = 1e-5 as it is, so up to ~1e-5 of asymmetry
                // can reach A.
                normalised = SklearnSymmetry.CheckSymmetric(normalised, inPlace: true, out bool exactlySymmetric);
                symmetric &= exactlySymmetric;
                long available = masks[v]?.Count(b => b) ?? n;
                kernels[v] = BuildKernel(normalised, available, rowMask);
                p[v] = normalised.MoveToOuterDisposeScope();
            }

            var divisor = count?.sub_(oneScalar).clamp_min_(oneScalar);
            double scalarDivisor = m - 1;

            // Scalars made once and disposed: implicit double -> Scalar conversions in the loop leave small native
            // objects alive until finalisation, which pins the malloc heap and keeps freed n x n blocks from the OS.
            using var alphaScalar = _options.Alpha.ToScalar();
            // Buffers reused by every iteration: fresh n x n tensors per step page-fault on first touch, which on a
            // virtual machine cost as much as the sparse products. P_v is overwritten in place once A_v is formed.
            var sum = HugePageAdvice.Copy(p[0]);
            for (int v = 1; v < m; v++) sum.PlusInPlace(p[v]);
            var others = HugePageAdvice.Empty(sum);
            var scratch = HugePageAdvice.Empty(sum);
            // The sparse kernels write S A^T S^T = (S A S^T)^T (IPropagationKernel.WritesTranspose). For a symmetric A
            // that is the update up to rounding. For an asymmetric one the loop holds every P_v and their sum
            // transposed after such an iteration: the next A is then A^T and the next product S A S^T itself, so the
            // orientation alternates at no cost, and an odd count is undone by one transposed copy at the end. (All
            // views get the same kind of kernel: it depends on the options, the dtype and the device only.)
            bool alternate = !symmetric && kernels[0].WritesTranspose;
            bool heldTransposed = false;
            for (int iteration = 0; iteration < _options.Iterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (int v = 0; v < m; v++)
                {
                    using var step = NewDisposeScope();
                    if (!HostElementwise.TrySubtract(sum, p[v], others)) others.copy_(sum).sub_(p[v]);
                    kernels[v].Propagate(others, p[v], scratch, divisor is null ? scalarDivisor : 1.0);
                    if (divisor is not null) p[v].div_(divisor);
                    // snfpy's _B0_normalized then calls check_symmetric, which does not fire here: the product's
                    // asymmetry S (A - A^T) S^T / (m - 1) is rounding when the set-up made every P_v symmetric, and
                    // otherwise stays within the tolerance the set-up's check let through, so that O(n^2) test is
                    // skipped. (The per-pair divisor and alpha I are symmetric: they apply alike to a transposed P_v.)
                    p[v].diagonal().add_(alphaScalar, unitAlpha);
                }
                sum.copy_(p[0]);
                for (int v = 1; v < m; v++) sum.PlusInPlace(p[v]);
                heldTransposed ^= alternate;
                afterIteration?.Invoke(iteration);
            }
            if (heldTransposed)
            {
                using (var back = sum.t()) others.copy_(back);
                (sum, others) = (others, sum);
            }

            // P = sum / m; P = P / rowsum(P); (P + P^T + I) / 2, in place and into the free buffer `others`: no n x n
            // matrix beyond the iteration's. The same operations in the same order as the out-of-place formula.
            using (var viewCount = ((double)m).ToScalar()) sum.div_(viewCount);
            using (var fusedRowSum = sum.sum(1, keepdim: true)) sum.div_(fusedRowSum);
            using (var transposed = sum.t()) others.copy_(sum).PlusInPlace(transposed);
            using (var one = 1.0.ToScalar())
            using (var diagonal = others.diagonal())
                diagonal.add_(one, unitAlpha);
            using (var two = 2.0.ToScalar()) others.div_(two);
            return others.MoveToOuterDisposeScope();
        }
        finally
        {
            foreach (var kernel in kernels) kernel?.Dispose();
        }
    }

    /// <summary>Fuses <c>double[,]</c> affinities (float64 on the CPU); see <see cref="Fuse(IReadOnlyList{Tensor}, IReadOnlyList{bool[]}, CancellationToken)"/>.</summary>
    /// <param name="affinities">m &gt;= 2 affinity matrices (n x n).</param>
    /// <param name="availability">Optional per-modality masks of length n.</param>
    /// <param name="cancellationToken">Checked once the arguments are checked (the matrices converted and validated),
    /// before any fusion work, and between iterations.</param>
    /// <returns>The fused similarity (n x n).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (carried by the
    /// exception); no result is returned and the converted inputs are freed.</exception>
    public double[,] Fuse(IReadOnlyList<double[,]> affinities, IReadOnlyList<bool[]>? availability = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(affinities);
        // Arguments first, then the token: the tensor overload checks it after validating the converted matrices.
        var tensors = new List<Tensor>(affinities.Count);
        try
        {
            for (int v = 0; v < affinities.Count; v++)
                tensors.Add(MatrixConversion.ToTensor(affinities[v], $"{nameof(affinities)}[{v}]"));
            using var fused = Fuse(tensors, availability, cancellationToken);
            return MatrixConversion.ToArray(fused);
        }
        finally
        {
            foreach (var t in tensors) t.Dispose();
        }
    }

    private IPropagationKernel BuildKernel(Tensor w, long available, Tensor? rowMask)
    {
        using var scope = NewDisposeScope();
        var keep = NeighbourSelection.KeepMask(w, _options.K, available, rowMask);
        if (rowMask is not null) keep = keep.logical_and(rowMask.unsqueeze(1));
        using var zero = 0.ToScalar();
        using var one = 1.0.ToScalar();
        if (_options.ProductPath == FusionProductPath.Dense)
        {
            var kept = where(keep, w, zeros_like(w));
            var keptSum = kept.sum(1, keepdim: true);
            keptSum = keptSum.masked_fill(keptSum == zero, one);
            return new DensePropagationKernel((kept / keptSum).DetachFromDisposeScope());
        }
        // The same values without a dense copy: row sums of the kept entries by index_add (summing only the kept
        // entries, as the dense row sum adds zeros elsewhere).
        var indices = keep.nonzero().t();
        var entries = w.masked_select(keep);
        var rowSums = zeros(w.shape[0], dtype: w.dtype, device: w.device).index_add_(0, indices[0], entries, one);
        rowSums = rowSums.masked_fill(rowSums == zero, one);
        var values = entries / rowSums.index_select(0, indices[0]);
        long n = w.shape[0];
        // The row-gather kernel reads and writes the tensors' storage in place, so it serves host tensors only; any
        // other device (CUDA) takes libtorch's sparse COO product, which runs wherever the tensors live.
        if (_options.ProductPath != FusionProductPath.Sparse || !HostTensor.IsUsable(w))
            return new SparsePropagationKernel(indices, values, n);
        return w.dtype == ScalarType.Float64
            ? new HostSparsePropagationKernel<double>(indices, values, (int)n)
            : new HostSparsePropagationKernel<float>(indices, values, (int)n);
    }

    /// <summary>
    /// Two reductions instead of the element-wise scans: min &gt;= 0 with a finite max (NaN propagates into both) and
    /// a positive smallest row sum prove every entry and row valid; otherwise the caller locates the offending entry.
    /// </summary>
    private static bool QuickCheck(Tensor affinity)
    {
        double smallest = affinity.min().to_type(ScalarType.Float64).item<double>();
        double largest = affinity.max().to_type(ScalarType.Float64).item<double>();
        if (!(smallest >= 0) || !double.IsFinite(largest)) return false;
        return affinity.sum(1).min().to_type(ScalarType.Float64).item<double>() > 0;
    }

    private (long N, bool[]?[] Masks) Validate(IReadOnlyList<Tensor> affinities, IReadOnlyList<bool[]>? availability)
    {
        TensorArgument.ThrowIfNullOrAnyDisposed(affinities);
        int m = affinities.Count;
        if (m < 2)
            throw new ArgumentException($"Similarity network fusion needs at least two modalities, got {m}.", nameof(affinities));
        for (int v = 0; v < m; v++)
            if (affinities[v] is null) throw new ArgumentNullException(nameof(affinities), $"Modality {v} is null.");
        var first = affinities[0];
        if (first.dim() != 2 || first.shape[0] != first.shape[1])
            throw new ArgumentException($"Modality 0: an affinity must be square (n, n), got ({string.Join(", ", first.shape)}).", nameof(affinities));
        if (first.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"Modality 0: affinities must be float32 or float64, got {first.dtype}.", nameof(affinities));
        long n = first.shape[0];
        for (int v = 1; v < m; v++)
        {
            var a = affinities[v];
            if (a.dim() != 2 || a.shape[0] != a.shape[1])
                throw new ArgumentException($"Modality {v}: an affinity must be square (n, n), got ({string.Join(", ", a.shape)}).", nameof(affinities));
            if (a.shape[0] != n)
                throw new ArgumentException($"Modality {v} has {a.shape[0]} samples but modality 0 has {n}; all affinities must be n x n over the same samples.", nameof(affinities));
            if (a.dtype != first.dtype)
                throw new ArgumentException($"Modality {v} is {a.dtype} but modality 0 is {first.dtype}; use one dtype.", nameof(affinities));
            if (a.device.type != first.device.type || a.device.index != first.device.index)
                throw new ArgumentException($"Modality {v} is on {a.device} but modality 0 is on {first.device}; use one device.", nameof(affinities));
        }

        var masks = new bool[]?[m];
        if (availability is not null)
        {
            if (availability.Count != m)
                throw new ArgumentException($"{availability.Count} availability masks for {m} modalities.", nameof(availability));
            for (int v = 0; v < m; v++)
            {
                var mask = availability[v] ?? throw new ArgumentNullException(nameof(availability), $"The mask of modality {v} is null.");
                if (mask.Length != n)
                    throw new ArgumentException($"The mask of modality {v} has {mask.Length} entries but there are {n} samples.", nameof(availability));
                if (!mask.All(b => b)) masks[v] = mask;
            }
            for (int i = 0; i < n; i++)
                if (!availability.Any(mask => mask[i]))
                    throw new ArgumentException($"Sample {i} has no modality at all; drop it before fusing.", nameof(availability));
        }

        for (int v = 0; v < m; v++)
        {
            long available = masks[v]?.Count(b => b) ?? n;
            if (_options.K >= available)
                throw new ArgumentOutOfRangeException(nameof(affinities), _options.K,
                    $"SimilarityNetworkFusionOptions.K = {_options.K} must be below the number of samples of modality {v} ({available}).");
            CheckEntries(affinities[v], masks[v], v);
        }
        return (n, masks);
    }

    private static void CheckEntries(Tensor affinity, bool[]? mask, int modality)
    {
        using var scope = NewDisposeScope();
        if (mask is null && QuickCheck(affinity)) return;
        using var zeroScalar = 0.ToScalar();
        var bad = affinity.isfinite().logical_not().logical_or(affinity < zeroScalar);
        Tensor? rows = null;
        if (mask is not null)
        {
            rows = tensor(mask, device: affinity.device);
            bad = bad.logical_and(rows.unsqueeze(1).logical_and(rows.unsqueeze(0)));
        }
        var position = bad.nonzero();
        if (position.shape[0] > 0)
        {
            long i = position[0, 0].item<long>(), j = position[0, 1].item<long>();
            double value = affinity[i, j].to_type(ScalarType.Float64).item<double>();
            throw new ArgumentException(
                $"Modality {modality}, row {i}, column {j} holds {value}; affinities must be finite and non-negative.", "affinities");
        }
        var masked = rows is null ? affinity : where(rows.unsqueeze(1).logical_and(rows.unsqueeze(0)), affinity, zeros_like(affinity));
        var zeroRows = (masked.sum(1) <= zeroScalar);
        if (rows is not null) zeroRows = zeroRows.logical_and(rows);
        var zero = zeroRows.nonzero();
        if (zero.shape[0] > 0)
            throw new ArgumentException(
                $"Modality {modality}, row {zero[0, 0].item<long>()} sums to zero; every available sample needs a positive affinity somewhere.", "affinities");
    }
}
