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
    /// <summary>Full-batch cross-entropy steps of encoder + head with one of the two optimisers.</summary>
    private static void RunSteps(MlpEncoder encoder, TorchSharp.Modules.Linear head, Tensor x, Tensor y, int steps,
        ExplicitScalarAdam? ours, optim.Optimizer? theirs)
    {
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            if (ours is not null) ours.ZeroGrad(); else theirs!.zero_grad();
            var loss = nn.functional.cross_entropy(head.forward(encoder.forward(x)), y);
            loss.backward();
            if (ours is not null) ours.Step(); else theirs!.step();
        }
    }

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
        RunSteps(encoder, head, x, y, steps, ours, theirs);
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

    /// <summary>As <see cref="Train"/>, with the encoder's parameters decayed by <paramref name="encoderDecay"/> and the
    /// head's by <paramref name="headDecay"/> (two parameter groups).</summary>
    private static double[][] TrainGrouped(bool explicitScalars, double encoderDecay, double headDecay, int steps = 60)
    {
        manual_seed(5);
        var x = randn(40, 6, dtype: ScalarType.Float64);
        var y = randint(3, [40], dtype: ScalarType.Int64);
        using var encoder = new MlpEncoder(6, new MlpEncoderOptions { HiddenSizes = [8], Dropout = 0.2 }, dtype: ScalarType.Float64);
        using var head = nn.Linear(8, 3, dtype: ScalarType.Float64);
        var encoderParameters = encoder.parameters().ToArray();
        var headParameters = head.parameters().ToArray();
        using var ours = explicitScalars
            ? new ExplicitScalarAdam([new ParameterGroup(encoderParameters, encoderDecay), new ParameterGroup(headParameters, headDecay)], 1e-2)
            : null;
        using var theirs = explicitScalars
            ? null
            : optim.Adam([
                new TorchSharp.Modules.Adam.ParamGroup(encoderParameters, new TorchSharp.Modules.Adam.Options { weight_decay = encoderDecay }),
                new TorchSharp.Modules.Adam.ParamGroup(headParameters, new TorchSharp.Modules.Adam.Options { weight_decay = headDecay })], 1e-2);
        RunSteps(encoder, head, x, y, steps, ours, theirs);
        return encoderParameters.Concat(headParameters).Select(p => p.detach().data<double>().ToArray()).ToArray();
    }

    [Fact]
    public void Parameter_groups_are_bit_identical_to_torchsharp_adam_parameter_groups()
    {
        var expected = TrainGrouped(explicitScalars: false, encoderDecay: 0.3, headDecay: 0);
        var actual = TrainGrouped(explicitScalars: true, encoderDecay: 0.3, headDecay: 0);

        for (int i = 0; i < expected.Length; i++) actual[i].Should().Equal(expected[i], $"parameter {i}");
        var oneDecay = TrainGrouped(explicitScalars: true, encoderDecay: 0, headDecay: 0);
        actual[0].Should().NotEqual(oneDecay[0], "the encoder group's decay changed its weights");
    }

    [Fact]
    public void Groups_with_a_common_decay_train_exactly_like_the_single_decay_constructor()
    {
        var single = Train(explicitScalars: true, weightDecay: 0.3, ScalarType.Float64);
        var grouped = TrainGrouped(explicitScalars: true, encoderDecay: 0.3, headDecay: 0.3);

        for (int i = 0; i < single.Length; i++) grouped[i].Should().Equal(single[i], $"parameter {i}");
    }

    [Fact]
    public void Each_parameter_carries_its_groups_decay_in_order()
    {
        using var p = new TorchSharp.Modules.Parameter(ones(2));
        using var q = new TorchSharp.Modules.Parameter(ones(3));
        using var grouped = new ExplicitScalarAdam([new ParameterGroup([p], 0.5), new ParameterGroup([q], 0)]);
        using var single = new ExplicitScalarAdam([p, q], weightDecay: 0.25);

        grouped.Parameters.Should().Equal(p, q);
        grouped.WeightDecays.Should().Equal(0.5, 0.0);
        single.WeightDecays.Should().Equal(0.25, 0.25);
    }

    [Fact]
    public void A_parameter_in_two_groups_or_a_null_group_is_rejected()
    {
        using var a = new TorchSharp.Modules.Parameter(ones(2));
        using var b = new TorchSharp.Modules.Parameter(ones(3));

        FluentActions.Invoking(() => new ExplicitScalarAdam([new ParameterGroup([a, b], 0.1), new ParameterGroup([a], 0)]))
            .Should().Throw<ArgumentException>().WithParameterName("groups").WithMessage("Parameter 2 is the same object as parameter 0*");
        FluentActions.Invoking(() => new ExplicitScalarAdam([new ParameterGroup([a], 0.1), null!]))
            .Should().Throw<ArgumentException>().WithParameterName("groups").WithMessage("Parameter group 1 is null.*");
        FluentActions.Invoking(() => new ParameterGroup([a], -0.1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("weightDecay");
        FluentActions.Invoking(() => new ParameterGroup([a], double.PositiveInfinity)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("weightDecay");
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
        FluentActions.Invoking(() => new ExplicitScalarAdam([new ParameterGroup([p], 0)], learningRate: double.NaN)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("learningRate");
        FluentActions.Invoking(() => new ExplicitScalarAdam((IEnumerable<ParameterGroup>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("groups");
        FluentActions.Invoking(() => new ExplicitScalarAdam((IEnumerable<TorchSharp.Modules.Parameter>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("parameters");
    }

    [Fact]
    public void The_hyperparameters_are_checked_before_the_parameters_are_read()
    {
        bool read = false;
        IEnumerable<TorchSharp.Modules.Parameter> Lazy() { read = true; yield break; }

        FluentActions.Invoking(() => new ExplicitScalarAdam(Lazy(), learningRate: -1, weightDecay: -1))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("learningRate", "the signature's order: learning rate first");
        read.Should().BeFalse();
    }

    [Fact]
    public void Zeroing_gradients_outside_a_scope_leaves_no_tensor_alive()
    {
        using var layer = TorchSharp.torch.nn.Linear(4, 3);
        using var optimizer = new ExplicitScalarAdam(layer.parameters(), 1e-3);
        using (var scope = TorchSharp.torch.NewDisposeScope())
            layer.forward(TorchSharp.torch.ones(2, 4)).sum().backward();
        optimizer.ZeroGrad();
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        for (int i = 0; i < 20; i++) optimizer.ZeroGrad();

        TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before);
    }
}
