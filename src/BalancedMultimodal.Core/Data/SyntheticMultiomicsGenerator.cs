using MathNet.Numerics.Distributions;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Core.Data;

/// <summary>
/// Seeded generator of multi-omics-like classification data with modality imbalance: each modality has its own
/// signal strength (e.g. one strong, one weak, one pure noise), the classes are imbalanced, and most features are noise.
/// </summary>
/// <remarks>
/// <para>Model (per modality a Gaussian mixture with class means s_m N(0, 1) per informative feature, unlike
/// scikit-learn's <c>make_classification</c>, whose centroids lie on hypercube vertices): class counts n_c follow <see cref="SyntheticMultiomicsOptions.ClassProportions"/> by largest remainders
/// (each class gets at least one sample), labels are shuffled; for modality m with signal s_m and k_m informative
/// features, class means mu_cj = s_m * u_cj with u_cj ~ N(0, 1) for j &lt; k_m and 0 otherwise, and
/// x_ij = mu_{y_i j} + e_ij with e_ij ~ N(0, 1). The expected squared distance between two class means is 2 s_m^2 k_m,
/// so s_m tunes how separable modality m is. Features are named <c>informative_j</c> / <c>noise_j</c>.</para>
/// <para>Every draw comes from <see cref="Random"/> instances seeded from <see cref="SyntheticMultiomicsOptions.Seed"/>
/// (labels, then one stream per modality, so changing one modality does not change the others), and the split is
/// <see cref="StratifiedSplitter.Split(IReadOnlyList{int}, double, double, int, IReadOnlyList{int}?)"/> with the same seed: equal options give identical datasets.</para>
/// </remarks>
public sealed class SyntheticMultiomicsGenerator
{
    private readonly SyntheticMultiomicsOptions _options;

    /// <summary>Creates a generator; the options are validated (and deep-copied) now.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="OptionsValidationException">When an option is invalid; the failures name the options.</exception>
    public SyntheticMultiomicsGenerator(SyntheticMultiomicsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new SyntheticMultiomicsOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
            throw new OptionsValidationException(Options.DefaultName, typeof(SyntheticMultiomicsOptions), result.Failures);
        _options = new SyntheticMultiomicsOptions
        {
            SampleCount = options.SampleCount,
            ClassProportions = options.ClassProportions.ToArray(),
            Modalities = options.Modalities.Select(m => new SyntheticModalityOptions
            {
                Name = m.Name, FeatureCount = m.FeatureCount, InformativeFeatureCount = m.InformativeFeatureCount, SignalStrength = m.SignalStrength,
            }).ToArray(),
            ValidationFraction = options.ValidationFraction,
            TestFraction = options.TestFraction,
            Seed = options.Seed,
        };
    }

    /// <summary>Creates a generator from options supplied by dependency injection.</summary>
    /// <param name="options">The options wrapper.</param>
    public SyntheticMultiomicsGenerator(IOptions<SyntheticMultiomicsOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>Generates the dataset with default options but the given seed and sample count.</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="sampleCount">Number of samples (default 300; at least 13 with the default options).</param>
    /// <returns>The generated dataset.</returns>
    /// <exception cref="OptionsValidationException"><paramref name="sampleCount"/> is too small for the default split.</exception>
    public static MultimodalDataset Generate(int seed, int sampleCount = 300) =>
        new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions { Seed = seed, SampleCount = sampleCount }).Generate();

    /// <summary>
    /// Class counts n_c: floor(n * p_c) plus one for the largest remainders (ties to the lower class) until they sum to n;
    /// a class that would get none takes one from the currently largest class.
    /// </summary>
    /// <returns>C counts summing to <see cref="SyntheticMultiomicsOptions.SampleCount"/>.</returns>
    public int[] ClassCounts() => ClassCounts(_options.SampleCount, _options.ClassProportions);

    /// <summary>The class counts of <see cref="ClassCounts()"/> for n samples and proportions p (validated by the caller).</summary>
    internal static int[] ClassCounts(int n, IReadOnlyList<double> p)
    {
        double total = p.Sum();
        int classes = p.Count;
        var exact = p.Select(x => n * x / total).ToArray();
        var counts = exact.Select(x => (int)Math.Floor(x)).ToArray();
        var byRemainder = Enumerable.Range(0, classes).OrderByDescending(c => exact[c] - Math.Floor(exact[c])).ThenBy(c => c).ToArray();
        for (int k = 0, remaining = n - counts.Sum(); remaining > 0; k = (k + 1) % classes, remaining--) counts[byRemainder[k]]++;
        for (int c = 0; c < classes; c++)
        {
            if (counts[c] > 0) continue;
            counts[Array.IndexOf(counts, counts.Max())]--;
            counts[c] = 1;
        }
        return counts;
    }

    /// <summary>Generates the dataset (n samples, the configured modalities, a stratified train/validation/test split).</summary>
    /// <returns>A new <see cref="MultimodalDataset"/>; identical for identical options. (Options too small for the
    /// split were refused by the constructor, <see cref="SyntheticMultiomicsOptionsValidator"/>.)</returns>
    public MultimodalDataset Generate()
    {
        var counts = ClassCounts();
        int n = _options.SampleCount, classes = counts.Length;
        var labelRandom = new Random(_options.Seed);
        var labels = new int[n];
        for (int c = 0, i = 0; c < classes; c++)
            for (int k = 0; k < counts[c]; k++) labels[i++] = c;
        for (int i = n - 1; i > 0; i--)
        {
            int j = labelRandom.Next(i + 1);
            (labels[i], labels[j]) = (labels[j], labels[i]);
        }

        var modalities = new Modality[_options.Modalities.Length];
        for (int m = 0; m < modalities.Length; m++)
        {
            var spec = _options.Modalities[m];
            var random = new Random(unchecked(_options.Seed * 1_000_003 + 7919 * (m + 1)));
            int d = spec.FeatureCount, informative = spec.InformativeFeatureCount;
            var means = new double[classes * informative];
            Normal.Samples(random, means, 0.0, 1.0);
            for (int k = 0; k < means.Length; k++) means[k] *= spec.SignalStrength;
            var values = new double[(long)n * d];
            Normal.Samples(random, values, 0.0, 1.0);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < informative; j++) values[(long)i * d + j] += means[labels[i] * informative + j];
            var featureNames = Enumerable.Range(0, d).Select(j => j < informative ? $"informative_{j}" : $"noise_{j - informative}").ToArray();
            modalities[m] = Modality.FromRowMajor(spec.Name, values, n, d, featureNames);
        }

        var split = StratifiedSplitter.Split(labels, _options.ValidationFraction, _options.TestFraction, _options.Seed);
        var ids = Enumerable.Range(0, n).Select(i => $"S{i:D4}").ToArray();
        return new MultimodalDataset(modalities, labels, classes, sampleIds: ids,
            trainIndices: split.Train, validationIndices: split.Validation, testIndices: split.Test);
    }
}
