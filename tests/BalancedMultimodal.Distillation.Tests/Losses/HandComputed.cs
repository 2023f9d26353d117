namespace BalancedMultimodal.Distillation.Tests.Losses;

/// <summary>Plain double arithmetic for the expected loss values (independent of TorchSharp).</summary>
internal static class HandComputed
{
    public static double[] Softmax(double[] z, double temperature = 1)
    {
        var e = z.Select(v => Math.Exp(v / temperature)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    public static double CrossEntropy(double[][] logits, int[] labels, bool[] mask)
    {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            if (!mask[i]) continue;
            sum += -Math.Log(Softmax(logits[i])[labels[i]]);
            count++;
        }
        return sum / count;
    }

    /// <summary>The class-weighted mean sum_i w_{y_i} CE_i / sum_i w_{y_i} over the masked rows (PyTorch's weight=).</summary>
    public static double WeightedCrossEntropy(double[][] logits, int[] labels, bool[] mask, double[] classWeights)
    {
        double sum = 0, weight = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            if (!mask[i]) continue;
            double w = classWeights[labels[i]];
            sum += w * -Math.Log(Softmax(logits[i])[labels[i]]);
            weight += w;
        }
        return sum / weight;
    }

    /// <summary>T^2 * (1/B) sum_b sum_c p_t log(p_t / p_s) over the masked rows.</summary>
    public static double DistillationKl(double[][] student, double[][] teacher, bool[] mask, double temperature)
    {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < student.Length; i++)
        {
            if (!mask[i]) continue;
            var ps = Softmax(student[i], temperature);
            var pt = Softmax(teacher[i], temperature);
            for (int c = 0; c < ps.Length; c++)
                sum += pt[c] * Math.Log(pt[c] / ps[c]);
            count++;
        }
        return temperature * temperature * sum / count;
    }
}
