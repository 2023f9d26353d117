using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Losses;

/// <summary>A row count that disagrees with the one the other inputs share is blamed on the tensor that holds it:
/// fusedLogits too, which used to set n and so made every other input look wrong.</summary>
public class MultitaskLossRowCountTests
{
    private static MultitaskLossTerms Compute(long fusedRows, long modalityRows, long labelRows) =>
        new MultitaskLoss(new UniformWeighter(2)).Compute(zeros(fusedRows, 2), [zeros(modalityRows, 2), zeros(4, 2)],
            zeros(labelRows, dtype: ScalarType.Int64), ones(4, dtype: ScalarType.Bool));

    [Fact]
    public void Fused_logits_with_another_row_count_than_labels_mask_and_modality_logits_are_blamed()
    {
        using var scope = NewDisposeScope();
        var act = () => Compute(fusedRows: 3, modalityRows: 4, labelRows: 4);

        act.Should().Throw<ArgumentException>().WithParameterName("fusedLogits").WithMessage("fusedLogits has 3 rows; expected 4 (one per sample).*");
    }

    [Fact]
    public void Modality_logits_with_another_row_count_are_blamed_naming_the_modality()
    {
        using var scope = NewDisposeScope();
        var act = () => Compute(fusedRows: 4, modalityRows: 5, labelRows: 4);

        act.Should().Throw<ArgumentException>().WithParameterName("modalityLogits[0]").WithMessage("modalityLogits[0] has 5 rows; expected 4*");
    }

    [Fact]
    public void Labels_with_another_row_count_are_blamed()
    {
        using var scope = NewDisposeScope();
        var act = () => Compute(fusedRows: 4, modalityRows: 4, labelRows: 6);

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("labels must be a 1-D int64 tensor of length 4*");
    }
}
