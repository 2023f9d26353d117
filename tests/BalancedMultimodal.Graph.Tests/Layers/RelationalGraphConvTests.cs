using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>RelationalGraphConv computes PyTorch Geometric's RGCNConv (mean aggregation), checked against values worked
/// out by hand on the five-node graph of <see cref="SmallGraphs.FiveNodes"/> (root = I, bias = (0.5, -0.5)).</summary>
public class RelationalGraphConvTests
{
    // Theta_0 = [[1, 1], [0, 1]], Theta_1 = [[0, 2], [1, 0]].
    private static readonly double[,,] PlainWeight = { { { 1, 1 }, { 0, 1 } }, { { 0, 2 }, { 1, 0 } } };

    private static double[,] Run(RelationalGraphConv conv, bool weighted = false, bool emptySecondRelation = false)
    {
        using var scope = NewDisposeScope();
        using var graph = SmallGraphs.FiveNodes(weighted, emptySecondRelation);
        using var noGrad = no_grad();
        return SmallGraphs.ToArray2(conv.forward(SmallGraphs.Features(), graph));
    }

    [Fact]
    public void Plain_layer_matches_hand_computed_means_with_an_isolated_node()
    {
        using var conv = new RelationalGraphConv(2, 2, 2, dtype: ScalarType.Float64);
        SmallGraphs.SetParameters(conv, PlainWeight);
        // node 0: x0 + mean_a(x2 T0, x1 T0) + b = [1,0] + ([1,2]+[0,1])/2 + b
        // node 1: x1 + mean_b(x0 T1, x2 T1) + b = [0,1] + ([0,2]+[1,2])/2 + b
        // node 2: x2 + mean_a(x0, x1, x3 T0) + b = [1,1] + ([1,1]+[0,1]+[2,1])/3 + b
        // node 3: x3 + x3 T1 + b = [2,-1] + [-1,4] + b ; node 4 (isolated): x4 + b
        var expected = new double[,] { { 2.0, 1.0 }, { 1.0, 2.5 }, { 2.5, 1.5 }, { 1.5, 2.5 }, { 3.5, 2.5 } };
        AssertClose(Run(conv), expected);
    }

    [Fact]
    public void Edge_weights_give_the_weighted_mean()
    {
        using var conv = new RelationalGraphConv(2, 2, 2, dtype: ScalarType.Float64);
        SmallGraphs.SetParameters(conv, PlainWeight);
        // node 0: (3 [1,2] + 1 [0,1]) / 4 ; node 1: (1 [0,2] + 3 [1,2]) / 4 ; node 2: (1 [1,1] + 2 [0,1] + 1 [2,1]) / 4
        // node 3: 0.5 [-1,4] / 0.5
        var expected = new double[,] { { 2.25, 1.25 }, { 1.25, 2.5 }, { 2.25, 1.5 }, { 1.5, 2.5 }, { 3.5, 2.5 } };
        AssertClose(Run(conv, weighted: true), expected);
    }

    [Fact]
    public void A_relation_without_edges_contributes_nothing()
    {
        using var conv = new RelationalGraphConv(2, 2, 2, dtype: ScalarType.Float64);
        SmallGraphs.SetParameters(conv, PlainWeight);
        // Relation b is empty: nodes 1 and 3 keep only x_i + b.
        var expected = new double[,] { { 2.0, 1.0 }, { 0.5, 0.5 }, { 2.5, 1.5 }, { 2.5, -1.5 }, { 3.5, 2.5 } };
        AssertClose(Run(conv, emptySecondRelation: true), expected);
    }

