using System.Collections;
using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>
/// Cooperative cancellation of <see cref="SimilarityNetworkFusion.Fuse(IReadOnlyList{Tensor}, IReadOnlyList{bool[]}, CancellationToken)"/>
/// (its <c>double[,]</c> overload and <see cref="ISimilarityFusion"/>) and of <see cref="AffinityBuilder"/>'s per-view
/// build: a token cancelled before the call stops it before any work, one cancelled during the run stops it before the
/// next iteration (or view) and frees every tensor it made, and an uncancelled token gives the same bits.
/// </summary>
public sealed class FusionCancellationTests
{
    private static Tensor[] Views() =>
        Enumerable.Range(1, 3).Select(v => SnfFixtures.Tensor($"affinity_view{v}_K20_mu0.5.csv")).ToArray();

    private static readonly SimilarityNetworkFusionOptions Options = new() { K = 20, Iterations = 6 };

    [Fact]
    public void A_cancelled_token_stops_the_fusion_before_any_work()
    {
        var affinities = Views();
        try
        {
            var iterations = new List<int>();
            using var cancellation = new CancellationTokenSource();
            cancellation.Cancel();
            long before = LiveTensors.Count;

            var act = () => new SimilarityNetworkFusion(Options).Fuse(affinities, null, iterations.Add, cancellation.Token);
            ISimilarityFusion fusion = new SimilarityNetworkFusion(Options);
            var throughInterface = () => fusion.Fuse(affinities, cancellationToken: cancellation.Token);

            act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
            throughInterface.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
            iterations.Should().BeEmpty();
            LiveTensors.Count.Should().Be(before);
        }
        finally
        {
            foreach (var a in affinities) a.Dispose();
        }
    }

