using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

public class InductiveAffinityTests
{
    [Theory]
    [InlineData(DistanceMetric.SquaredEuclidean)]
    [InlineData(DistanceMetric.Euclidean)]
    public void Affinity_to_the_cohort_equals_the_training_kernel_over_cohort_plus_sample_when_the_sample_is_nobodys_neighbour(DistanceMetric metric)
    {
        // Without z-scoring, appending a sample that is in no cohort row's K nearest leaves the cohort's neighbour means
        // unchanged, so the appended kernel's last row must equal the inductive affinity exactly.
        using var scope = NewDisposeScope();
        var cohort = randn(30, 4, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(7));
        var sample = full(1, 4, 6.0, dtype: ScalarType.Float64);
        var options = new AffinityOptions { K = 5, Mu = 0.5, Metric = metric, ZScore = false };

        var inductive = InductiveAffinity.Compute(cohort, sample, options);
        var appended = new AffinityBuilder(options).Build(cat([cohort, sample], 0));

        var expected = appended[TensorIndex.Slice(30, 31), TensorIndex.Slice(0, 30)];
        inductive.allclose(expected, rtol: 1e-12, atol: 0).Should().BeTrue();
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_affinity_options_are_refused_naming_the_option_as_the_builder_refuses_them(double mu)
    {
        // Mu = 0 or NaN gave all-NaN affinities, -0.5 negative ones and infinity all zeros, silently.
        using var scope = NewDisposeScope();
        var cohort = randn(20, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(3));
        var samples = randn(2, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(4));
        var options = new AffinityOptions { K = 5, Mu = mu };

        var inductive = () => InductiveAffinity.Compute(cohort, samples, options);
        var builder = () => new AffinityBuilder(options);

        inductive.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*Mu*");
        builder.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*Mu*");
    }

    /// <summary>20 cohort rows with their top-3 affinity graph (K = 5), and 4 new rows; the caller disposes the graph.</summary>
    private static (Tensor Cohort, Tensor Samples, AffinityOptions Affinity, BalancedMultimodal.Graph.Graphs.RelationalGraph Graph) SmallCohort()
    {
        var cohort = randn(20, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(3));
        var samples = randn(4, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(4));
        var affinity = new AffinityOptions { K = 5 };
        return (cohort, samples, affinity, new BalancedMultimodal.Graph.Graphs.TopKGraphBuilder(3).Build(new AffinityBuilder(affinity).Build(cohort)));
    }

    [Fact]
    public void Attached_new_nodes_receive_exactly_k_edges_from_the_cohort_and_the_cohort_edges_are_unchanged()
    {
        using var scope = NewDisposeScope();
        var (cohort, samples, affinity, cohortGraph) = SmallCohort();
        using var graph = cohortGraph;

        using var union = InductiveGraph.Attach(graph, [cohort, cohort], [samples, samples], [[true, true, true, true], [true, false, true, true]], affinity, 3);

        union.NodeCount.Should().Be(24);
        var edges = union.Relations[0].EdgeIndex;
        long cohortEdges = graph.Relations[0].EdgeCount;
        edges.narrow(1, 0, cohortEdges).eq(graph.Relations[0].EdgeIndex).all().item<bool>().Should().BeTrue();
        var added = edges.narrow(1, cohortEdges, edges.shape[1] - cohortEdges);
        added.shape[1].Should().Be(4 * 3);
        (added[0] < 20).all().item<bool>().Should().BeTrue();
        added[1].bincount(null, 0).narrow(0, 20, 4).data<long>().ToArray().Should().Equal(3, 3, 3, 3);
    }

    [Fact]
    public void A_cohort_too_small_for_the_kernel_is_refused_naming_the_cohort_graph()
    {
        using var scope = NewDisposeScope();
        // Five cohort nodes allow k = 3 edges but not the kernel's K = 5 neighbours; no masks, no eligible list.
        var cohort = randn(5, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(7));
        var samples = randn(2, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(8));
        using var graph = new BalancedMultimodal.Graph.Graphs.TopKGraphBuilder(3).Build(new AffinityBuilder(new AffinityOptions { K = 4 }).Build(cohort));

        var act = () => InductiveGraph.Attach(graph, [cohort], [samples], [[true, true]], new AffinityOptions { K = 5 }, 3);

        act.Should().Throw<ArgumentException>().WithParameterName("cohortGraph")
            .WithMessage("Modality 0: 5 eligible cohort node(s) have it; attaching new samples by it needs more than Affinity.K = 5 and at least k = 3.*");
    }

    [Fact]
    public void Eligible_cohort_nodes_alone_send_edges_and_define_the_kernels()
    {
        using var scope = NewDisposeScope();
        var (cohort, samples, affinity, cohortGraph) = SmallCohort();
        using var graph = cohortGraph;
        bool[] all = [true, true, true, true];
        var eligible = Enumerable.Range(0, 20).Where(i => i % 3 != 0).ToArray();   // 13 nodes

        using var union = InductiveGraph.Attach(graph, [cohort, cohort], [samples, samples], [all, all], affinity, 3, eligible);

        long cohortEdges = graph.Relations[0].EdgeCount;
        var added = union.Relations[0].EdgeIndex.narrow(1, cohortEdges, 4 * 3);
        var sources = added[0].data<long>().ToArray();
        sources.Should().OnlyContain(s => s % 3 != 0);
        // The same as attaching to a cohort made of the eligible nodes alone, with ids mapped back.
        var index = tensor(eligible.Select(e => (long)e).ToArray());
        var sub = cohort.index_select(0, index);
        using var subGraph = new BalancedMultimodal.Graph.Graphs.TopKGraphBuilder(3).Build(new AffinityBuilder(affinity).Build(sub));
        using var alone = InductiveGraph.Attach(subGraph, [sub, sub], [samples, samples], [all, all], affinity, 3);
        var aloneAdded = alone.Relations[0].EdgeIndex.narrow(1, subGraph.Relations[0].EdgeCount, 4 * 3);
        sources.Should().Equal(aloneAdded[0].data<long>().ToArray().Select(s => (long)eligible[s]));
        added[1].data<long>().ToArray().Should().Equal(aloneAdded[1].data<long>().ToArray().Select(t => t - 13 + 20));

        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, cohort], [samples, samples], [all, all], affinity, 3, [4, 2, 7, 9]))
            .Should().Throw<ArgumentException>().WithMessage("eligibleCohortNodes must be distinct increasing nodes in [0, 20); entry 1 is 2.*");
        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, cohort], [samples, samples], [all, all], affinity, 3, [1, 2, 3]))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("k must lie in [1, 2].*");
        // Four eligible nodes leave k = 3 possible but not the kernel's K = 5 neighbours: refused up front by modality
        // (it failed later, in the kernel, without naming one).
        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, cohort], [samples, samples], [all, all], affinity, 3, [1, 2, 3, 4]))
            .Should().Throw<ArgumentException>().WithParameterName("eligibleCohortNodes")
            .WithMessage("Modality 0: 4 eligible cohort node(s) have it; attaching new samples by it needs more than Affinity.K = 5 and at least k = 3.*");
    }

    [Fact]
    public void With_cohort_availability_each_kernel_runs_over_the_cohort_nodes_having_its_modality_and_s_averages_the_shared_ones()
    {
        using var scope = NewDisposeScope();
        var (cohort, firstSamples, affinity, cohortGraph) = SmallCohort();
        using var graph = cohortGraph;
        // New sample 0 repeats cohort node 0 (which lacks modality 1) in modality 0, so node 0 is among its neighbours
        // and its S there is P^0 alone (the only modality they share).
        var samples = firstSamples.clone();
        samples[0] = cohort[0];
        var second = randn(20, 2, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(5));
        var secondSamples = randn(4, 2, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(6));
        // Cohort nodes 0-5 lack modality 1; new sample 0 has both, 1 only modality 0, 2 only modality 1, 3 both.
        var cohortHas = Enumerable.Range(0, 20).Select(i => i >= 6).ToArray();
        bool[] has0 = [true, true, false, true];
        bool[] has1 = [true, false, true, true];

        using var union = InductiveGraph.Attach(graph, [cohort, second], [samples, secondSamples], [has0, has1], affinity, 3, null, [null, cohortHas]);

        // By hand: P^0 over all 20 nodes, P^1 over nodes 6-19 (0 on nodes 0-5), S = sum of shared P^m / their number.
        var p0 = InductiveAffinity.Compute(cohort, samples, affinity);
        p0 = p0 / p0.sum(1, keepdim: true);
        var pool = tensor(Enumerable.Range(6, 14).Select(i => (long)i).ToArray());
        var w1 = InductiveAffinity.Compute(second.index_select(0, pool), secondSamples, affinity);
        var p1 = zeros(4, 20, dtype: ScalarType.Float64).index_copy_(1, pool, w1 / w1.sum(1, keepdim: true));
        var expected = new double[4][];
        for (int i = 0; i < 4; i++)
        {
            var s = new double[20];
            for (int j = 0; j < 20; j++)
            {
                double sum = 0; int shared = 0;
                if (has0[i]) { sum += p0[i, j].item<double>(); shared++; }
                if (has1[i] && cohortHas[j]) { sum += p1[i, j].item<double>(); shared++; }
                s[j] = shared == 0 ? 0 : sum / shared;
            }
            expected[i] = s;
        }
        long cohortEdges = graph.Relations[0].EdgeCount;
        var added = union.Relations[0].EdgeIndex.narrow(1, cohortEdges, 4 * 3);
        var weights = union.Relations[0].EdgeWeight!.narrow(0, cohortEdges, 4 * 3).data<double>().ToArray();
        var sources = added[0].data<long>().ToArray();
        var targets = added[1].data<long>().ToArray();
        for (int i = 0; i < 4; i++)
        {
            var top = Enumerable.Range(0, 20).OrderByDescending(j => expected[i][j]).Take(3).Select(j => (long)j).ToHashSet();
            var incoming = Enumerable.Range(0, targets.Length).Where(e => targets[e] == 20 + i).ToArray();
            incoming.Select(e => sources[e]).Should().BeEquivalentTo(top, $"new sample {i} receives edges from its top-3 of S");
            foreach (var e in incoming) weights[e].Should().BeApproximately(expected[i][sources[e]], 1e-12);
        }
        sources.Where((_, e) => targets[e] == 22).Should().OnlyContain(j => j >= 6, "a sample with modality 1 alone shares nothing with nodes lacking it");
        sources.Where((_, e) => targets[e] == 20).Should().Contain(0L);

        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, second], [samples, secondSamples], [has0, has1], affinity, 3, null, [null]))
            .Should().Throw<ArgumentException>().WithMessage("1 cohort availability masks for 2 modalities.*");
        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, second], [samples, secondSamples], [has0, has1], affinity, 3, null, [null, [true, false]]))
            .Should().Throw<ArgumentException>().WithMessage("Modality 1: the cohort availability mask needs 20 entries, got 2.*");
        // Too few cohort nodes having modality 1 for its kernel (K = 5) or for no cohort node at all: refused by name.
        foreach (int having in new[] { 0, 5 })
            FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, second], [samples, secondSamples], [has0, has1], affinity, 3, null,
                    [null, Enumerable.Range(0, 20).Select(i => i < having).ToArray()]))
                .Should().Throw<ArgumentException>().WithMessage($"Modality 1: {having} eligible cohort node(s) have it; attaching new samples by it needs more than Affinity.K = 5 and at least k = 3.*");
    }

    [Fact]
    public void Mismatched_inputs_are_rejected_naming_the_modality_or_sample_before_any_affinity_is_computed()
    {
        using var scope = NewDisposeScope();
        var (cohort, samples, affinity, cohortGraph) = SmallCohort();
        using var graph = cohortGraph;
        bool[] all = [true, true, true, true];

        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, cohort], [null!, samples], [all, all], affinity, 3))
            .Should().Throw<ArgumentNullException>().WithParameterName("sampleFeatures").WithMessage("Modality 0: new-sample features are missing.*");
        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, cohort], [samples], [all, all], affinity, 3))
            .Should().Throw<ArgumentException>().WithMessage("2 cohort feature matrices, 1 new-sample feature matrices and 2 availability masks*");
        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, cohort], [samples, samples.narrow(1, 0, 2)], [all, all], affinity, 3))
            .Should().Throw<ArgumentException>().WithMessage("Modality 1: new-sample features must be (4, 3), got (4, 2)*");
        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, cohort], [samples, samples], [all, [true, true]], affinity, 3))
            .Should().Throw<ArgumentException>().WithMessage("Modality 1: the availability mask needs 4 entries, got 2*");
        FluentActions.Invoking(() => InductiveGraph.Attach(graph, [cohort, cohort], [samples, samples], [[true, false, true, true], [true, false, true, true]], affinity, 3))
            .Should().Throw<ArgumentException>().WithMessage("New sample 1 has no available modality*");
    }
}
