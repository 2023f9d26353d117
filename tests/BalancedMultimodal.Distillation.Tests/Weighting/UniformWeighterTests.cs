using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Weighting;

public class UniformWeighterTests
{
    [Fact]
    public void Every_weight_stays_one_whatever_the_scores()
    {
        var weighter = new UniformWeighter(3);
        weighter.Update([0.9, 0.1, 0.5]);

        weighter.Weights.Should().Equal(1.0, 1.0, 1.0);
        weighter.TrainableParameters.Should().BeEmpty();
    }

    [Fact]
    public void Weighted_loss_is_the_plain_sum()
    {
        using var scope = NewDisposeScope();
        var loss = new UniformWeighter(3).WeightedLoss([tensor(0.5), tensor(1.5), tensor(2.0)]);

        loss.item<double>().Should().Be(4.0);
    }
}
