using BalancedMultimodal.Distillation.Losses;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

/// <summary>The temperature's range: T^2, the KL term's factor, must be a finite positive normal double (options and the
/// functional form alike, naming the temperature), and logits that overflow their dtype once divided by T are refused
/// naming the temperature and the dtype instead of giving NaN; usual temperatures give the same bits as before.</summary>
public class TemperatureRangeTests
{
    private static readonly long[] Labels = [0, 1, 1, 0];

    private static Tensor Logits(ulong seed, ScalarType dtype = ScalarType.Float32)
    {
        using var generator = new Generator(seed);
        return (randn(4, 3, generator: generator) * 30).to(dtype);   // |z| of tens: beyond float32 once divided by 1e-38
    }

    [Theory]
    [InlineData(1e200)]     // T^2 overflows to infinity: the "factor" error of an internal helper before
    [InlineData(1.35e154)]  // just above sqrt(double.MaxValue)
    [InlineData(1e-160)]    // T^2 = 1e-320 is subnormal
    [InlineData(1e-320)]    // T^2 = 0
    public void The_options_validator_refuses_a_temperature_whose_square_is_not_a_positive_normal_double(double temperature)
    {
        var result = new DistillationLossOptionsValidator().Validate(null, new DistillationLossOptions { Temperature = temperature });

        result.Failures.Should().ContainSingle().Which.Should()
            .StartWith("DistillationLossOptions.Temperature must have a square T^2, the KL term's factor, that is a finite positive normal double");
    }

    [Theory]
    [InlineData(1.3e154)]
    [InlineData(1.5e-154)]
    [InlineData(20.0)]
    public void Temperatures_whose_square_is_a_normal_double_are_valid(double temperature)
    {
        new DistillationLossOptionsValidator().Validate(null, new DistillationLossOptions { Temperature = temperature }).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Compute_refuses_options_changed_to_such_a_temperature_naming_the_option()
    {
        using var scope = NewDisposeScope();
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions { RepresentationWeight = 0 });
        loss.Options.Temperature = 1e200;

        var act = () => loss.Compute(Logits(1), null, Logits(2), null, tensor(Labels), ones(4, dtype: ScalarType.Bool));

        act.Should().Throw<ArgumentException>().WithParameterName("Options").WithMessage("DistillationLossOptions.Temperature must have a square T^2*");
    }

    [Theory]
    [InlineData(1e200)]
    [InlineData(1e-320)]
    public void The_functional_kl_refuses_such_a_temperature_naming_it(double temperature)
    {
        using var scope = NewDisposeScope();
        var act = () => DistillationLoss.KullbackLeiblerBatchMean(Logits(1, ScalarType.Float64), Logits(2, ScalarType.Float64), temperature);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("temperature").WithMessage("The temperature must have a square T^2*");
    }

    [Fact]
    public void The_functional_kl_refuses_float32_logits_that_overflow_once_divided_by_the_temperature()
    {
        using var scope = NewDisposeScope();
        var act = () => DistillationLoss.KullbackLeiblerBatchMean(Logits(1), Logits(2), 1e-38);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("temperature")
            .WithMessage("The KL term is not finite at temperature T = 1E-38: the logits divided by T*overflow Float32*");
    }

    [Fact]
    public void Compute_refuses_float32_logits_that_overflow_once_divided_by_the_temperature_naming_it_and_the_dtype()
    {
        using var scope = NewDisposeScope();
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions { RepresentationWeight = 0, Temperature = 1e-38 });

        var act = () => loss.Compute(Logits(1), null, Logits(2), null, tensor(Labels), ones(4, dtype: ScalarType.Bool));

        act.Should().Throw<ArgumentException>().WithParameterName("studentLogits")
            .WithMessage("The KL term is not finite at DistillationLossOptions.Temperature T = 1E-38: *overflow Float32*");
    }

    [Fact]
    public void The_same_temperature_is_accepted_for_float64_logits()
    {
        using var scope = NewDisposeScope();
        var kl = DistillationLoss.KullbackLeiblerBatchMean(Logits(1, ScalarType.Float64), Logits(2, ScalarType.Float64), 1e-38);

        double.IsFinite(kl.item<double>()).Should().BeTrue();
    }

    [Theory]
    [InlineData(ScalarType.Float32, 2.0)]
    [InlineData(ScalarType.Float64, 4.0)]
    [InlineData(ScalarType.Float64, 0.5)]
    public void Usual_temperatures_give_exactly_the_formulas_bits(ScalarType dtype, double temperature)
    {
        using var scope = NewDisposeScope();
        var student = Logits(3, dtype);
        var teacher = Logits(4, dtype);

        var kl = DistillationLoss.KullbackLeiblerBatchMean(student, teacher, temperature);
        var expected = nn.functional.kl_div(nn.functional.log_softmax(student / temperature, 1), nn.functional.log_softmax(teacher / temperature, 1),
            log_target: true, reduction: nn.Reduction.Sum) * (temperature * temperature / 4);

        kl.eq(expected).item<bool>().Should().BeTrue();
    }
}
