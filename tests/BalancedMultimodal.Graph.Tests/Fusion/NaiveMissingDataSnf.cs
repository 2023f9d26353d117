namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>
/// A loop-by-loop transcription of snfpy's snf() with missing entries (docs/snf.md): entries of unavailable pairs are
/// dropped, rows normalised over available entries, the K largest available entries kept per row, and each update
/// divided by max(#views sharing the pair - 1, 1). Plain arrays, no tensors.
/// </summary>
internal static class NaiveMissingDataSnf
{
    public static double[] Fuse(double[][] views, bool[][] masks, int n, int k, int t, double alpha = 1.0)
    {
        int m = views.Length;
        var p = new double[m][];
        var s = new double[m][];
        var count = new double[n * n];
        for (int v = 0; v < m; v++)
        {
            var w = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    if (masks[v][i] && masks[v][j]) { w[i * n + j] = views[v][i * n + j]; count[i * n + j]++; }
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int j = 0; j < n; j++) sum += w[i * n + j];
                if (sum > 0) for (int j = 0; j < n; j++) w[i * n + j] /= sum;
            }
            var sym = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) sym[i * n + j] = (w[i * n + j] + w[j * n + i]) / 2;
            p[v] = sym;
            var kernel = new double[n * n];
            for (int i = 0; i < n; i++)
            {
                if (!masks[v][i]) continue;
                var top = Enumerable.Range(0, n).Where(j => masks[v][j]).OrderByDescending(j => sym[i * n + j]).Take(k).ToArray();
                double sum = top.Sum(j => sym[i * n + j]);
                foreach (int j in top) kernel[i * n + j] = sym[i * n + j] / sum;
            }
            s[v] = kernel;
        }
        for (int iteration = 0; iteration < t; iteration++)
        {
            var total = new double[n * n];
            for (int v = 0; v < m; v++) for (int x = 0; x < n * n; x++) total[x] += p[v][x];
            var next = new double[m][];
            for (int v = 0; v < m; v++)
            {
                var a = new double[n * n];
                for (int x = 0; x < n * n; x++) a[x] = total[x] - p[v][x];
                var left = new double[n * n];
                for (int i = 0; i < n; i++)
                    for (int l = 0; l < n; l++)
                    {
                        double sil = s[v][i * n + l];
                        if (sil == 0) continue;
                        for (int j = 0; j < n; j++) left[i * n + j] += sil * a[l * n + j];
                    }
                var result = new double[n * n];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double sum = 0;
                        for (int l = 0; l < n; l++) sum += left[i * n + l] * s[v][j * n + l];
                        result[i * n + j] = sum / Math.Max(count[i * n + j] - 1, 1) + (i == j ? alpha : 0);
                    }
                next[v] = result;
            }
            p = next;
        }
        var fused = new double[n * n];
        for (int v = 0; v < m; v++) for (int x = 0; x < n * n; x++) fused[x] += p[v][x] / m;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++) sum += fused[i * n + j];
            for (int j = 0; j < n; j++) fused[i * n + j] /= sum;
        }
        var output = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) output[i * n + j] = (fused[i * n + j] + fused[j * n + i] + (i == j ? 1 : 0)) / 2;
        return output;
    }
}
