using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Optimization;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Optimization;

/// <summary><see cref="ExplicitScalarAdam"/> reproduces TorchSharp's Adam bit for bit, and validates its options.</summary>
[Collection(Encoding.GlobalGeneratorCollection.Name)]
public class ExplicitScalarAdamTests
{
    /// <summary>Trains a small MLP + linear head for <paramref name="steps"/> full-batch steps and returns its parameters.</summary>
    private static double[][] Train(bool explicitScalars, double weightDecay, ScalarType dtype, int steps = 60)
    {
        manual_seed(5);
        var x = randn(40, 6, dtype: dtype);
        var y = randint(3, [40], dtype: ScalarType.Int64);
        using var encoder = new MlpEncoder(6, new MlpEncoderOptions { HiddenSizes = [8], Dropout = 0.2 }, dtype: dtype);
        using var head = nn.Linear(8, 3, dtype: dtype);
        var parameters = encoder.parameters().Concat(head.parameters()).ToArray();
        using var ours = explicitScalars ? new ExplicitScalarAdam(parameters, 1e-2, weightDecay: weightDecay) : null;
        using var theirs = explicitScalars ? null : optim.Adam(parameters, 1e-2, weight_decay: weightDecay);
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            if (ours is not null) ours.ZeroGrad(); else theirs!.zero_grad();
            var loss = nn.functional.cross_entropy(head.forward(encoder.forward(x)), y);
            loss.backward();
            if (ours is not null) ours.Step(); else theirs!.step();
        }
        return parameters.Select(p => p.detach().to(ScalarType.Float64).data<double>().ToArray()).ToArray();
    }

    [Theory]
    [InlineData(0.0, ScalarType.Float32)]
    [InlineData(1e-2, ScalarType.Float32)]
    [InlineData(1e-2, ScalarType.Float64)]
    public void Parameters_are_bit_identical_to_torchsharp_adam(double weightDecay, ScalarType dtype)
    {
        var expected = Train(explicitScalars: false, weightDecay, dtype);
        var actual = Train(explicitScalars: true, weightDecay, dtype);

        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < expected.Length; i++) actual[i].Should().Equal(expected[i], $"parameter {i}");
        expected[0].Should().NotEqual(Train(explicitScalars: false, weightDecay, dtype, steps: 0)[0], "training moved the parameters");
    }

    [Fact]
    public void A_parameter_without_gradient_is_left_alone()
    {
        using var frozen = new TorchSharp.Modules.Parameter(ones(3, dtype: ScalarType.Float64));
        using var optimiser = new ExplicitScalarAdam([frozen], 0.1);

        optimiser.Step();

        frozen.data<double>().ToArray().Should().Equal(1.0, 1.0, 1.0);
    }

    [Fact]
    public void A_parameter_listed_twice_is_rejected_naming_both_positions()
    {
        using var a = new TorchSharp.Modules.Parameter(ones(2));
        using var b = new TorchSharp.Modules.Parameter(ones(3));

        var act = () => new ExplicitScalarAdam([a, b, a], 0.1);

        act.Should().Throw<ArgumentException>().WithParameterName("parameters").WithMessage("Parameter 2 is the same object as parameter 0*");
    }

    [Fact]
    public void Hyperparameters_outside_their_ranges_are_rejected_by_name()
    {
        using var p = new TorchSharp.Modules.Parameter(ones(2));
        FluentActions.Invoking(() => new ExplicitScalarAdam([p], learningRate: -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("learningRate");
        FluentActions.Invoking(() => new ExplicitScalarAdam([p], beta1: 1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("beta1");
        FluentActions.Invoking(() => new ExplicitScalarAdam([p], beta2: -0.1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("beta2");
        FluentActions.Invoking(() => new ExplicitScalarAdam([p], epsilon: double.NaN)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("epsilon");
        FluentActions.Invoking(() => new ExplicitScalarAdam([p], weightDecay: -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("weightDecay");
    }
}