    [Fact]
    public void Basis_decomposition_combines_the_bases_with_comp()
    {
        using var conv = new RelationalGraphConv(2, 2, 2, numBases: 2, dtype: ScalarType.Float64);
        // V0 = [[1,0],[0,0]], V1 = [[0,1],[1,1]]; comp = [[1,1],[2,-1]] -> Theta_0 = [[1,1],[1,1]], Theta_1 = [[2,-1],[-1,-1]].
        SmallGraphs.SetParameters(conv, new double[,,] { { { 1, 0 }, { 0, 0 } }, { { 0, 1 }, { 1, 1 } } }, new double[,] { { 1, 1 }, { 2, -1 } });
        // node 0: [1,0] + ([2,2]+[1,1])/2 ; node 1: [0,1] + ([2,-1]+[1,-2])/2 ; node 2: [1,1] + [1,1] ; node 3: [2,-1] + [5,-1]
        var expected = new double[,] { { 3.0, 1.0 }, { 2.0, -1.0 }, { 2.5, 1.5 }, { 7.5, -2.5 }, { 3.5, 2.5 } };
        AssertClose(Run(conv), expected);
    }

    [Fact]
    public void Block_decomposition_uses_block_diagonal_relation_weights()
    {
        using var conv = new RelationalGraphConv(2, 2, 2, numBlocks: 2, dtype: ScalarType.Float64);
        // 1x1 blocks: Theta_0 = diag(2, -1), Theta_1 = diag(0.5, 3).
        SmallGraphs.SetParameters(conv, new double[,,] { { { 2 }, { -1 } }, { { 0.5 }, { 3 } } });
        // node 0: [1,0] + ([2,-1]+[0,-1])/2 ; node 1: [0,1] + ([0.5,0]+[0.5,3])/2 ; node 2: [1,1] + ([2,0]+[0,-1]+[4,1])/3
        // node 3: [2,-1] + [1,-3]
        var expected = new double[,] { { 2.5, -1.5 }, { 1.0, 2.0 }, { 3.5, 0.5 }, { 3.5, -4.5 }, { 3.5, 2.5 } };
        AssertClose(Run(conv), expected);
    }

    [Theory]
    [InlineData(3, 7, null, null, true)]    // aggregate-first order
    [InlineData(7, 3, null, null, true)]    // transform-first order
    [InlineData(6, 4, 2, null, true)]
    [InlineData(4, 6, null, 2, true)]       // 2x3 blocks
    [InlineData(6, 9, null, 3, false)]
    public void Random_layers_match_the_formula_evaluated_with_loops(int inChannels, int outChannels, int? bases, int? blocks, bool weighted)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var conv = new RelationalGraphConv(inChannels, outChannels, 3, bases, blocks, dtype: ScalarType.Float64);
        using (no_grad()) conv.Bias!.uniform_(-1, 1);
        using var graph = SmallGraphs.Random(12, 3, 3, weighted, seed: 5);
        var x = randn(12, inChannels, dtype: ScalarType.Float64);
        var expected = SmallGraphs.Reference(conv, SmallGraphs.ToArray2(x), graph);

        var withGrad = SmallGraphs.ToArray2(conv.forward(x, graph).detach());
        double[,] withoutGrad;
        using (no_grad()) withoutGrad = SmallGraphs.ToArray2(conv.forward(x, graph));

