using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Weighting;

/// <summary>The checks every weighter runs on its modality count, scores and losses.</summary>
public class WeighterArgumentTests
{
    public static TheoryData<string> Policies => new() { "uniform", "performance-gated", "ogm-ge", "uncertainty" };

    private static IModalityLossWeighter Create(string policy, int modalityCount = 2) => policy switch
    {
        "uniform" => new UniformWeighter(modalityCount),
        "performance-gated" => new PerformanceGatedWeighter(modalityCount, new PerformanceGatedWeighterOptions()),
        "ogm-ge" => new OgmGeWeighter(modalityCount, new OgmGeWeighterOptions()),
        _ => new UncertaintyWeighter(modalityCount, new UncertaintyWeighterOptions(), dtype: ScalarType.Float64),
    };

    [Theory]
    [InlineData("uniform")]
    [InlineData("performance-gated")]
    [InlineData("uncertainty")]
    public void Zero_modalities_are_rejected(string policy)
    {
        var act = () => Create(policy, 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("modalityCount");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void The_weighter_reports_its_name_count_and_initial_weights(string policy)
    {
        var weighter = Create(policy, 3);

        weighter.Name.Should().Be(policy);
        weighter.ModalityCount.Should().Be(3);
        weighter.Weights.Should().Equal(1.0, 1.0, 1.0);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Null_scores_are_rejected(string policy)
    {
        var act = () => Create(policy).Update(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("scores");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_wrong_number_of_scores_is_rejected_naming_both_counts(string policy)
    {
        var act = () => Create(policy).Update([0.5, 0.6, 0.7]);

        act.Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("Expected 2 scores (one per modality); got 3.*");
    }

    [Theory]
    [InlineData("uniform", double.NaN)]
    [InlineData("performance-gated", double.PositiveInfinity)]
    [InlineData("ogm-ge", double.NaN)]
    [InlineData("uncertainty", -0.5)]
    public void A_score_that_is_not_finite_and_non_negative_is_rejected_naming_the_modality(string policy, double bad)
    {
        var act = () => Create(policy).Update([0.5, bad]);

        act.Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("The score of modality 1 must be a finite number >= 0*");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Null_losses_are_rejected(string policy)
    {
        var act = () => Create(policy).WeightedLoss(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("modalityLosses");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_wrong_number_of_losses_is_rejected(string policy)
    {
        using var scope = NewDisposeScope();
        var act = () => Create(policy).WeightedLoss([tensor(1.0)]);

        act.Should().Throw<ArgumentException>().WithParameterName("modalityLosses").WithMessage("Expected 2 losses (one per modality); got 1.*");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_null_loss_is_rejected_naming_the_modality(string policy)
    {
        using var scope = NewDisposeScope();
        var act = () => Create(policy).WeightedLoss([tensor(1.0), null!]);

        act.Should().Throw<ArgumentNullException>().WithParameterName("modalityLosses").WithMessage("The loss of modality 1 is null*");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_loss_that_is_not_a_scalar_is_rejected_naming_the_modality(string policy)
    {
        using var scope = NewDisposeScope();
        var act = () => Create(policy).WeightedLoss([tensor(1.0), tensor(new[] { 1.0, 2.0 })]);

        act.Should().Throw<ArgumentException>().WithParameterName("modalityLosses").WithMessage("The loss of modality 1 must be a scalar tensor; it has shape [2]*");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void An_integer_loss_is_rejected_naming_the_modality(string policy)
    {
        using var scope = NewDisposeScope();
        var act = () => Create(policy).WeightedLoss([tensor(1.0), tensor(2L)]);

        act.Should().Throw<ArgumentException>().WithParameterName("modalityLosses").WithMessage("The loss of modality 1 must be floating point*Int64*");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void One_element_losses_of_one_dtype_give_a_scalar_in_that_dtype(string policy)
    {
        using var scope = NewDisposeScope();
        var loss = Create(policy, 3).WeightedLoss([tensor(new[] { 0.5 }), tensor(1.5), tensor(new[] { 2.0 })]);

        loss.shape.Should().BeEmpty();
        loss.dtype.Should().Be(ScalarType.Float64);
        loss.item<double>().Should().Be(4.0, "every initial weight is 1");
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Losses_of_different_dtypes_are_refused_naming_the_first_modality_that_differs(string policy)
    {
        // Before, the sum was formed in the first loss's dtype: [float32 0.7345679, float64 1.2345678912345] gave
        // float32 1.96913576, the float64 loss rounded to float32 without a word.
        using var scope = NewDisposeScope();
        var weighter = Create(policy, 3);
        var single = tensor(0.7345679f);
        var dbl = tensor(1.2345678912345);

        var act = () => weighter.WeightedLoss([single, dbl, tensor(0.5)]);
        var reversed = () => weighter.WeightedLoss([dbl, tensor(0.5), single]);

        act.Should().Throw<ArgumentException>().WithParameterName("modalityLosses")
            .WithMessage("The loss of modality 1 (modalityLosses[1]) is Float64; modality 0's is Float32*");
        reversed.Should().Throw<ArgumentException>().WithParameterName("modalityLosses")
            .WithMessage("The loss of modality 2 (modalityLosses[2]) is Float32; modality 0's is Float64*");
    }

    [Theory]
    [InlineData("uniform")]
    [InlineData("performance-gated")]
    [InlineData("uncertainty")]
    public void A_single_modality_and_a_zero_score_are_accepted(string policy)
    {
        var weighter = Create(policy, 1);

        weighter.Update([0.0]);

        weighter.Weights.Should().Equal(1.0);
    }
}
