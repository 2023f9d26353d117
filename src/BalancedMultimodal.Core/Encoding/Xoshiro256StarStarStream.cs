using System.Runtime.CompilerServices;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>
/// Bulk output of the xoshiro256** 1.0 generator (Blackman and Vigna, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 47(4), 2021; arXiv 1805.01407) as 64-bit words, seeded exactly as MathNet.Numerics'
/// <c>Xoshiro256StarStar(int seed)</c> (four splitmix64 outputs of the seed): the words, read as little-endian bytes,
/// are the bytes MathNet's <c>NextBytes</c> returns for the same seed (tested). MathNet writes its bulk output one byte at a
/// time; this writes whole words, about three times faster, for <see cref="InvertedDropout"/>'s masks.
/// </summary>
/// <remarks>Step: result = rotl(s1 * 5, 7) * 9; t = s1 &lt;&lt; 17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
/// s3 = rotl(s3, 45). Not thread-safe; one instance per stream.</remarks>
internal sealed class Xoshiro256StarStarStream
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the state with four splitmix64 outputs of <paramref name="seed"/> (as MathNet does).</summary>
    /// <param name="seed">The seed.</param>
    public Xoshiro256StarStarStream(int seed)
    {
        ulong x = (ulong)seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>Fills <paramref name="destination"/> with the next words of the stream.</summary>
    /// <param name="destination">Where to write.</param>
    public void Fill(Span<ulong> destination)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = RotateLeft(s1 * 5, 7) * 9;
            ulong t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = RotateLeft(s3, 45);
        }
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
