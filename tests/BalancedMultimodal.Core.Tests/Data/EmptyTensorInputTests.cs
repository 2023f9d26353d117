using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>Tensors without elements get the library's own messages (TorchSharp refuses to read an empty tensor's data,
/// with an index error that names none of the caller's arguments).</summary>
public class EmptyTensorInputTests
{
    [Fact]
    public void A_modality_from_a_tensor_without_rows_or_columns_is_refused_naming_it()
    {
        using var scope = NewDisposeScope();

        var noRows = () => Modality.FromTensor("rna", zeros(0, 3, dtype: ScalarType.Float64));
        var noColumns = () => Modality.FromTensor("rna", zeros(4, 0, dtype: ScalarType.Float64));

        noRows.Should().Throw<ArgumentException>().WithMessage("Modality 'rna' has no rows; it needs at least one sample.*");
        noColumns.Should().Throw<ArgumentException>().WithMessage("Modality 'rna' has no columns; it needs at least one feature.*");
    }

    [Fact]
    public void A_dataset_from_tensors_without_rows_is_refused_naming_the_modality()
    {
        using var scope = NewDisposeScope();

        var act = () => MultimodalDataset.FromTensors(["rna", "meth"], [zeros(0, 3), zeros(0, 2)], zeros(0, dtype: ScalarType.Int64));

        act.Should().Throw<ArgumentException>().WithMessage("Modality 'rna' has no rows*");
    }

    [Fact]
    public void An_empty_label_tensor_is_refused_by_the_row_count_check_not_by_an_index_error()
    {
        using var scope = NewDisposeScope();

        var act = () => MultimodalDataset.FromTensors(["rna", "meth"], [ones(3, 2), ones(3, 2)], zeros(0, dtype: ScalarType.Int64));

        act.Should().Throw<ArgumentException>().Which.Should().NotBeOfType<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(2, 0)]
    [InlineData(0, 0)]
    public void An_empty_matrix_copies_to_an_empty_array_of_its_shape(int rows, int columns)
    {
        using var scope = NewDisposeScope();

        var matrix = zeros(rows, columns, dtype: ScalarType.Float32).ToMatrix();

        matrix.GetLength(0).Should().Be(rows);
        matrix.GetLength(1).Should().Be(columns);
    }
}
