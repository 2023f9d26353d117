using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Encoding;

[Collection(GlobalGeneratorCollection.Name)]
public class InvertedDropoutTests
{
    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Each_element_is_kept_with_probability_one_minus_p_and_scaled_by_its_inverse(double p)
    {
        manual_seed(11);
        const int rows = 400, columns = 500;
        var x = rand(rows, columns, dtype: ScalarType.Float64).add_(0.5);   // no zeros, so a zero output means dropped
        var y = InvertedDropout.Apply(x, p, training: true);

        var kept = y.ne(0);
        double fraction = kept.to_type(ScalarType.Float64).mean().item<double>();
        double sigma = Math.Sqrt(p * (1 - p) / (rows * columns));
        fraction.Should().BeApproximately(1 - p, 5 * sigma);
        y.masked_select(kept).allclose(x.masked_select(kept) / (1 - p), rtol: 1e-15, atol: 0).Should().BeTrue();
        y.shape.Should().Equal(rows, columns);
        y.dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void Masks_have_no_positional_pattern_across_columns_rows_or_generator_chunks()
    {
        manual_seed(3);
        const double p = 0.3;
        const int rows = 2000, columns = 40;   // 320,000 mask bytes: five 64 KiB chunks of the generator
        var kept = InvertedDropout.Apply(ones(rows, columns), p, training: true).ne(0).to_type(ScalarType.Float64);

        double columnSigma = Math.Sqrt(p * (1 - p) / rows), rowBlockSigma = Math.Sqrt(p * (1 - p) / (400.0 * columns));
        var perColumn = kept.mean([0]);
        (perColumn - (1 - p)).abs().max().item<double>().Should().BeLessThan(4.5 * columnSigma);
        var perRowBlock = kept.reshape(5, 400 * columns).mean([1]);   // one block per generator chunk, roughly
        (perRowBlock - (1 - p)).abs().max().item<double>().Should().BeLessThan(4.5 * rowBlockSigma);
        var flat = kept.flatten();
        const int perChunk = 16384;   // 64 KiB of generator output, 4 bytes per element
        flat[..perChunk].eq(flat[perChunk..(2 * perChunk)]).all().item<bool>().Should().BeFalse("every chunk of the mask is freshly drawn");
        // Neighbouring elements are independent: P(both kept) = (1 - p)^2.
        double both = (kept[.., ..^1] * kept[.., 1..]).mean().item<double>();
        both.Should().BeApproximately((1 - p) * (1 - p), 5 * Math.Sqrt(0.49 * 0.51 / (rows * (columns - 1))));
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void The_direct_float_masks_keep_exactly_the_elements_of_the_generic_path(ScalarType dtype)
    {
        // float32 masks are written straight from the random bits; other dtypes (float64 here) go through an int32
        // bit tensor and a comparison. Same seed, same bits: the kept elements and their scale must agree. 70,000 elements
        // span two chunks of the stream.
        const double p = 0.3;
        manual_seed(21);
        var fast = InvertedDropout.Apply(ones(7, 10_000, dtype: dtype), p, training: true);
        manual_seed(21);
        var generic = InvertedDropout.Apply(ones(7, 10_000, dtype: ScalarType.BFloat16), p, training: true);

        fast.ne(0).eq(generic.ne(0)).all().item<bool>().Should().BeTrue();
        fast.ne(0).sum().item<long>().Should().BeInRange(47_000, 51_000);
        fast.max().to(ScalarType.Float64).item<double>().Should().Be(dtype == ScalarType.Float32 ? (double)(float)(1 / 0.7) : 1 / 0.7);
    }

    [Fact]
    public void The_mask_is_the_threshold_test_of_MathNet_xoshiro256_starstar_bytes_seeded_from_torch()
    {
        // The documented stream: one 31-bit seed from torch.randint, MathNet's Xoshiro256StarStar(seed) bytes read as
        // little-endian int32, element kept when its int >= round(int.MinValue + p * 2^32). 40,000 elements span chunks.
        const double p = 0.25;
        const int count = 40_000;
        int threshold = (int)Math.Round(int.MinValue + p * 4294967296.0);
        var expected = MathNetBits(torchSeed: 33, count).Select(bits => bits >= threshold).ToArray();

        manual_seed(33);
        var kept = InvertedDropout.Apply(ones(count, dtype: ScalarType.Float32), p, training: true).ne(0).data<bool>().ToArray();

        kept.Should().Equal(expected);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1)]
    [InlineData(ScalarType.Float32, 16_384)]
    [InlineData(ScalarType.Float32, 16_385)]
    [InlineData(ScalarType.Float32, 2 * 16_384 + 7)]
    [InlineData(ScalarType.Float32, 351 * 32)]
    [InlineData(ScalarType.BFloat16, 16_385)]
    [InlineData(ScalarType.BFloat16, 2 * 16_384 + 7)]
    public void A_partial_last_chunk_reads_the_same_bits_as_a_whole_one(ScalarType dtype, int count)
    {
        // Since the twenty-ninth session only the words a chunk uses are generated (ceil(count / 2) in the last,
        // partial chunk) instead of every chunk whole; the mask must be the prefix of the whole stream as before: odd
        // counts (the last element reads the low half of a word), exactly one chunk, one element past it, and the
        // pipeline's 351 x 32 hidden mask.
        const double p = 0.3;
        int threshold = (int)Math.Round(int.MinValue + p * 4294967296.0);
        var expected = MathNetBits(torchSeed: 71, count).Select(bits => bits >= threshold).ToArray();

        using var scope = NewDisposeScope();
        manual_seed(71);
        var kept = InvertedDropout.Apply(ones(count, dtype: dtype), p, training: true).ne(0).data<bool>().ToArray();

        kept.Should().Equal(expected);
    }

    /// <summary>The first <paramref name="count"/> 32-bit integers of the documented mask stream after
    /// <c>manual_seed(torchSeed)</c>: MathNet's Xoshiro256StarStar bytes for one <c>torch.randint</c> seed, little-endian.</summary>
    private static int[] MathNetBits(int torchSeed, int count)
    {
        manual_seed(torchSeed);
        int seed;
        using (var draw = randint(int.MaxValue, [1], dtype: ScalarType.Int64)) seed = (int)draw.item<long>();
        var bytes = new byte[count * sizeof(int)];
        new MathNet.Numerics.Random.Xoshiro256StarStar(seed, threadSafe: false).NextBytes(bytes);
        return Enumerable.Range(0, count).Select(i => BitConverter.ToInt32(bytes, i * sizeof(int))).ToArray();
    }

    [Theory]
    [InlineData(ScalarType.Float32, 19, 0)]
    [InlineData(ScalarType.Float32, 19, 16)]
    [InlineData(ScalarType.Float32, 5, 0)]
    [InlineData(ScalarType.Float64, 19, 0)]
    [InlineData(ScalarType.Float64, 19, 16)]
    public void An_element_whose_bits_equal_the_threshold_is_kept(ScalarType dtype, int count, int from)
    {
        using var scope = NewDisposeScope();
        // p = (b + 2^31) / 2^32 for the bits b of one element makes the threshold p 2^32 - 2^31 exactly b, and the rule
        // keeps bits >= threshold: that element is kept, every element with smaller bits dropped. The element is the one
        // with the largest bits from index `from` on, so the others there are dropped. With 19 elements, indices 0 to 15
        // are the vectorised part of the float32 mask and 16 to 18 its scalar tail (vectors of at most 16 ints);
        // 5 elements are shorter than one vector; float64 compares an int32 tensor.
        int[] bits = MathNetBits(torchSeed: 47, count);
        int element = Enumerable.Range(from, count - from).MaxBy(i => bits[i]);
        double p = (bits[element] + 2147483648.0) / 4294967296.0;

        manual_seed(47);
        using var y = InvertedDropout.Apply(ones(count, dtype: dtype), p, training: true);

        y.ne(0).data<bool>().ToArray().Should().Equal(bits.Select(b => b >= bits[element]));
        y[element].to(ScalarType.Float64).item<double>().Should().Be(dtype == ScalarType.Float32 ? (double)(float)(1 / (1 - p)) : 1 / (1 - p));
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void On_a_fresh_thread_the_mask_is_still_the_documented_stream(ScalarType dtype)
    {
        // Each thread allocates its own buffer for the stream on its first mask; 40,000 elements span three 64 KiB
        // chunks, so a buffer of another size would shift the second and third chunks of the stream.
        const double p = 0.5;
        const int count = 40_000;
        var expected = MathNetBits(torchSeed: 61, count).Select(bits => bits >= 0).ToArray();
        bool[]? kept = null;
        var thread = new Thread(() =>
        {
            using var scope = NewDisposeScope();
            manual_seed(61);
            kept = InvertedDropout.Apply(ones(count, dtype: dtype), p, training: true).ne(0).data<bool>().ToArray();
        });

        thread.Start();
        thread.Join();

        kept.Should().Equal(expected);
    }

    [Fact]
    public void The_same_seed_gives_the_same_mask_and_another_seed_another()
    {
        var x = ones(50, 30, dtype: ScalarType.Float32);
        manual_seed(5);
        var first = InvertedDropout.Apply(x, 0.4, training: true);
        var second = InvertedDropout.Apply(x, 0.4, training: true);
        manual_seed(5);
        var replay = InvertedDropout.Apply(x, 0.4, training: true);
        manual_seed(6);
        var other = InvertedDropout.Apply(x, 0.4, training: true);

        replay.eq(first).all().item<bool>().Should().BeTrue();
        second.eq(first).all().item<bool>().Should().BeFalse("consecutive calls draw new masks");
        other.eq(first).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void Saving_and_restoring_the_generator_state_replays_the_mask()
    {
        var x = ones(20, 20, dtype: ScalarType.Float64);
        manual_seed(9);
        InvertedDropout.Apply(x, 0.5, training: true);
        var state = get_rng_state();
        var expected = InvertedDropout.Apply(x, 0.5, training: true);
        InvertedDropout.Apply(x, 0.5, training: true);
        set_rng_state(state);

        InvertedDropout.Apply(x, 0.5, training: true).eq(expected).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void The_gradient_is_the_scaled_mask()
    {
        manual_seed(2);
        var x = rand(30, 7, dtype: ScalarType.Float64).add_(1).requires_grad_();
        var y = InvertedDropout.Apply(x, 0.25, training: true);
        y.sum().backward();

        var expected = y.detach().ne(0).to_type(ScalarType.Float64) / 0.75;
        x.grad!.allclose(expected, rtol: 1e-15, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Evaluation_a_zero_probability_and_an_empty_tensor_pass_the_input_through()
    {
        using var generator = new Generator(137);
        var x = randn(6, 4, generator: generator);
        ReferenceEquals(InvertedDropout.Apply(x, 0.5, training: false), x).Should().BeTrue();
        ReferenceEquals(InvertedDropout.Apply(x, 0, training: true), x).Should().BeTrue();
        var empty = zeros(0, 4);
        ReferenceEquals(InvertedDropout.Apply(empty, 0.5, training: true), empty).Should().BeTrue();
    }

    [Fact]
    public void A_three_dimensional_non_contiguous_float32_input_keeps_its_shape_and_dtype()
    {
        manual_seed(4);
        var x = rand(4, 5, 6).add_(1).transpose(0, 2);
        var y = InvertedDropout.Apply(x, 0.5, training: true);

        y.shape.Should().Equal(6, 5, 4);
        y.dtype.Should().Be(ScalarType.Float32);
        var kept = y.ne(0);
        y.masked_select(kept).allclose(x.masked_select(kept) * 2).Should().BeTrue();
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_probability_outside_zero_to_one_is_rejected(double p)
    {
        var act = () => InvertedDropout.Apply(ones(2, 2), p, training: true);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("probability").WithMessage("The dropout probability must lie in [0, 1).*");
    }

    [Fact]
    public void An_integer_tensor_is_rejected()
    {
        var act = () => InvertedDropout.Apply(ones(2, 2, dtype: ScalarType.Int64), 0.5, training: true);
        act.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*floating-point*Int64*");
    }

    [Fact]
    public void A_missing_input_is_rejected_by_name()
    {
        FluentActions.Invoking(() => InvertedDropout.Apply(null!, 0.5, training: true)).Should().Throw<ArgumentNullException>().WithParameterName("input");
    }
}
