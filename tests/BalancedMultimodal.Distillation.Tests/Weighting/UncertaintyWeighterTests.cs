using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Weighting;

public class UncertaintyWeighterTests
{
    [Fact]
    public void The_log_variances_survive_the_dispose_scope_the_weighter_was_built_in()
    {
        UncertaintyWeighter weighter;
        using (NewDisposeScope())
            weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = 0.2 }, dtype: ScalarType.Float64);
        using var owned = weighter;

        weighter.LogVariances.IsInvalid.Should().BeFalse();
        weighter.Weights.Should().Equal([Math.Exp(-0.2), Math.Exp(-0.2)], (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Theory]
    [InlineData(ScalarType.Float32, -100.0)]
    [InlineData(ScalarType.Float64, -800.0)]
    public void A_log_variance_that_has_diverged_under_a_zero_loss_is_refused_naming_the_modality(ScalarType dtype, double s)
    {
        // A loss of exactly 0 (a fitted training set in float32) lets s fall each step until exp(-s) overflows and
        // 0 * infinity made the loss and every gradient NaN, silently.
        using var scope = NewDisposeScope();
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: dtype);
        using (no_grad())
            weighter.LogVariances.copy_(tensor(new[] { 0.0, s }).to(dtype));

        var act = () => weighter.WeightedLoss([tensor(1.0).to(dtype), tensor(0.0).to(dtype)]);

        act.Should().Throw<InvalidOperationException>().WithMessage("Modality 1's uncertainty weight has diverged: its loss is exactly 0, so its log-variance s = *");
    }

    [Fact]
    public void A_large_finite_loss_that_overflows_is_refused_as_an_overflow_not_a_divergence()
    {
        using var scope = NewDisposeScope();
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: ScalarType.Float32);
        using (no_grad())
            weighter.LogVariances.copy_(tensor(new[] { 0.0f, -1.0f }));

        var act = () => weighter.WeightedLoss([tensor(1.0f), tensor(2e38f)]);

        act.Should().Throw<InvalidOperationException>().WithMessage("Modality 1's term exp(-s) L + s overflows Float32 (log-variance s = -1, loss 2E+38)*");
    }

    [Fact]
    public void Weighted_loss_is_sum_of_exp_minus_s_times_loss_plus_s()
    {
        using var scope = NewDisposeScope();
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: ScalarType.Float64);
        using (no_grad())
            weighter.LogVariances.copy_(tensor(new[] { 0.5, -1.0 }));

        var loss = weighter.WeightedLoss([tensor(2.0), tensor(0.3)]);

        loss.item<double>().Should().BeApproximately(Math.Exp(-0.5) * 2.0 + 0.5 + Math.Exp(1.0) * 0.3 - 1.0, 1e-14);
        weighter.Weights.Should().Equal([Math.Exp(-0.5), Math.Exp(1.0)], (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Fact]
    public void The_log_variances_receive_the_gradient_one_minus_exp_minus_s_times_loss()
    {
        using var scope = NewDisposeScope();
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = 0.2 }, dtype: ScalarType.Float64);
        var losses = new[] { tensor(2.0, requires_grad: true), tensor(0.5, requires_grad: true) };

        weighter.WeightedLoss(losses).backward();

        weighter.LogVariances.grad!.data<double>().ToArray().Should().Equal(
            [1 - Math.Exp(-0.2) * 2.0, 1 - Math.Exp(-0.2) * 0.5], (a, b) => Math.Abs(a - b) < 1e-14);
        losses[0].grad!.item<double>().Should().BeApproximately(Math.Exp(-0.2), 1e-14);
    }

    [Fact]
    public void Training_the_log_variances_drives_each_weight_to_the_inverse_loss()
    {
        using var scope = NewDisposeScope();
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: ScalarType.Float64);
        var optimiser = optim.Adam(weighter.TrainableParameters, 0.05);
        for (int step = 0; step < 600; step++)
        {
            using var stepScope = NewDisposeScope();
            optimiser.zero_grad();
            weighter.WeightedLoss([tensor(4.0), tensor(0.25)]).backward();
            optimiser.step();
        }

        weighter.Weights[0].Should().BeApproximately(0.25, 0.01);
        weighter.Weights[1].Should().BeApproximately(4.0, 0.1);
    }

    [Fact]
    public void Update_does_not_change_the_learned_weights_but_validates_scores()
    {
        var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions());
        weighter.Update([0.9, 0.1]);

        weighter.Weights.Should().Equal(1.0, 1.0);
        var act = () => weighter.Update([0.9]);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void The_log_variances_are_the_trainable_parameters_of_the_module()
    {
        var weighter = new UncertaintyWeighter(3, new UncertaintyWeighterOptions());

        weighter.TrainableParameters.Should().ContainSingle().Which.shape.Should().Equal(3);
        weighter.parameters().Should().HaveCount(1);
    }

    [Fact]
    public void A_non_floating_dtype_is_rejected()
    {
        var act = () => new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: ScalarType.Int32);

        act.Should().Throw<ArgumentException>().WithParameterName("dtype").WithMessage("*floating type*Int32*");
    }

    [Theory]
    [InlineData(ScalarType.Float16, 1e6, "is beyond the largest finite Float16 value 65504")]
    [InlineData(ScalarType.BFloat16, 1e39, "is beyond the largest finite BFloat16 value")]
    [InlineData(ScalarType.Float32, 1e39, "is beyond the largest finite Float32 value")]
    [InlineData(ScalarType.Float32, -1e39, "is beyond the largest finite Float32 value")]
    [InlineData(ScalarType.Float16, -12.0, "(stored as -12 in Float16) gives every modality the weight exp(-s) = 162754.791, beyond the largest finite Float16 value 65504: use s > -ln(65504) = -11.0898665, rounded in Float16.")]
    [InlineData(ScalarType.Float16, -11.089866488461016, "(stored as -11.09375 in Float16) gives every modality the weight exp(-s)*")]
    [InlineData(ScalarType.Float32, -88.72283905206835, "(stored as -88.7228394 in Float32) gives every modality the weight exp(-s)*")]
    [InlineData(ScalarType.Float64, -710.0, "gives every modality the weight exp(-s)*beyond the largest finite Float64 value")]
    [InlineData(ScalarType.Float16, 65504.0, ": the weighted loss adds the 2 log-variances, 2 x 65504 (|s| as Float16 stores it), beyond the largest finite Float16 value 65504: use an s that Float16 stores at |s| <= 32752.")]
    [InlineData(ScalarType.Float16, 32761.0, ": the weighted loss adds the 2 log-variances, 2 x 32768 (|s| as Float16 stores it)*")]
    [InlineData(ScalarType.Float32, 3e38, ": the weighted loss adds the 2 log-variances*")]
    public void An_initial_log_variance_the_dtype_cannot_hold_is_rejected_naming_the_option(ScalarType dtype, double s, string reason)
    {
        // The validator checks finiteness only (the dtype and M are not options); 1e39 in float32 was an unnamed
        // ExternalException from libtorch's conversion, -100 gave infinite weights, and s at -ln(max) is stored rounded
        // beyond it in float16 and float32 (infinite weights), while 2 x 3e38 overflowed the first weighted loss.
        var act = () => new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = s }, dtype: dtype);

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage($"UncertaintyWeighterOptions.InitialLogVariance = *{reason}*");
    }

    [Theory]
    [InlineData(ScalarType.Float16, -10.0)]
    [InlineData(ScalarType.Float16, 32752.0)]
    [InlineData(ScalarType.Float32, -88.0)]
    [InlineData(ScalarType.Float32, 1.5e38)]
    [InlineData(ScalarType.BFloat16, -88.0)]
    [InlineData(ScalarType.Float64, -709.0)]
    public void An_initial_log_variance_inside_the_dtypes_range_gives_finite_weights_and_a_finite_first_loss(ScalarType dtype, double s)
    {
        using var scope = NewDisposeScope();
        using var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = s }, dtype: dtype);

        weighter.Weights.Should().OnlyContain(w => double.IsFinite(w));
        var loss = weighter.WeightedLoss([tensor(0.5).to(dtype), tensor(0.7).to(dtype)]);
        double.IsFinite(loss.to(ScalarType.Float64).item<double>()).Should().BeTrue();
    }

    [Fact]
    public void A_non_finite_initial_log_variance_is_rejected_naming_the_option()
    {
        var act = () => new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = double.NaN });

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("*InitialLogVariance must be finite*");
    }

    [Fact]
    public void The_validators_message_names_the_option_with_its_class()
    {
        // The class-qualified name is what the CLI maps to the option's path in its configuration file.
        var result = new UncertaintyWeighterOptionsValidator().Validate(null, new UncertaintyWeighterOptions { InitialLogVariance = double.NaN });

        result.Failures.Should().Equal("UncertaintyWeighterOptions.InitialLogVariance must be finite (was NaN).");
    }

    [Fact]
    public void The_log_variances_start_at_the_initial_value_in_the_requested_dtype()
    {
        using var weighter = new UncertaintyWeighter(3, Microsoft.Extensions.Options.Options.Create(new UncertaintyWeighterOptions { InitialLogVariance = -0.5 }),
            dtype: ScalarType.Float64);

        weighter.LogVariances.dtype.Should().Be(ScalarType.Float64);
        weighter.LogVariances.data<double>().ToArray().Should().Equal(-0.5, -0.5, -0.5);
        weighter.Weights.Should().Equal([Math.Exp(0.5), Math.Exp(0.5), Math.Exp(0.5)], (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Fact]
    public void The_options_monitor_constructor_rejects_null()
    {
        var act = () => new UncertaintyWeighter(2, (Microsoft.Extensions.Options.IOptions<UncertaintyWeighterOptions>)null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void Half_precision_log_variances_are_accepted(ScalarType dtype)
    {
        using var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions(), dtype: dtype);

        weighter.LogVariances.dtype.Should().Be(dtype);
        weighter.Weights.Should().Equal(1.0, 1.0);
    }

    [Fact]
    public void Losses_of_another_dtype_than_the_log_variances_are_refused_naming_both_dtypes()
    {
        // Created without a dtype, the log-variances are float32: float64 losses were weighted with exp(-s) of s = 0.3
        // stored as 0.30000001192, silently.
        using var scope = NewDisposeScope();
        using var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = 0.3 });

        var act = () => weighter.WeightedLoss([tensor(1.0), tensor(2.0)]);

        act.Should().Throw<ArgumentException>().WithParameterName("modalityLosses")
            .WithMessage("The losses are Float64 but the log-variances are Float32; construct the weighter with dtype: Float64*.to(Float64)*");
    }

    [Fact]
    public void A_weighter_of_the_losses_dtype_or_converted_to_it_computes_in_that_dtype()
    {
        using var scope = NewDisposeScope();
        using var created = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = 0.3 }, dtype: ScalarType.Float64);
        using var converted = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = 0.3 }).to(ScalarType.Float64);
        static double Expected(double s) => Math.Exp(-s) * 1.0 + s + Math.Exp(-s) * 2.0 + s;

        // Created in float64, s = 0.3 exactly as a double; converted, the float32 initial value 0.3f widened.
        foreach (var (weighter, s) in new[] { (created, 0.3), (converted, (double)0.3f) })
        {
            weighter.LogVariances.dtype.Should().Be(ScalarType.Float64);
            var loss = weighter.WeightedLoss([tensor(1.0), tensor(2.0)]);
            loss.dtype.Should().Be(ScalarType.Float64);
            loss.item<double>().Should().BeApproximately(Expected(s), 1e-15);
        }
    }

    [Fact]
    public void Without_a_dtype_the_initial_log_variance_is_judged_in_float32_the_dtype_of_the_log_variances()
    {
        // exp(100) is finite in float64 but not in float32, the log-variances' default dtype.
        var act = () => new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = -100 });

        act.Should().Throw<ArgumentException>().WithParameterName("options")
            .WithMessage("*(stored as -100 in Float32) gives every modality the weight exp(-s)*");
    }

    [Fact]
    public void The_sum_of_the_M_log_variances_is_judged_on_s_as_the_dtype_stores_it()
    {
        // Float16 stores 32753 as 32752, and 2 x 32752 = 65504 is its largest finite value: the first loss is finite.
        using var scope = NewDisposeScope();
        using var weighter = new UncertaintyWeighter(2, new UncertaintyWeighterOptions { InitialLogVariance = 32753 }, dtype: ScalarType.Float16);

        var loss = weighter.WeightedLoss([tensor(0.5).to(ScalarType.Float16), tensor(0.7).to(ScalarType.Float16)]);

        loss.to(ScalarType.Float64).item<double>().Should().Be(65504);
    }
}
