using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests;

public class TensorMatricesTests
{
    [Fact]
    public void A_float32_matrix_is_copied_row_major_into_a_double_array()
    {
        using var matrix = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);

        matrix.ToMatrix().Should().BeEquivalentTo(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
    }

    [Fact]
    public void Copying_inside_a_dispose_scope_leaves_no_intermediate_tensor_in_it()
    {
        using var matrix = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var scope = NewDisposeScope();

        _ = matrix.t().ToMatrix();

        scope.DisposablesCount.Should().Be(1, "only the transposed view made by the test itself remains");
    }

    [Fact]
    public void A_tensor_that_is_not_two_dimensional_is_rejected()
    {
        using var vector = zeros(3);

        var act = () => vector.ToMatrix();

        act.Should().Throw<ArgumentException>().WithParameterName("matrix");
    }
    [Fact]
    public void A_null_tensor_is_rejected()
    {
        var act = () => ((TorchSharp.torch.Tensor)null!).ToMatrix();

        act.Should().Throw<ArgumentNullException>().WithParameterName("matrix");
    }

    [Fact]
    public void The_shape_of_a_tensor_that_is_not_a_matrix_is_named()
    {
        using var cube = zeros(2, 1, 3);

        var act = () => cube.ToMatrix();

        act.Should().Throw<ArgumentException>().WithMessage("Expected a 2-D tensor, got shape (2, 1, 3).*");
    }

    [Fact]
    public void An_integer_matrix_is_converted_to_float64()
    {
        using var matrix = tensor(new long[] { 3, -4, 5, 1L << 40 }, [2, 2]);

        matrix.ToMatrix().Should().BeEquivalentTo(new double[,] { { 3, -4 }, { 5, 1099511627776 } });
    }
}
