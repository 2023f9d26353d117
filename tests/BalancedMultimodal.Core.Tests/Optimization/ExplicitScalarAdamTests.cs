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
    public void A_disposed_later_parameter_is_refused_before_any_parameter_is_updated()
    {
        // The first parameter was updated, then the disposed second one threw libtorch's unnamed error.
        using var first = new TorchSharp.Modules.Parameter(ones(3, dtype: ScalarType.Float64));
        var second = new TorchSharp.Modules.Parameter(ones(2, dtype: ScalarType.Float64));
        using var optimiser = new ExplicitScalarAdam([first, second], 0.1);
        using (var scope = NewDisposeScope())
            (first.sum() + second.sum()).backward();
        second.Dispose();

        var act = () => optimiser.Step();

        act.Should().Throw<ObjectDisposedException>().WithMessage("Parameter 1 has been disposed; no parameter was updated.*");
        first.data<double>().ToArray().Should().Equal(1.0, 1.0, 1.0);
    }

    [Fact]
    public void A_gradient_of_another_shape_or_dtype_is_refused_before_any_parameter_is_updated()
    {
        using var first = new TorchSharp.Modules.Parameter(ones(3, dtype: ScalarType.Float64));
        using var second = new TorchSharp.Modules.Parameter(ones(2, dtype: ScalarType.Float64));
        using var optimiser = new ExplicitScalarAdam([first, second], 0.1);
        using (var scope = NewDisposeScope())
            (first.sum() + second.sum()).backward();
        second.grad = ones(5, dtype: ScalarType.Float64);

        var act = () => optimiser.Step();

        act.Should().Throw<InvalidOperationException>().WithMessage("Parameter 1 (2, Float64, cpu*) has a gradient of (5, Float64, cpu*); no parameter was updated.");
        first.data<double>().ToArray().Should().Equal(1.0, 1.0, 1.0);
        second.grad = ones(2, dtype: ScalarType.Float32);
        act.Should().Throw<InvalidOperationException>().WithMessage("Parameter 1 *has a gradient of (2, Float32*");
        second.grad = ones(2, dtype: ScalarType.Float64);
        optimiser.Step();
        first.data<double>().ToArray().Should().AllSatisfy(v => v.Should().BeApproximately(0.9, 1e-9));
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

    /// <summary>Gradient 0.5 on every listed parameter: the gradients are zeroed, then loss = 0.5 sum p is backpropagated.</summary>
    private static void ConstantGradientStep(ExplicitScalarAdam optimiser, params TorchSharp.Modules.Parameter[] withGradient)
    {
        using var scope = NewDisposeScope();
        optimiser.ZeroGrad();
        foreach (var p in withGradient) (p * 0.5).sum().backward();
        optimiser.Step();
    }

    [Fact]
    public void Two_steps_on_a_scalar_give_the_hand_computed_adam_update()
    {
        using var scope = NewDisposeScope();
        // lr = 0.1, beta1 = 0.5, beta2 = 0.75, eps = 0.25, lambda = 0.2, p0 = 2, gradient 0.5:
        // step 1: g' = 0.5 + 0.2 * 2 = 0.9; m = 0.45; v = 0.25 * 0.81 = 0.2025; bias corrections 0.5 and 0.25;
        //         p = 2 - (0.1 / 0.5) * 0.45 / (sqrt(0.2025) / sqrt(0.25) + 0.25) = 2 - 0.2 * 0.45 / 1.15 = 1.92173913043478...
        // step 2: g' = 0.5 + 0.2 p1 = 0.88434782...; m = 0.5 * 0.45 + 0.5 g' = 0.66717391...; v = 0.75 * 0.2025 + 0.25 g'^2
        //         = 0.34739276...; corrections 0.75 and 0.4375; p = p1 - (0.1 / 0.75) m / (sqrt(v / 0.4375) + 0.25) = 1.84378160...
        using var p = new TorchSharp.Modules.Parameter(tensor(2.0));
        using var optimiser = new ExplicitScalarAdam([p], learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 0.25, weightDecay: 0.2);

        ConstantGradientStep(optimiser, p);
        p.item<double>().Should().BeApproximately(1.9217391304347826, 1e-15);
        ConstantGradientStep(optimiser, p);
        p.item<double>().Should().BeApproximately(1.8437816025225866, 1e-15, "the gradient was zeroed, so step 2 sees 0.5 again");
    }

    [Fact]
    public void A_group_without_decay_takes_the_plain_adam_step_while_the_other_group_is_decayed()
    {
        using var scope = NewDisposeScope();
        // Same hyperparameters as the two-step test; q0 = 1 in a group with lambda = 0: g = 0.5, m = 0.25, v = 0.0625,
        // q = 1 - 0.2 * 0.25 / (0.25 / 0.5 + 0.25) = 1 - 0.05 / 0.75 = 0.93333...; p (lambda = 0.2) as in that test.
        using var p = new TorchSharp.Modules.Parameter(tensor(2.0));
        using var q = new TorchSharp.Modules.Parameter(tensor(1.0));
        using var optimiser = new ExplicitScalarAdam([new ParameterGroup([p], 0.2), new ParameterGroup([q], 0)],
            learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 0.25);

        ConstantGradientStep(optimiser, p, q);

        p.item<double>().Should().BeApproximately(1.9217391304347826, 1e-15);
        q.item<double>().Should().BeApproximately(1 - 0.05 / 0.75, 1e-15);
    }

    [Fact]
    public void A_parameter_first_given_a_gradient_at_the_second_step_takes_a_first_step()
    {
        using var scope = NewDisposeScope();
        // q has no gradient at step 1, so its step count stays 0 and its first update (step 2) uses the bias
        // corrections of t = 1: with lambda = 0.2 and q0 = 1, g' = 0.7, m = 0.35, v = 0.1225,
        // q = 1 - 0.2 * 0.35 / (0.35 / 0.5 + 0.25) = 1 - 0.07 / 0.95 = 0.926315789...
        using var p = new TorchSharp.Modules.Parameter(tensor(2.0));
        using var q = new TorchSharp.Modules.Parameter(tensor(1.0));
        using var optimiser = new ExplicitScalarAdam([p, q], learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 0.25, weightDecay: 0.2);

        ConstantGradientStep(optimiser, p);
        q.item<double>().Should().Be(1.0);
        ConstantGradientStep(optimiser, p, q);

        q.item<double>().Should().BeApproximately(1 - 0.07 / 0.95, 1e-15);
        p.item<double>().Should().BeApproximately(1.8437816025225866, 1e-15);
    }

    [Fact]
    public void Zeroing_sets_every_existing_gradient_to_zero()
    {
        using var scope = NewDisposeScope();
        using var p = new TorchSharp.Modules.Parameter(tensor(new double[] { 1, 2 }));
        using var optimiser = new ExplicitScalarAdam([p]);
        using (NewDisposeScope()) (p * 3).sum().backward();

        optimiser.ZeroGrad();

        p.grad!.data<double>().ToArray().Should().Equal(0.0, 0.0);
    }

    [Fact]
    public void A_disposed_optimiser_refuses_to_step_or_zero_and_may_be_disposed_again()
    {
        using var p = new TorchSharp.Modules.Parameter(tensor(2.0));
        var optimiser = new ExplicitScalarAdam([p]);
        optimiser.Dispose();

        FluentActions.Invoking(optimiser.Step).Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(ExplicitScalarAdam).FullName);
        FluentActions.Invoking(optimiser.ZeroGrad).Should().Throw<ObjectDisposedException>();
        FluentActions.Invoking(optimiser.Dispose).Should().NotThrow();
    }

    [Theory]
    [InlineData("learningRate", double.PositiveInfinity)]
    [InlineData("beta1", -0.1)]
    [InlineData("beta1", double.NaN)]
    [InlineData("beta2", 1.0)]
    [InlineData("epsilon", -1e-8)]
    [InlineData("epsilon", double.PositiveInfinity)]
    [InlineData("weightDecay", double.PositiveInfinity)]
    [InlineData("weightDecay", double.NaN)]
    public void A_hyperparameter_just_outside_its_range_is_rejected_with_its_value(string name, double value)
    {
        using var p = new TorchSharp.Modules.Parameter(ones(2));
        var act = () => new ExplicitScalarAdam([p],
            learningRate: name == "learningRate" ? value : 1e-3, beta1: name == "beta1" ? value : 0.9, beta2: name == "beta2" ? value : 0.999,
            epsilon: name == "epsilon" ? value : 1e-8, weightDecay: name == "weightDecay" ? value : 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(name).Which.ActualValue.Should().Be(value);
    }

    [Fact]
    public void Zero_is_a_valid_value_of_every_hyperparameter()
    {
        using var scope = NewDisposeScope();
        // lr = 0 leaves the parameter where it is; beta1 = beta2 = 0, eps = 0: m = g, v = g^2, so a step is lr sign(g).
        using var p = new TorchSharp.Modules.Parameter(tensor(2.0));
        using var frozen = new ExplicitScalarAdam([p], learningRate: 0, beta1: 0, beta2: 0, epsilon: 0, weightDecay: 0);
        ConstantGradientStep(frozen, p);
        p.item<double>().Should().Be(2.0);

        using var signed = new ExplicitScalarAdam([new ParameterGroup([p], 0)], learningRate: 0.125, beta1: 0, beta2: 0, epsilon: 0);
        ConstantGradientStep(signed, p);
        p.item<double>().Should().Be(1.875);
    }

    [Fact]
    public void A_null_parameter_or_parameter_list_is_rejected()
    {
        using var a = new TorchSharp.Modules.Parameter(ones(2));

        FluentActions.Invoking(() => new ExplicitScalarAdam([a, null!]))
            .Should().Throw<ArgumentException>().WithParameterName("parameters").WithMessage("Parameter 1 is null.*");
        FluentActions.Invoking(() => new ExplicitScalarAdam([new ParameterGroup([null!, a], 0)]))
            .Should().Throw<ArgumentException>().WithParameterName("groups").WithMessage("Parameter 0 is null.*");
        FluentActions.Invoking(() => new ParameterGroup(null!, 0)).Should().Throw<ArgumentNullException>().WithParameterName("parameters");
    }

    [Fact]
    public void Each_range_error_says_what_the_range_is()
    {
        using var p = new TorchSharp.Modules.Parameter(ones(2));

        FluentActions.Invoking(() => new ExplicitScalarAdam([p], learningRate: -1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("The learning rate must be finite and >= 0.*");
        FluentActions.Invoking(() => new ExplicitScalarAdam([p], beta1: -1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("beta1 must lie in [0, 1).*");
        FluentActions.Invoking(() => new ExplicitScalarAdam([p], beta2: 2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("beta2 must lie in [0, 1).*");
        FluentActions.Invoking(() => new ExplicitScalarAdam([p], epsilon: -1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("epsilon must be finite and >= 0.*");
        FluentActions.Invoking(() => new ExplicitScalarAdam([p], weightDecay: -1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("The weight decay must be finite and >= 0.*");
        FluentActions.Invoking(() => new ParameterGroup([p], -1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("The weight decay must be finite and >= 0.*");
    }

    [Fact]
    public void Disposing_frees_both_moment_estimates_of_every_parameter()
    {
        using var p = new TorchSharp.Modules.Parameter(ones(2));
        using var q = new TorchSharp.Modules.Parameter(ones(3));
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        var optimiser = new ExplicitScalarAdam([p, q]);
        TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before + 4, "m and v of p and q");
        optimiser.Dispose();

        TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount.Should().Be(before);
    }
}
