using BalancedMultimodal.Distillation.Losses;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Losses;

/// <summary><see cref="DistillationLossOptionsValidator"/> and <see cref="DistillationLossFactory"/>'s handling of the options.</summary>
public class DistillationLossOptionsTests
{
    private static ValidateOptionsResult Validate(DistillationLossOptions options) =>
        new DistillationLossOptionsValidator().Validate(null, options);

    [Fact]
    public void Zero_weights_are_valid_as_long_as_one_is_positive()
    {
        Validate(new DistillationLossOptions { CrossEntropyWeight = 0, KullbackLeiblerWeight = 0, RepresentationWeight = 0.1 }).Succeeded.Should().BeTrue();
        Validate(new DistillationLossOptions { CrossEntropyWeight = 0, KullbackLeiblerWeight = 1, RepresentationWeight = 0 }).Succeeded.Should().BeTrue();
        Validate(new DistillationLossOptions { CrossEntropyWeight = 1, KullbackLeiblerWeight = 0, RepresentationWeight = 0 }).Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData(double.NaN, 1, 0.1, "DistillationLossOptions.CrossEntropyWeight must be a finite number >= 0 (was NaN)")]
    [InlineData(1, double.PositiveInfinity, 0.1, "DistillationLossOptions.KullbackLeiblerWeight must be a finite number >= 0 (was ")]
    [InlineData(1, 1, double.NaN, "DistillationLossOptions.RepresentationWeight must be a finite number >= 0 (was NaN)")]
    public void A_non_finite_weight_is_rejected_naming_it(double a1, double a2, double a3, string message)
    {
        var result = Validate(new DistillationLossOptions { CrossEntropyWeight = a1, KullbackLeiblerWeight = a2, RepresentationWeight = a3 });

        result.Failures.Should().ContainSingle().Which.Should().Contain(message);
    }

    [Fact]
    public void All_zero_weights_are_rejected_naming_each_weight_with_its_options_class()
    {
        Validate(new DistillationLossOptions { CrossEntropyWeight = 0, KullbackLeiblerWeight = 0, RepresentationWeight = 0 }).Failures.Should().Equal(
            "DistillationLossOptions.CrossEntropyWeight, DistillationLossOptions.KullbackLeiblerWeight and DistillationLossOptions.RepresentationWeight are all 0; at least one must be positive.");
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void A_non_finite_temperature_is_rejected(double temperature)
    {
        Validate(new DistillationLossOptions { Temperature = temperature }).Failures.Should().ContainSingle()
            .Which.Should().StartWith("DistillationLossOptions.Temperature must be a finite number > 0");
    }

    [Fact]
    public void A_small_positive_temperature_is_valid()
    {
        Validate(new DistillationLossOptions { Temperature = 1e-3 }).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void An_undefined_representation_kind_is_rejected_naming_its_value()
    {
        Validate(new DistillationLossOptions { Representation = (RepresentationLossKind)4 }).Failures.Should().ContainSingle()
            .Which.Should().Contain("Representation must be ProjectedMse or Cosine (was 4)");
    }

    [Fact]
    public void Every_failure_is_reported_in_one_exception()
    {
        var act = () => new DistillationLossFactory(new DistillationLossOptions { CrossEntropyWeight = -1, Temperature = 0 });

        act.Should().Throw<ArgumentException>().WithParameterName("options")
            .WithMessage("*CrossEntropyWeight*(was -1).*Temperature*(was 0).*");
    }

    [Fact]
    public void The_validator_rejects_null_options()
    {
        var act = () => new DistillationLossOptionsValidator().Validate(null, null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Null_options_are_rejected()
    {
        var direct = () => new DistillationLossFactory((DistillationLossOptions)null!);
        var monitored = () => new DistillationLossFactory((IOptions<DistillationLossOptions>)null!);

        direct.Should().Throw<ArgumentNullException>().WithParameterName("options");
        monitored.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void The_factory_gives_each_loss_its_own_copy_of_every_option()
    {
        var options = new DistillationLossOptions
        {
            CrossEntropyWeight = 0.3, KullbackLeiblerWeight = 0.7, RepresentationWeight = 0.2, Temperature = 3.5,
            Representation = RepresentationLossKind.Cosine,
        };
        var factory = new DistillationLossFactory(Options.Create(options));

        using var loss = factory.Create(4, 3);

        factory.Options.Should().BeSameAs(options);
        loss.Options.Should().NotBeSameAs(options).And.BeEquivalentTo(options);
        loss.StudentDimension.Should().Be(4);
        loss.TeacherDimension.Should().Be(3);
        loss.Options.Temperature = 9;
        options.Temperature.Should().Be(3.5);
    }

    [Fact]
    public void The_factory_rejects_a_dimension_below_one()
    {
        var act = () => new DistillationLossFactory(new DistillationLossOptions()).Create(2, 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("teacherDimension");
    }
}