        AssertClose(withGrad, expected, 1e-12);
        AssertClose(withoutGrad, expected, 1e-12);
    }

    [Theory]
    [InlineData(3, 7)]
    [InlineData(7, 3)]
    public void Bfloat16_layers_take_the_gather_scatter_path_and_match_the_formula(int inChannels, int outChannels)
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        using var conv = new RelationalGraphConv(inChannels, outChannels, 3, dtype: ScalarType.BFloat16);
        using var graph = SmallGraphs.Random(12, 3, 3, weighted: true, seed: 6);
        var x = randn(12, inChannels).to(ScalarType.BFloat16);
        var expected = SmallGraphs.Reference(conv, SmallGraphs.ToArray2(x), graph);

        var output = conv.forward(x, graph);

        output.dtype.Should().Be(ScalarType.BFloat16);
        AssertClose(SmallGraphs.ToArray2(output.detach()), expected, 0.05);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(2, null)]
    [InlineData(null, 2)]
    public void Gradients_match_central_finite_differences_in_float64(int? bases, int? blocks)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var conv = new RelationalGraphConv(4, 2, 2, bases, blocks, dtype: ScalarType.Float64);
        using (no_grad()) conv.Bias!.uniform_(-1, 1);
        using var graph = SmallGraphs.FiveNodes(weighted: true);
        var x = randn(5, 4, dtype: ScalarType.Float64).requires_grad_(true);
        var projection = randn(5, 2, dtype: ScalarType.Float64);
        Func<Tensor> loss = () => (conv.forward(x, graph) * projection).sum();

        loss().backward();
        var inputs = new List<Tensor> { x };
        inputs.AddRange(conv.parameters());
        foreach (var input in inputs)
        {
            var analytic = input.grad!.clone().contiguous().data<double>().ToArray();
            var flat = input.detach().view(-1);
            for (long k = 0; k < flat.shape[0]; k++)
            {
                const double h = 1e-6;
                double original = flat[k].item<double>();
                double plus, minus;
                using (no_grad())
                {
                    flat[k] = original + h;
                    plus = loss().item<double>();
                    flat[k] = original - h;
                    minus = loss().item<double>();
                    flat[k] = original;
                }
                double numeric = (plus - minus) / (2 * h);
                analytic[k].Should().BeApproximately(numeric, 1e-7, $"d loss / d element {k} of a tensor of shape ({string.Join(", ", input.shape)})");
            }
        }
    }

    [Fact]
    public void State_dict_keys_are_weight_comp_root_and_bias()
    {
        using var basis = new RelationalGraphConv(4, 6, 3, numBases: 2);
        using var plain = new RelationalGraphConv(4, 6, 3, bias: false);

        basis.state_dict().Keys.Should().BeEquivalentTo("weight", "comp", "root", "bias");
        basis.Weight.shape.Should().Equal(2, 4, 6);
        basis.Comp!.shape.Should().Equal(3, 2);
        plain.state_dict().Keys.Should().BeEquivalentTo("weight", "root");
    }

    [Fact]
    public void Block_weights_have_shape_relations_blocks_in_over_blocks_out_over_blocks()
    {
        using var conv = new RelationalGraphConv(6, 9, 2, numBlocks: 3);
        conv.Weight.shape.Should().Equal(2, 3, 2, 3);
    }

    [Fact]
    public void Reset_parameters_draws_glorot_uniform_over_the_last_two_dimensions_and_zero_bias()
    {
        manual_seed(1);
        using var conv = new RelationalGraphConv(40, 60, 3, numBases: 2);
        using (no_grad()) conv.Bias!.fill_(1.0);
        conv.reset_parameters();

        double weightBound = Math.Sqrt(6.0 / (40 + 60)), compBound = Math.Sqrt(6.0 / (3 + 2));
        AssertUniformWithin(conv.Weight, weightBound);
        AssertUniformWithin(conv.Root, weightBound);
        AssertUniformWithin(conv.Comp!, compBound, loose: true);
        conv.Bias!.abs().max().item<float>().Should().Be(0f);
    }

    [Fact]
    public void Output_follows_the_module_dtype_after_to()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var conv = new RelationalGraphConv(3, 2, 2);
        using var graph = SmallGraphs.FiveNodes();
        var x = randn(5, 3);
        var single = conv.forward(x, graph);

        conv.to(ScalarType.Float64);
        var twice = conv.forward(x.to(ScalarType.Float64), graph);

        conv.Root.dtype.Should().Be(ScalarType.Float64);
        twice.dtype.Should().Be(ScalarType.Float64);
        twice.device.type.Should().Be(x.device.type);
        (twice - single.to(ScalarType.Float64)).abs().max().item<double>().Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Normalisation_is_computed_once_per_graph_and_dtype()
    {
        using var graph = SmallGraphs.FiveNodes(weighted: true);
        var first = RelationalGraphNormalization.For(graph, ScalarType.Float32);
        var again = RelationalGraphNormalization.For(graph, ScalarType.Float32);
        var other = RelationalGraphNormalization.For(graph, ScalarType.Float64);

        again.Should().BeSameAs(first);
        other.Should().NotBeSameAs(first);
        // Weight sums into each target per relation: a: node0 3+1, node2 1+2+1; b: node1 1+3, node3 0.5.
        SmallGraphs.ToArray2(other.TargetTotals).Should().BeEquivalentTo(new double[,] { { 4, 0 }, { 0, 4 }, { 4, 0 }, { 0, 0.5 }, { 0, 0 } });
    }

    [Fact]
    public void Cached_normalisation_survives_the_callers_dispose_scope()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var conv = new RelationalGraphConv(2, 2, 2);
        using var x = ones(5, 2);
        Tensor first;
        using (var step = NewDisposeScope())
            first = conv.forward(x, graph).detach().clone().DetachFromDisposeScope();   // the cache is built in this scope
        using var kept = first;
        using var scope = NewDisposeScope();

        var again = conv.forward(x, graph);

        again.allclose(first, rtol: 0, atol: 0).Should().BeTrue("the cached normalisation outlived the scope it was built in and is unchanged");
    }

    [Fact]
    public void Building_and_disposing_a_layer_leaves_no_tensor_alive()
    {
        new RelationalGraphConv(4, 3, 2).Dispose();   // warm-up
        long before = LiveTensors.Count;

        for (int i = 0; i < 5; i++)
            new RelationalGraphConv(4, 3, 2, numBases: 1).Dispose();

        LiveTensors.Count.Should().Be(before, "the initialisers' returned handles are freed (one per layer leaked before)");
    }

    [Theory]
    [InlineData(2, null)]
    [InlineData(null, 2)]
    [InlineData(null, null)]
    public void Relation_weights_called_outside_a_scope_leave_only_their_result(int? bases, int? blocks)
    {
        using var conv = new RelationalGraphConv(6, 4, 2, numBases: bases, numBlocks: blocks);
        long before = LiveTensors.Count;

        for (int i = 0; i < 5; i++)
            using (conv.RelationWeights()) { }

        LiveTensors.Count.Should().Be(before);
    }

    [Fact]
    public void A_graph_built_per_step_inside_the_step_scope_does_not_accumulate_normalisation_caches()
    {
        using var conv = new RelationalGraphConv(2, 2, 1);
        void Step()
        {
            using var scope = NewDisposeScope();
            var graph = new BalancedMultimodal.Graph.Graphs.RelationalGraph(5, [new BalancedMultimodal.Graph.Graphs.GraphRelation("r", tensor(new long[,] { { 0, 1, 2, 3 }, { 1, 2, 3, 4 } }), null)]);
            conv.forward(ones(5, 2), graph);   // the graph is not disposed: the scope frees its edges, not the cache
        }
        Step();
        Step();
        long before = LiveTensors.Count;

        for (int i = 0; i < 5; i++) Step();

        LiveTensors.Count.Should().BeLessThanOrEqualTo(before, "each step's lookup frees the cache of the graph the previous step left behind");
    }

    [Fact]
    public void A_training_loop_of_forward_and_backward_steps_keeps_the_live_tensor_count_flat()
    {
        using var graph = SmallGraphs.FiveNodes();
        using var conv = new RelationalGraphConv(2, 3, 2);
        using var x = ones(5, 2);
        void Step()
        {
            using var scope = NewDisposeScope();
            conv.zero_grad();
            conv.forward(x, graph).square().sum().backward();
        }
        Step();   // warm-up: the graph's normalisation is cached, the gradients are allocated
        long before = LiveTensors.Count;

        for (int i = 0; i < 10; i++) Step();

        LiveTensors.Count.Should().Be(before);
    }

    private static void AssertUniformWithin(Tensor values, double bound, bool loose = false)
    {
        double max = values.abs().max().to(ScalarType.Float64).item<double>();
        max.Should().BeLessThanOrEqualTo(bound);
        max.Should().BeGreaterThan(loose ? 0.3 * bound : 0.95 * bound);
    }

    private static void AssertClose(double[,] actual, double[,] expected, double tolerance = 1e-12)
    {
        actual.GetLength(0).Should().Be(expected.GetLength(0));
        actual.GetLength(1).Should().Be(expected.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int c = 0; c < expected.GetLength(1); c++)
                actual[i, c].Should().BeApproximately(expected[i, c], tolerance, $"entry ({i}, {c})");
    }
}
