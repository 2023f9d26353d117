namespace BalancedMultimodal.Core.Information;

/// <summary>Seeded index draws shared by the permutation test and the bootstrap.</summary>
internal static class Resampling
{
    /// <summary>A uniform random permutation of 0..n-1 (Fisher-Yates).</summary>
    public static long[] Permutation(Random random, long n)
    {
        var p = new long[n];
        for (long i = 0; i < n; i++) p[i] = i;
        for (long i = n - 1; i > 0; i--)
        {
            long j = random.NextInt64(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>n indices drawn uniformly with replacement from 0..n-1.</summary>
    public static long[] WithReplacement(Random random, long n)
    {
        var p = new long[n];
        for (long i = 0; i < n; i++) p[i] = random.NextInt64(n);
        return p;
    }
}
