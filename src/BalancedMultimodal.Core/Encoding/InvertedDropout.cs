using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>
/// Inverted dropout, y = x ⊙ m / (1 - p) with m_i ~ Bernoulli(1 - p) independently for every element, the
/// distribution and gradient (dy/dx = m / (1 - p)) of <c>torch.nn.functional.dropout</c> (Srivastava et al., "Dropout: a
/// simple way to prevent neural networks from overfitting", JMLR 15, 2014), with a faster mask on the CPU.
/// </summary>
/// <remarks>
/// <para>Why: on a CPU without Intel's MKL random streams (AMD processors, for one) libtorch draws a dropout mask one
/// element at a time from a Mersenne twister, about 10 ns per element; a full-batch step of an MLP on 875 samples by
/// 1000 features spends 9 ms on the mask and 1 ms on the matrix product (docs/benchmarks.md). Here a CPU mask is
/// drawn in bulk from a xoshiro256** stream identical to MathNet's <c>Xoshiro256StarStar</c> (generated as whole
/// 64-bit words, about 0.15 ns per byte) and compared, 32 bits per element,
/// with the threshold p·2³² (the keep probability is exact to 2⁻³²); for float32 inputs the mask is written directly
/// as 0 or 1 / (1 - p), other dtypes compare an int32 tensor of the same bits.</para>
/// <para>Reproducibility: each call draws one 31-bit seed from TorchSharp's default generator
/// (<c>torch.randint</c>) and seeds a fresh xoshiro256** with it, so <c>torch.manual_seed</c> fixes every mask and
/// <c>torch.get_rng_state</c> / <c>set_rng_state</c> replay them, as with libtorch's dropout. The masks themselves
/// differ from libtorch's (another generator), so a seeded run is reproducible but not bit-identical with one using
/// <c>torch.nn.functional.dropout</c>. The mask is drawn in host memory and moved to the input's device; CUDA tensors
/// instead use libtorch's dropout, whose GPU generator is fast, so that no mask crosses the bus.</para>
/// </remarks>
public static class InvertedDropout
{
    private const int ChunkBytes = 1 << 16;

    [ThreadStatic]
    private static ulong[]? chunk;

