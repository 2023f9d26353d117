using BalancedMultimodal.Distillation.Assessment;
using MathNet.Numerics.Distributions;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

/// <summary>
/// Seeded synthetic validation outputs: a strong modality whose logits carry the label, a weak modality whose logits are
/// a damped, noisy copy of the strong one's (related to it), and a pure-noise modality; softmax gives class probabilities.
/// </summary>
internal sealed class SyntheticModalities
{
    public SyntheticModalities(int seed, int rows = 300, int classes = 3)
    {
        var random = new Random(seed);
        Labels = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        var strong = new double[rows, classes];
        var weak = new double[rows, classes];
        var noise = new double[rows, classes];
        for (int i = 0; i < rows; i++)
        {
            for (int c = 0; c < classes; c++)
            {
                strong[i, c] = (Labels[i] == c ? 3.0 : 0.0) + Normal.Sample(random, 0, 1);
                weak[i, c] = 0.5 * strong[i, c] + Normal.Sample(random, 0, 1);
                noise[i, c] = Normal.Sample(random, 0, 1);
            }
        }
        StrongLogits = strong;
        WeakLogits = weak;
        NoiseLogits = noise;
    }

    public int[] Labels { get; }

    public double[,] StrongLogits { get; }

    public double[,] WeakLogits { get; }

    public double[,] NoiseLogits { get; }

    public IReadOnlyList<ModalityEvidence> Evidence() =>
    [
        new ModalityEvidence("mrna", 0.92, Softmax(StrongLogits)),
        new ModalityEvidence("methylation", 0.61, Softmax(WeakLogits)),
        new ModalityEvidence("noise", 0.34, Softmax(NoiseLogits)),
    ];

    public static double[,] Softmax(double[,] logits)
    {
        int n = logits.GetLength(0), c = logits.GetLength(1);
        var p = new double[n, c];
        for (int i = 0; i < n; i++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < c; j++) max = Math.Max(max, logits[i, j]);
            for (int j = 0; j < c; j++) sum += p[i, j] = Math.Exp(logits[i, j] - max);
            for (int j = 0; j < c; j++) p[i, j] /= sum;
        }
        return p;
    }

    /// <summary>Embeds logits in a wider space: [logits, logits A] plus small noise, so PCA has something to reduce.</summary>
    public static double[,] Embed(double[,] logits, int width, Random random)
    {
        int n = logits.GetLength(0), c = logits.GetLength(1);
        var mixing = new double[c, width];
        for (int a = 0; a < c; a++)
            for (int b = 0; b < width; b++)
                mixing[a, b] = Normal.Sample(random, 0, 1);
        var embedding = new double[n, width];
        for (int i = 0; i < n; i++)
            for (int b = 0; b < width; b++)
            {
                double v = 0.01 * Normal.Sample(random, 0, 1);
                for (int a = 0; a < c; a++) v += logits[i, a] * mixing[a, b];
                embedding[i, b] = v;
            }
        return embedding;
    }
}