    [Fact]
    public void A_cancelled_token_stops_the_array_fusion_before_any_work()
    {
        var arrays = Enumerable.Range(1, 3).Select(v => SnfFixtures.Read($"affinity_view{v}_K20_mu0.5.csv")).ToArray();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        long before = LiveTensors.Count;

        var act = () => new SimilarityNetworkFusion(Options).Fuse(arrays, null, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        LiveTensors.Count.Should().Be(before, "the converted inputs are freed");
    }

    [Theory]
    [InlineData(FusionProductPath.Sparse, false)]
    [InlineData(FusionProductPath.Sparse, true)]
    [InlineData(FusionProductPath.Dense, false)]
    public void A_token_cancelled_during_the_iterations_stops_before_the_next_one_and_frees_everything(FusionProductPath path, bool masked)
    {
        var affinities = Views();
        bool[][]? masks = masked
            ? Enumerable.Range(0, 3).Select(v => Enumerable.Range(0, 60).Select(i => (i + v) % 7 != 0).ToArray()).ToArray()
            : null;
        try
        {
            using var cancellation = new CancellationTokenSource();
            var iterations = new List<int>();
            var fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 20, Iterations = 6, ProductPath = path });
            long before = LiveTensors.Count;

            var act = () => fusion.Fuse(affinities, masks, i =>
            {
                iterations.Add(i);
                if (i == 1) cancellation.Cancel();
            }, cancellation.Token);

            act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
            iterations.Should().Equal([0, 1], "the token is checked before every iteration");
            LiveTensors.Count.Should().Be(before, "the views, buffers and kernels of a cancelled fusion are freed");
        }
        finally
        {
            foreach (var a in affinities) a.Dispose();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_uncancelled_token_gives_the_same_fusion_as_none(bool masked)
    {
        var affinities = Views();
        bool[][]? masks = masked
            ? Enumerable.Range(0, 3).Select(v => Enumerable.Range(0, 60).Select(i => (i + v) % 5 != 0).ToArray()).ToArray()
            : null;
        try
        {
            using var cancellation = new CancellationTokenSource();
            var fusion = new SimilarityNetworkFusion(Options);

            using var without = fusion.Fuse(affinities, masks);
            using var with = fusion.Fuse(affinities, masks, cancellation.Token);

            with.data<double>().ToArray().Should().Equal(without.data<double>().ToArray());
        }
        finally
        {
            foreach (var a in affinities) a.Dispose();
        }
    }

    /// <summary>Availability masks that record which modality's mask is read, in order, and cancel the token at a given
    /// read (1-based): the builder reads every mask once while checking them, then modality v's mask just before it
    /// builds that modality's affinity.</summary>
    private sealed class RecordingMasks(bool[][] masks, CancellationTokenSource cancellation, int cancelAtRead) : IReadOnlyList<bool[]>
    {
        public List<int> Reads { get; } = [];

        public bool[] this[int index]
        {
            get
            {
                Reads.Add(index);
                if (Reads.Count == cancelAtRead) cancellation.Cancel();
                return masks[index];
            }
        }

        public int Count => masks.Length;

        public IEnumerator<bool[]> GetEnumerator() => Enumerable.Range(0, Count).Select(i => this[i]).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static Tensor[] Features()
    {
        using var g = new Generator(9);
        return Enumerable.Range(0, 3).Select(_ => randn(30, 4, dtype: ScalarType.Float64, generator: g)).ToArray();
    }

    [Fact]
    public void A_cancelled_token_stops_the_affinities_before_any_modality()
    {
        var views = Features();
        try
        {
            using var cancellation = new CancellationTokenSource();
            cancellation.Cancel();
            long before = LiveTensors.Count;

            var act = () => new AffinityBuilder(new AffinityOptions { K = 5 }).Build(views, null, cancellation.Token);

            act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
            LiveTensors.Count.Should().Be(before);
        }
        finally
        {
            foreach (var v in views) v.Dispose();
        }
    }

    [Fact]
    public void A_token_cancelled_while_building_the_affinities_stops_before_the_next_modality_and_frees_the_built_ones()
    {
        var views = Features();
        try
        {
            using var cancellation = new CancellationTokenSource();
            var all = Enumerable.Range(0, 3).Select(_ => Enumerable.Repeat(true, 30).ToArray()).ToArray();
            // Reads 1-3 are the checks; read 4 is modality 0's mask as its affinity is built: cancelled there.
            var masks = new RecordingMasks(all, cancellation, cancelAtRead: 4);
            long before = LiveTensors.Count;

            var act = () => new AffinityBuilder(new AffinityOptions { K = 5 }).Build(views, masks, cancellation.Token);

            act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
            masks.Reads.Should().Equal([0, 1, 2, 0], "modality 0 is built, then the token stops the loop before modality 1");
            LiveTensors.Count.Should().Be(before, "modality 0's affinity is disposed");
        }
        finally
        {
            foreach (var v in views) v.Dispose();
        }
    }

    [Fact]
    public void An_uncancelled_token_gives_the_same_affinities_as_none()
    {
        var views = Features();
        try
        {
            using var cancellation = new CancellationTokenSource();
            var builder = new AffinityBuilder(new AffinityOptions { K = 5 });

            var without = builder.Build(views);
            var with = builder.Build(views, null, cancellation.Token);

            for (int v = 0; v < 3; v++)
                with[v].data<double>().ToArray().Should().Equal(without[v].data<double>().ToArray());
            foreach (var t in without.Concat(with)) t.Dispose();
        }
        finally
        {
            foreach (var v in views) v.Dispose();
        }
    }

    /// <summary>Calls whose arguments are invalid, each with a cancelled token: the single rule is arguments first, then
    /// the token (the array fusion as its tensor counterpart).</summary>
    public static TheoryData<string> InvalidCallsWithACancelledToken() =>
    [
        "array fusion, null matrix", "array fusion, one view", "tensor fusion, null matrix", "tensor fusion, one view",
        "affinities, null view", "affinities, mismatched masks",
    ];

    [Theory]
    [MemberData(nameof(InvalidCallsWithACancelledToken))]
    public void Invalid_arguments_with_a_cancelled_token_give_the_argument_exception(string call)
    {
        var views = Features();
        try
        {
            using var cancellation = new CancellationTokenSource();
            cancellation.Cancel();
            var token = cancellation.Token;
            var fusion = new SimilarityNetworkFusion(Options);
            var builder = new AffinityBuilder(new AffinityOptions { K = 5 });
            var array = new double[30, 30];
            long before = LiveTensors.Count;
            Action act = call switch
            {
                "array fusion, null matrix" => () => fusion.Fuse([array, null!], null, token),
                "array fusion, one view" => () => fusion.Fuse([array], null, token),
                "tensor fusion, null matrix" => () => fusion.Fuse([views[0], null!], null, token),
                "tensor fusion, one view" => () => fusion.Fuse([views[0]], null, token),
                "affinities, null view" => () => builder.Build([views[0], null!], null, token),
                "affinities, mismatched masks" => () => builder.Build(views, [new bool[30]], token),
                _ => throw new ArgumentOutOfRangeException(nameof(call)),
            };

            act.Should().Throw<ArgumentException>();
            LiveTensors.Count.Should().Be(before);
        }
        finally
        {
            foreach (var v in views) v.Dispose();
        }
    }

    [Fact]
    public void A_cancelled_token_stops_the_affinities_of_no_views()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => new AffinityBuilder(new AffinityOptions { K = 5 }).Build([], null, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
    }
}