    /// <summary>Applies dropout while training; returns <paramref name="input"/> itself when not training, when
    /// <paramref name="probability"/> is 0 or when the tensor is empty (as libtorch does).</summary>
    /// <param name="input">A floating-point tensor of any shape, device and dtype; the result has the same.</param>
    /// <param name="probability">The probability p of zeroing an element, in [0, 1).</param>
    /// <param name="training">Whether to drop (training) or pass the input through (evaluation).</param>
    /// <returns>x ⊙ m / (1 - p), differentiable in x.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is outside [0, 1) or not finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not floating point.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Tensor Apply(Tensor input, double probability, bool training)
    {
        TensorArgument.ThrowIfNullOrDisposed(input);
        if (!(probability >= 0 && probability < 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The dropout probability must lie in [0, 1).");
        if (!input.is_floating_point())
            throw new ArgumentException($"Dropout needs a floating-point tensor, got {input.dtype}.", nameof(input));
        if (!training || probability == 0 || input.numel() == 0) return input;
        // CUDA's own generator (Philox) draws masks in parallel on the device; a host mask would only add a transfer.
        if (input.is_cuda || input.numel() > int.MaxValue / sizeof(int))
            return nn.functional.dropout(input, probability, true);

        using var scope = NewDisposeScope();
        // Keep element i when its 32 random bits, read as a signed integer, are >= p * 2^32 - 2^31 (clamped to the
        // int range, which only matters for p within 2^-33 of 1).
        int threshold = (int)Math.Min(int.MaxValue, Math.Round(int.MinValue + probability * 4294967296.0));
        double scale = 1.0 / (1.0 - probability);
        // The mask is drawn in host memory and follows the input to its device (a no-op for host tensors). For float32,
        // the models' default, it is written directly as 0 or 1 / (1 - p) in one pass over the random bits; other dtypes
        // compare an int32 tensor of the same bits.
        Tensor keep;
        if (input.dtype == ScalarType.Float32)
            keep = HostMask(input.shape, threshold, (float)scale);
        else
        {
            using var thresholdScalar = threshold.ToScalar();
            using var scaleScalar = scale.ToScalar();
            keep = HostBits(input.shape).ge(thresholdScalar).to_type(input.dtype).mul_(scaleScalar);
        }
        return input.mul(keep.to(input.device)).MoveToOuterDisposeScope();
    }

    /// <summary>The float32 mask: <paramref name="scale"/> where the element's 32 random bits are &gt;=
    /// <paramref name="threshold"/>, else 0; the same bits and decisions as <see cref="HostBits"/> followed by a
    /// comparison, without the intermediate tensors.</summary>
    private static Tensor HostMask(long[] shape, int threshold, float scale)
    {
        var mask = empty(shape, dtype: ScalarType.Float32, device: CPU);
        var target = MemoryMarshal.Cast<byte, float>(mask.bytes);
        var limit = new Vector<int>(threshold);
        var scaleBits = new Vector<int>(BitConverter.SingleToInt32Bits(scale));
        var generator = SeededGenerator();
        var buffer = chunk ??= new ulong[ChunkBytes / sizeof(ulong)];
        for (int offset = 0; offset < target.Length; offset += ChunkElements)
        {
            var bits = NextBits(generator, buffer, target.Length - offset);
            var output = target.Slice(offset, bits.Length);
            int i = 0;
            for (; i + Vector<int>.Count <= bits.Length; i += Vector<int>.Count)
                Vector.AsVectorSingle(Vector.GreaterThanOrEqual(new Vector<int>(bits.Slice(i)), limit) & scaleBits).CopyTo(output.Slice(i));
            for (; i < bits.Length; i++) output[i] = bits[i] >= threshold ? scale : 0f;
        }
        return mask;
    }

    /// <summary>Elements covered by one chunk of random bytes (32 bits each).</summary>
    private const int ChunkElements = ChunkBytes / sizeof(int);

    /// <summary>The next chunk of the stream as 32-bit integers, at most <paramref name="remaining"/> of them (both
    /// <see cref="HostMask"/> and <see cref="HostBits"/> read their bits through here, so they read the same ones).</summary>
    /// <remarks>Only the words the chunk uses are generated, ceil(count / 2): the last chunk of a mask is usually
    /// partial (a 351 x 32 mask uses 69 % of one chunk), and every mask has a fresh generator
    /// (<see cref="SeededGenerator"/>) that is dropped afterwards, so the words a whole chunk would have added past the
    /// end were never read. The bits read are the same as when every chunk was filled whole (tested).</remarks>
    private static ReadOnlySpan<int> NextBits(Xoshiro256StarStarStream generator, ulong[] buffer, int remaining)
    {
        int count = Math.Min(ChunkElements, remaining);
        generator.Fill(buffer.AsSpan(0, (count + 1) / 2));
        // Little-endian: word k supplies elements 2k (its low half) and 2k + 1, the byte order of MathNet's NextBytes.
        return MemoryMarshal.Cast<ulong, int>(buffer.AsSpan()).Slice(0, count);
    }

    /// <summary>A fresh xoshiro256** seeded with one 31-bit draw from TorchSharp's default generator.</summary>
    private static Xoshiro256StarStarStream SeededGenerator()
    {
        int seed;
        using (var draw = randint(int.MaxValue, [1], dtype: ScalarType.Int64))
            seed = (int)draw.item<long>();
        return new Xoshiro256StarStarStream(seed);
    }

    /// <summary>Uniform 32-bit integers, one per element, in a host tensor, from a xoshiro256** stream seeded by
    /// TorchSharp's default generator.</summary>
    private static Tensor HostBits(long[] shape)
    {
        var generator = SeededGenerator();
        var bits = empty(shape, dtype: ScalarType.Int32, device: CPU);
        var target = MemoryMarshal.Cast<byte, int>(bits.bytes);
        var buffer = chunk ??= new ulong[ChunkBytes / sizeof(ulong)];
        for (int offset = 0; offset < target.Length; offset += ChunkElements)
        {
            var next = NextBits(generator, buffer, target.Length - offset);
            next.CopyTo(target.Slice(offset, next.Length));
        }
        return bits;
    }
}
