using BalancedMultimodal.Distillation.Assessment;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

public class ModalityEvidenceTests
{
    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void An_empty_name_is_rejected(string? name)
    {
        var act = () => new ModalityEvidence(name!, 0.5, new double[3, 2]);

        act.Should().Throw<ArgumentException>().WithParameterName("name");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void A_non_finite_score_is_rejected_naming_the_modality(double score)
    {
        var act = () => new ModalityEvidence("rna", score, new double[3, 2]);

        act.Should().Throw<ArgumentException>().WithParameterName("score").WithMessage("The score of modality 'rna' must be finite*");
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(3, 0)]
    public void Empty_outputs_are_rejected_naming_the_shape(int rows, int columns)
    {
        var act = () => new ModalityEvidence("rna", 0.5, new double[rows, columns]);

        act.Should().Throw<ArgumentException>().WithParameterName("outputs").WithMessage($"The outputs of modality 'rna' are empty (shape {rows} x {columns}).*");
    }

    [Fact]
    public void Null_outputs_are_rejected()
    {
        var act = () => new ModalityEvidence("rna", 0.5, null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("outputs");
    }

    [Fact]
    public void The_evidence_keeps_its_name_score_and_outputs()
    {
        var outputs = new double[4, 2];
        var evidence = new ModalityEvidence("rna", -0.25, outputs);

        evidence.Name.Should().Be("rna");
        evidence.Score.Should().Be(-0.25);
        evidence.Outputs.Should().BeSameAs(outputs);
        evidence.Rows.Should().Be(4);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(1000)]
    public void IsAvailable_refuses_a_row_outside_the_outputs_when_every_row_is_available(int row)
    {
        var evidence = new ModalityEvidence("rna", 0.5, new double[4, 2]);

        var act = () => evidence.IsAvailable(row);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("row").WithMessage("Modality 'rna' has 4 rows; a row must lie in [0, 4).*");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void IsAvailable_refuses_a_row_outside_the_outputs_with_a_partial_mask_naming_row(int row)
    {
        var evidence = new ModalityEvidence("rna", 0.5, new double[4, 2], [true, false, true, true]);

        var act = () => evidence.IsAvailable(row);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("row").WithMessage("Modality 'rna' has 4 rows*");
        evidence.IsAvailable(1).Should().BeFalse();
        evidence.IsAvailable(3).Should().BeTrue();
    }

    [Fact]
    public void A_vector_tensor_becomes_one_column()
    {
        using var scope = NewDisposeScope();
        var evidence = ModalityEvidence.FromTensor("rna", 0.5, tensor(new[] { 1.5f, -2f, 0.25f }));

        evidence.Outputs.GetLength(0).Should().Be(3);
        evidence.Outputs.GetLength(1).Should().Be(1);
        evidence.Outputs[1, 0].Should().Be(-2);
    }

    [Fact]
    public void A_tensor_of_three_dimensions_is_rejected_naming_the_modality_and_shape()
    {
        using var scope = NewDisposeScope();
        var act = () => ModalityEvidence.FromTensor("rna", 0.5, zeros(2, 3, 4));

        act.Should().Throw<ArgumentException>().WithParameterName("outputs").WithMessage("*'rna'*[2, 3, 4]*");
    }

    [Fact]
    public void An_integer_tensor_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => ModalityEvidence.FromTensor("rna", 0.5, zeros(3, 2, dtype: ScalarType.Int64));

        act.Should().Throw<ArgumentException>().WithParameterName("outputs").WithMessage("*'rna'*floating point*Int64*");
    }

    [Fact]
    public void A_null_tensor_is_rejected()
    {
        var act = () => ModalityEvidence.FromTensor("rna", 0.5, null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("outputs");
    }
}
