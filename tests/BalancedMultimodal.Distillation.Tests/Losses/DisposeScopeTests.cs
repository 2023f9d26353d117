using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

public class DisposeScopeTests
{
    private static long LiveTensors()
    {
        var stats = DisposeScopeManager.Statistics.TensorStatistics;
        return stats.ThreadTotalLiveCount + stats.CreatedOutsideScopeCount - stats.DisposedOutsideScopeCount;
    }

    [Fact]
    public void Repeated_loss_steps_inside_a_dispose_scope_leave_no_tensor_behind()
    {
        var loss = new DistillationLoss(6, 4, new DistillationLossOptions());
        var multitask = new MultitaskLoss(new UncertaintyWeighter(2, new UncertaintyWeighterOptions()));
        var labels = tensor(new long[] { 0, 1, 2, 1, 0, 2, 1, 0 });
        var mask = tensor(new[] { true, true, false, true, false, true, true, false });
        using var generator = new Generator(28);
        void Step()
        {
            using var scope = NewDisposeScope();
            var zs = randn(8, 3, requires_grad: true, generator: generator);
            var terms = loss.Compute(zs, randn(8, 6, requires_grad: true, generator: generator), randn(8, 3, generator: generator),
                randn(8, 4, generator: generator), labels, mask);
            var all = multitask.Compute(randn(8, 3, requires_grad: true, generator: generator),
                [zs, randn(8, 3, requires_grad: true, generator: generator)], labels, mask, [terms.Total]);
            all.Total.backward();
        }
        Step();
        long before = LiveTensors();

        for (int i = 0; i < 20; i++)
            Step();

        LiveTensors().Should().Be(before);
    }

    [Fact]
    public void The_static_kl_term_called_outside_any_scope_leaves_only_its_result()
    {
        // Its finiteness check left a detached view and a bool tensor behind on every call (20 after 10 calls).
        using var student = zeros(4, 3);
        using var teacher = ones(4, 3);
        long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        for (int i = 0; i < 10; i++)
        {
            using var kl = DistillationLoss.KullbackLeiblerBatchMean(student, teacher, 2.0);
        }

        DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before);
    }
}
