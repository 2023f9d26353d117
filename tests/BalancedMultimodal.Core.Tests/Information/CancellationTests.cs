using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Tests.Shared;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Information;

/// <summary>
/// Cooperative cancellation of <see cref="PermutationTest"/>, <see cref="BootstrapConfidenceInterval"/> and KSG's fast
/// permuted-Y path: a token cancelled before the call stops it before any estimate, one cancelled during the run stops it
/// before the next permutation or resample (counted in estimator calls), and an uncancelled token changes nothing.
/// </summary>
public class CancellationTests
{
    /// <summary>A fast-path estimator that records the token it is given and the calls to its fast path.</summary>
    private sealed class FastPath(CancellationTokenSource cancellation) : IPermutationNullEstimator
    {
        public List<CancellationToken> Tokens { get; } = [];

        public int Estimates { get; private set; }

        public string Name => "fast path";

        public double Estimate(Tensor x, Tensor y)
        {
            Estimates++;
            cancellation.Cancel();
            return 1.0;
        }

        public double Estimate(double[,] x, double[,] y) => throw new NotSupportedException();

        public double[]? EstimateWithPermutedY(Tensor x, Tensor y, IReadOnlyList<long[]> permutations, CancellationToken cancellationToken = default)
        {
            Tokens.Add(cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            return permutations.Select(_ => 0.0).ToArray();
        }
    }

    private static (Tensor X, Tensor Y) Sample() => CorrelatedGaussian.Sample(60, 1, 0.5, seed: 5);

    [Fact]
    public void A_permutation_test_with_a_cancelled_token_throws_before_any_estimate()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        var estimator = new ScriptedEstimator();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => new PermutationTest(estimator, new PermutationTestOptions { Permutations = 9 }).Run(x, y, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.SeenX.Should().BeEmpty("nothing is estimated once the token is cancelled");
    }

    [Fact]
    public void A_permutation_test_on_arrays_with_a_cancelled_token_throws_before_any_estimate()
    {
        var estimator = new ScriptedEstimator();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => new PermutationTest(estimator, new PermutationTestOptions { Permutations = 9 })
            .Run(new double[,] { { 0 }, { 1 }, { 2 } }, new double[,] { { 2 }, { 0 }, { 1 } }, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.SeenX.Should().BeEmpty();
    }

    [Fact]
    public void A_permutation_test_cancelled_during_the_run_stops_before_the_next_permutation()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        using var cancellation = new CancellationTokenSource();
        // Call 1 is the observed pairing, calls 2 and 3 permutations 1 and 2; the token is cancelled after call 3.
        var estimator = new CancellingEstimator(new GaussianMutualInformationEstimator(), cancellation, cancelAfter: 3);

        var act = () => new PermutationTest(estimator, new PermutationTestOptions { Permutations = 50 }).Run(x, y, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(3, "the token is checked before every permutation");
    }

    [Fact]
    public void A_permutation_test_passes_its_token_to_the_fast_path_and_stops_there()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        using var cancellation = new CancellationTokenSource();
        var estimator = new FastPath(cancellation);   // cancels the token at the observed estimate

        var act = () => new PermutationTest(estimator, new PermutationTestOptions { Permutations = 5 }).Run(x, y, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Estimates.Should().Be(1, "only the observed pairing is estimated one by one");
        estimator.Tokens.Should().Equal(cancellation.Token);
    }

    [Fact]
    public void Ksg_fast_path_with_a_cancelled_token_throws_before_computing_the_distances()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var permutation = Enumerable.Range(0, 60).Select(i => (long)((i + 1) % 60)).ToArray();

        var act = () => new KsgEstimator().EstimateWithPermutedY(x, y, [permutation, permutation], cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
    }

    [Fact]
    public void Ksg_fast_path_with_a_cancelled_token_and_no_permutations_throws()
    {
        // With no permutation the per-permutation checks never run: only the check before any work can stop the call.
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => new KsgEstimator().EstimateWithPermutedY(x, y, Array.Empty<long[]>(), cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
    }

    /// <summary>Permutations that record which one is read, in order, and cancel the token at a given read (1-based):
    /// KSG's fast path reads every permutation once while checking them, then permutation b just before estimating it.</summary>
    private sealed class RecordingPermutations(long[][] permutations, CancellationTokenSource cancellation, int cancelAtRead) : IReadOnlyList<long[]>
    {
        public List<int> Reads { get; } = [];

        public long[] this[int index]
        {
            get
            {
                Reads.Add(index);
                if (Reads.Count == cancelAtRead) cancellation.Cancel();
                return permutations[index];
            }
        }

        public int Count => permutations.Length;

        public IEnumerator<long[]> GetEnumerator() => Enumerable.Range(0, Count).Select(i => this[i]).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public void Ksg_fast_path_cancelled_during_the_permutations_stops_before_the_next_one()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        using var cancellation = new CancellationTokenSource();
        var random = new Random(2);
        var shuffled = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 60).Select(i => (long)i).OrderBy(_ => random.Next()).ToArray()).ToArray();
        // Reads 1-4 check the permutations; read 5 is permutation 0 as it is estimated: cancelled there.
        var permutations = new RecordingPermutations(shuffled, cancellation, cancelAtRead: 5);

        var act = () => new KsgEstimator().EstimateWithPermutedY(x, y, permutations, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        permutations.Reads.Should().Equal([0, 1, 2, 3, 0], "permutation 0 is estimated, then the token stops the loop before permutation 1");
    }

    [Fact]
    public void An_uncancelled_token_gives_the_same_permutation_test_as_none()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        var options = new PermutationTestOptions { Permutations = 19, Seed = 4 };
        using var cancellation = new CancellationTokenSource();

        foreach (IMutualInformationEstimator estimator in new IMutualInformationEstimator[] { new KsgEstimator(), new GaussianMutualInformationEstimator() })
        {
            var test = new PermutationTest(estimator, options);
            test.Run(x, y, cancellation.Token).Should().Be(test.Run(x, y), $"{estimator.Name}: the token only adds checks");
        }
    }

