using BalancedMultimodal.Core;
using BalancedMultimodal.Graph.Fusion;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// The affinity of new samples to a training cohort with the kernel the cohort's own graph was built with
/// (<see cref="AffinityBuilder"/>, snfpy's <c>make_affinity</c>), evaluated as if each new sample were appended to the
/// cohort on its own.
/// </summary>
/// <remarks>
/// With cohort features C (n_c, d) and new features X (n_new, d) of one modality:
/// <list type="number">
/// <item>z-scoring (when <see cref="AffinityOptions.ZScore"/>): both are scaled with the cohort's column means and
/// ddof-1 standard deviations (constant cohort columns become 0), the statistics the cohort graph used;</item>
/// <item>distances D_ij = d(x_i, c_j) with the same metric (exact differences; 1 - cos for cosine);</item>
/// <item>m_j = mean of cohort row j's K smallest off-diagonal cohort distances + eps (exactly the cohort kernel's),
/// m_i = mean of new row i's K smallest distances to the cohort + eps;</item>
/// <item>sigma_ij = (m_i + m_j + D_ij) / 3 (+ eps where it exceeds eps, else eps) and
/// W_ij = exp(-(D_ij / (mu sigma_ij))^2 / 2) / (sqrt(2 pi) mu sigma_ij), snfpy's scaled exponential kernel.</item>
/// </list>
/// The new samples do not see one another and the cohort's neighbour means are not changed by them, so a prediction
/// does not depend on which other samples are predicted with it. Since sigma_ij &gt;= D_ij / 3, the exponent is at
/// least -4.5 / mu^2 (-18 at the default mu = 0.5), so W does not underflow to 0 for finite inputs.
/// </remarks>
public static class InductiveAffinity
{
    /// <summary>Computes W (n_new, n_c), float64, on the device of <paramref name="cohort"/>.</summary>
    /// <param name="cohort">Cohort features C, (n_c, d), floating point.</param>
    /// <param name="samples">New features X, (n_new, d), finite.</param>
    /// <param name="options">The affinity options the cohort graph was built with; checked by
    /// <see cref="AffinityOptionsValidator"/> first, as <see cref="AffinityBuilder"/> checks them.</param>
    /// <param name="sampleRows">The caller's row number of each new sample, used in error messages (null: 0, 1, ...).</param>
    /// <returns>The affinities of every new sample to every cohort row.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="options"/> are invalid
    /// (e.g. <c>Mu</c> not positive and finite), naming the option.</exception>
    public static Tensor Compute(Tensor cohort, Tensor samples, AffinityOptions options, IReadOnlyList<long>? sampleRows = null)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        AffinityOptionsValidator.EnsureValid(options);   // Mu <= 0 or NaN, an undefined metric: refused as AffinityBuilder refuses them
        if (cohort.dim() != 2 || samples.dim() != 2 || cohort.shape[1] != samples.shape[1])
            throw new ArgumentException($"Cohort ({string.Join(", ", cohort.shape)}) and samples ({string.Join(", ", samples.shape)}) must be matrices with the same columns.", nameof(samples));
        int k = options.K;
        if (k < 1 || k >= cohort.shape[0])
            throw new ArgumentOutOfRangeException(nameof(options), k, $"AffinityOptions.K = {k} must lie in [1, {cohort.shape[0] - 1}] for a cohort of {cohort.shape[0]}.");
        using var scope = NewDisposeScope();
        // The numbers as Scalars alive for each call and freed right after (docs/native-runtime.md): an implicit one is
        // left to the finalizer, which can free it while libtorch reads it. Same C# types as the implicit conversions.
        using var epsilon = AffinityKernel.Epsilon.ToScalar();
        using var zero = 0.0.ToScalar();
        using var two = 2.0.ToScalar();
        using var three = 3.ToScalar();
        using var width = options.Mu.ToScalar();
        using var sqrtTwoPi = Math.Sqrt(2 * Math.PI).ToScalar();
        var c = cohort.to(ScalarType.Float64);
        var x = samples.to(ScalarType.Float64);
        if (options.ZScore)
        {
            var mean = c.mean([0], keepdim: true);
            var sd = c.std(0, unbiased: true, keepdim: true);
            var constant = sd <= mean.abs().mul(epsilon);
            c = ((c - mean) / sd).masked_fill(constant, zero);
            x = ((x - mean) / sd).masked_fill(constant, zero);
        }
        var cohortDistances = AffinityKernel.PairwiseDistances(c, options.Metric);
        var cohortMean = cohortDistances.topk(k + 1, dim: 1, largest: false, sorted: true).values[TensorIndex.Colon, TensorIndex.Slice(1, k + 1)]
            .mean([1]).Plus(AffinityKernel.Epsilon);
        var distances = CrossDistances(x, c, options.Metric, sampleRows);
        var sampleMean = distances.topk(k, dim: 1, largest: false, sorted: true).values.mean([1], keepdim: true).Plus(AffinityKernel.Epsilon);
        var sigma = sampleMean.Plus(cohortMean.unsqueeze(0)).Plus(distances).div(three);
        sigma = sigma.mul(sigma.gt(epsilon).to_type(sigma.dtype)).Plus(AffinityKernel.Epsilon);
        var scale = sigma.mul(width);
        using var square = 2.ToScalar();   // the Int32 exponent TorchSharp's square() would convert itself
        var w = (distances / scale).pow(square).neg().div(two).exp().div(sqrtTwoPi).div(scale);
        return w.MoveToOuterDisposeScope();
    }

    private static Tensor CrossDistances(Tensor x, Tensor c, DistanceMetric metric, IReadOnlyList<long>? sampleRows)
    {
        switch (metric)
        {
            case DistanceMetric.SquaredEuclidean:
                using (var square = 2.ToScalar())   // the Int32 exponent TorchSharp's square() would convert itself
                    return cdist(x, c, 2.0, compute_mode.donot_use_mm_for_euclid_dist).pow(square);
            case DistanceMetric.Euclidean:
                return cdist(x, c, 2.0, compute_mode.donot_use_mm_for_euclid_dist);
            case DistanceMetric.Cosine:
                var xn = x.norm(1, keepdim: true);
                var cn = c.norm(1, keepdim: true);
                using (var zeroScalar = 0.ToScalar())
                using (var zero = (xn == zeroScalar).nonzero())
                    if (zero.shape[0] > 0)
                    {
                        long row = zero[0, 0].item<long>();
                        throw new ArgumentException($"New sample {(sampleRows is null ? row : sampleRows[(int)row])} has an all-zero feature vector; the cosine distance is undefined for it.");
                    }
                using (var minusOne = (-1.0).ToScalar())
                using (var one = 1.0.ToScalar())
                using (var oneInt = 1.ToScalar())
                {
                    // 1 - t as TorchSharp's operator computes it: (-t) + 1 (Int32 value, Int32 alpha 1).
                    var cosine = (x / xn).mm((c / cn).t()).clamp(minusOne, one);
                    return cosine.negative().add(oneInt, oneInt);
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric.");
        }
    }
}
