using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary>
/// A task only the graph can solve: node i's label y_i is independent of its own features, which encode an unrelated
/// signal s_i; the sources of its relation-0 edges are nodes whose signal equals y_i (relation 1 is random noise).
/// The mean over relation-0 neighbours therefore reveals the label, the node's own features do not.
/// </summary>
public class RelationalGcnLearningTests
{
    private const int Nodes = 300, Classes = 3, Features = 8, Neighbours = 4;

    [Fact]
    public void A_two_layer_model_learns_labels_set_by_the_neighbourhood_where_an_mlp_stays_at_chance()
    {
        using var scope = NewDisposeScope();
        var (x, labels, graph, train, test) = NeighbourhoodTask(seed: 13);
        using var _ = graph;

        manual_seed(13);
        using var gcn = new RelationalGcn(new RelationalGcnOptions
        {
            InputSize = Features,
            HiddenSizes = [16],
            RelationCount = 2,
            ClassCount = Classes,
            Head = RelationalGcnHead.GraphConvolution,
            Dropout = 0.2,
        });
        double gcnAccuracy = TrainAndScore(gcn, () => gcn.forward(x, graph), labels, train, test, () => gcn.train(), () => gcn.eval());

        manual_seed(13);
        using var mlp = nn.Sequential(nn.Linear(Features, 16), nn.LeakyReLU(0.25), nn.Dropout(0.2), nn.Linear(16, Classes));
        double mlpAccuracy = TrainAndScore(mlp, () => mlp.forward(x), labels, train, test, () => mlp.train(), () => mlp.eval());

        gcnAccuracy.Should().BeGreaterThan(0.9, "the relation-0 neighbourhood determines the label");
        mlpAccuracy.Should().BeLessThan(0.5, "a node's own features carry no information about its label (chance is 1/3)");
    }

    private static double TrainAndScore(nn.Module model, Func<Tensor> logits, Tensor labels, Tensor train, Tensor test,
        Action toTraining, Action toEvaluation)
    {
        var optimizer = optim.Adam(model.parameters(), 0.02, weight_decay: 5e-4);
        toTraining();
        for (int epoch = 0; epoch < 150; epoch++)
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(logits().index_select(0, train), labels.index_select(0, train));
            loss.backward();
            optimizer.step();
        }
        toEvaluation();
        using var noGrad = no_grad();
        var predicted = logits().index_select(0, test).argmax(1);
        return predicted.eq(labels.index_select(0, test)).to(ScalarType.Float64).mean().item<double>();
    }

    private static (Tensor X, Tensor Labels, RelationalGraph Graph, Tensor Train, Tensor Test) NeighbourhoodTask(int seed)
    {
        var random = new Random(seed);
        var label = new long[Nodes];
        var signal = new int[Nodes];
        for (int i = 0; i < Nodes; i++)
        {
            label[i] = random.Next(Classes);
            signal[i] = random.Next(Classes);
        }
        var features = new float[Nodes, Features];
        for (int i = 0; i < Nodes; i++)
            for (int k = 0; k < Features; k++)
                features[i, k] = (k == signal[i] ? 1f : 0f) + 0.1f * (float)(random.NextDouble() - 0.5);
        var bySignal = Enumerable.Range(0, Classes).Select(c => Enumerable.Range(0, Nodes).Where(j => signal[j] == c).ToArray()).ToArray();
        var informative = new long[2, Nodes * Neighbours];
        var noise = new long[2, Nodes * Neighbours];
        for (int i = 0; i < Nodes; i++)
            for (int k = 0; k < Neighbours; k++)
            {
                int e = i * Neighbours + k;
                var pool = bySignal[label[i]];
                informative[0, e] = pool[random.Next(pool.Length)];
                informative[1, e] = i;
                noise[0, e] = random.Next(Nodes);
                noise[1, e] = i;
            }
        var graph = new RelationalGraph(Nodes, [
            new GraphRelation("informative", tensor(informative), null),
            new GraphRelation("noise", tensor(noise), null),
        ]);
        var order = Enumerable.Range(0, Nodes).OrderBy(_ => random.Next()).Select(i => (long)i).ToArray();
        return (tensor(features), tensor(label), graph, tensor(order[..(Nodes / 2)]), tensor(order[(Nodes / 2)..]));
    }
}