    [Fact]
    public void A_bootstrap_with_a_cancelled_token_throws_before_any_estimate()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        var estimator = new ScriptedEstimator();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => new BootstrapConfidenceInterval(estimator, new BootstrapOptions { Resamples = 9 }).Compute(x, y, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.SeenX.Should().BeEmpty("nothing is estimated once the token is cancelled");
    }

    [Fact]
    public void A_bootstrap_on_arrays_with_a_cancelled_token_throws_before_any_estimate()
    {
        var estimator = new ScriptedEstimator();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => new BootstrapConfidenceInterval(estimator, new BootstrapOptions { Resamples = 9 })
            .Compute(new double[,] { { 0 }, { 1 }, { 2 } }, new double[,] { { 2 }, { 0 }, { 1 } }, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.SeenX.Should().BeEmpty();
    }

    [Fact]
    public void A_bootstrap_cancelled_during_the_run_stops_before_the_next_resample()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        using var cancellation = new CancellationTokenSource();
        // Call 1 is the original sample, calls 2..4 resamples 1..3; the token is cancelled after call 4.
        var estimator = new CancellingEstimator(new GaussianMutualInformationEstimator(), cancellation, cancelAfter: 4);

        var act = () => new BootstrapConfidenceInterval(estimator, new BootstrapOptions { Resamples = 50 }).Compute(x, y, cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        estimator.Calls.Should().Be(4, "the token is checked before every resample");
    }

    [Fact]
    public void An_uncancelled_token_gives_the_same_bootstrap_interval_as_none()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        var bootstrap = new BootstrapConfidenceInterval(new GaussianMutualInformationEstimator(), new BootstrapOptions { Resamples = 25, Seed = 8 });
        using var cancellation = new CancellationTokenSource();

        bootstrap.Compute(x, y, cancellation.Token).Should().Be(bootstrap.Compute(x, y));
    }

    /// <summary>Calls whose arguments are invalid, each with a cancelled token, and the argument exception expected: the
    /// single rule is arguments first, then the token (array overloads as their tensor counterparts).</summary>
    public static TheoryData<string> InvalidCallsWithACancelledToken() =>
    [
        "permutation test, null x array", "permutation test, null y array", "permutation test, null x tensor",
        "bootstrap, null x array", "bootstrap, null y array", "bootstrap, null x tensor",
        "ksg permuted y, null x", "ksg permuted y, null permutations", "ksg permuted y, bad permutation", "ksg permuted y, mismatched rows",
    ];

    [Theory]
    [MemberData(nameof(InvalidCallsWithACancelledToken))]
    public void Invalid_arguments_with_a_cancelled_token_give_the_argument_exception(string call)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Sample();
        var arrayY = new double[60, 1];
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var token = cancellation.Token;
        var test = new PermutationTest(new KsgEstimator(), new PermutationTestOptions { Permutations = 9 });
        var bootstrap = new BootstrapConfidenceInterval(new KsgEstimator(), new BootstrapOptions { Resamples = 25 });
        var identity = Enumerable.Range(0, 60).Select(i => (long)i).ToArray();
        Action act = call switch
        {
            "permutation test, null x array" => () => test.Run((double[,])null!, arrayY, token),
            "permutation test, null y array" => () => test.Run(arrayY, (double[,])null!, token),
            "permutation test, null x tensor" => () => test.Run((Tensor)null!, y, token),
            "bootstrap, null x array" => () => bootstrap.Compute((double[,])null!, arrayY, token),
            "bootstrap, null y array" => () => bootstrap.Compute(arrayY, (double[,])null!, token),
            "bootstrap, null x tensor" => () => bootstrap.Compute((Tensor)null!, y, token),
            "ksg permuted y, null x" => () => new KsgEstimator().EstimateWithPermutedY(null!, y, [identity], token),
            "ksg permuted y, null permutations" => () => new KsgEstimator().EstimateWithPermutedY(x, y, null!, token),
            "ksg permuted y, bad permutation" => () => new KsgEstimator().EstimateWithPermutedY(x, y, [identity, identity[..59]], token),
            "ksg permuted y, mismatched rows" => () => new KsgEstimator().EstimateWithPermutedY(x, y.narrow(0, 0, 50), [identity], token),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };

        if (call.Contains("null", StringComparison.Ordinal))
            act.Should().Throw<ArgumentNullException>();
        else
            act.Should().Throw<ArgumentException>().Which.Should().NotBeOfType<ArgumentNullException>();
    }
}
