using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Native;

/// <summary>TorchSharp's native runtime loads in this build (on Debian 12 only thanks to build/LibTorchSharpGlibcxxFix.targets).</summary>
public class TorchSharpRuntimeTests
{
    [Fact]
    public void A_tensor_operation_and_a_backward_pass_run()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 1.0, 2.0, 3.0 }, requires_grad: true);
        var y = (x * x).sum();
        y.backward();

        y.item<double>().Should().Be(14.0);
        x.grad!.data<double>().ToArray().Should().Equal(2.0, 4.0, 6.0);
    }

    [Fact]
    public void A_linear_layer_trains_with_an_optimiser()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var layer = nn.Linear(3, 1);
        var optimizer = optim.SGD(layer.parameters(), 0.1);
        var inputs = randn(64, 3);
        var targets = inputs.matmul(tensor(new float[] { 1f, -2f, 0.5f }).unsqueeze(1));
        float first = 0, last = 0;
        for (int step = 0; step < 100; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(layer.forward(inputs), targets);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        last.Should().BeLessThan(first / 100);
    }
}
