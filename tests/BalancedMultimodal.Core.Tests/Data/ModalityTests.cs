using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Data;

public class ModalityTests
{
    private static readonly double[,] Values = { { 1, 2, 3 }, { 4, 5, 6 } };

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void A_blank_name_is_rejected(string? name)
    {
        var act = () => new Modality(name!, Values);

        act.Should().Throw<ArgumentException>().WithParameterName("name").WithMessage("A modality needs a non-empty name.*");
    }

    [Fact]
    public void Null_values_are_rejected()
    {
        var act = () => new Modality("m", (double[,])null!);
        var actSingle = () => new Modality("m", (float[,])null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("values");
        actSingle.Should().Throw<ArgumentNullException>().WithParameterName("values");
    }

    [Fact]
    public void A_modality_without_rows_is_rejected_naming_it()
    {
        var act = () => new Modality("rna", new double[0, 3]);

        act.Should().Throw<ArgumentException>().WithParameterName("values").WithMessage("Modality 'rna' has no rows; it needs at least one sample.*");
    }

    [Fact]
    public void A_single_value_is_a_valid_modality()
    {
        var modality = new Modality("one", new double[,] { { 7 } });

        modality.SampleCount.Should().Be(1);
        modality.FeatureCount.Should().Be(1);
        modality[0, 0].Should().Be(7);
    }

    [Fact]
    public void Feature_names_must_number_the_columns_and_none_may_be_null()
    {
        var tooFew = () => new Modality("rna", Values, new[] { "a", "b" });
        var nullName = () => new Modality("rna", Values, new[] { "a", null!, "c" });

        tooFew.Should().Throw<ArgumentException>().WithParameterName("featureNames").WithMessage("Modality 'rna' has 3 features but 2 feature names.*");
        nullName.Should().Throw<ArgumentException>().WithParameterName("featureNames").WithMessage("Modality 'rna': feature name at column 1 is null.*");
    }

    [Fact]
    public void Feature_names_are_copied()
    {
        var names = new[] { "a", "b", "c" };
        var modality = new Modality("rna", Values, names);
        names[0] = "changed";

        modality.FeatureNames.Should().Equal("a", "b", "c");
    }

    [Fact]
    public void The_availability_mask_must_have_one_entry_per_row_and_mark_one_available()
    {
        var wrongLength = () => new Modality("rna", Values, availability: new[] { true });
        var allMissing = () => new Modality("rna", Values, availability: new[] { false, false });

        wrongLength.Should().Throw<ArgumentException>().WithParameterName("availability")
            .WithMessage("Modality 'rna' has 2 rows but its availability mask has 1 entries.*");
        allMissing.Should().Throw<ArgumentException>().WithParameterName("availability")
            .WithMessage("Modality 'rna' is missing for every sample; at least one row must be available.*");
    }

    [Fact]
    public void Availability_is_reported_per_row_and_without_a_mask_every_row_is_available()
    {
        var partial = new Modality("rna", new double[,] { { double.NaN, 1 }, { 2, 3 }, { 4, double.PositiveInfinity } }, availability: new[] { false, true, false });
        var full = new Modality("rna", Values);

        partial.Availability.Should().Equal(false, true, false);
        partial.AvailableCount.Should().Be(1);
        full.Availability.Should().Equal(true, true);
        full.AvailableCount.Should().Be(2);
        full.HasMissingRows.Should().BeFalse();
    }

    [Fact]
    public void An_infinite_value_on_an_available_row_is_rejected_with_its_position_and_value()
    {
        var values = new double[,] { { double.NaN, 1 }, { 2, double.NegativeInfinity } };

        var act = () => new Modality("rna", values, availability: new[] { false, true });

        act.Should().Throw<ArgumentException>().WithParameterName("values").WithMessage("Modality 'rna': value at row 1, column 1 is -Infinity; values must be finite*");
    }

    [Fact]
    public void A_float32_matrix_is_widened_exactly()
    {
        var modality = new Modality("f", new float[,] { { 0.1f, 2 }, { 3, 4 }, { 5, 6 } });

        modality.Values.ToArray().Should().Equal((double)0.1f, 2, 3, 4, 5, 6);
    }

    [Fact]
    public void Rows_and_columns_outside_the_matrix_are_rejected()
    {
        var modality = new Modality("rna", Values);

        ((Action)(() => _ = modality[2, 0])).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("row");
        ((Action)(() => _ = modality[-1, 0])).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("row");
        ((Action)(() => _ = modality[0, 3])).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("column");
        ((Action)(() => _ = modality[0, -1])).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("column");
        ((Action)(() => modality.GetRow(2))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("row");
        ((Action)(() => modality.GetRow(-1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("row");
        ((Action)(() => modality.IsAvailable(2))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("row");
        ((Action)(() => modality.IsAvailable(-1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("row");
        ((Action)(() => _ = modality[2, 0])).Should().Throw<ArgumentOutOfRangeException>().WithMessage("Row must lie in [0, 2).*");
        ((Action)(() => _ = modality[0, 3])).Should().Throw<ArgumentOutOfRangeException>().WithMessage("Column must lie in [0, 3).*");
        ((Action)(() => modality.GetRow(2))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("Row must lie in [0, 2).*");
    }

    [Fact]
    public void The_last_cell_and_row_are_read_from_the_row_major_values()
    {
        var modality = new Modality("rna", Values);

        modality[1, 2].Should().Be(6);
        modality[1, 0].Should().Be(4);
        modality.GetRow(1).ToArray().Should().Equal(4, 5, 6);
        modality.ToArray().Should().BeEquivalentTo(Values);
    }

    [Fact]
    public void From_tensor_copies_any_floating_dtype_and_keeps_names_and_availability()
    {
        using var scope = NewDisposeScope();
        var values = tensor(new double[] { 1, 2, 3, 4 }, [2, 2]).to(ScalarType.Float16);

        var modality = Modality.FromTensor("h", values, new[] { "a", "b" }, new[] { true, false });

        modality.ToArray().Should().BeEquivalentTo(new double[,] { { 1, 2 }, { 3, 4 } });
        modality.FeatureNames.Should().Equal("a", "b");
        modality.Availability.Should().Equal(true, false);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void From_tensor_accepts_every_floating_dtype(ScalarType dtype)
    {
        using var scope = NewDisposeScope();

        var modality = Modality.FromTensor("x", tensor(new double[] { 0.5, -2 }, [2, 1]).to(dtype));

        modality.Values.ToArray().Should().Equal(0.5, -2);
    }

    [Theory]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Bool)]
    [InlineData(ScalarType.ComplexFloat32)]
    public void From_tensor_rejects_a_dtype_that_is_not_real_floating_point(ScalarType dtype)
    {
        using var scope = NewDisposeScope();

        var act = () => Modality.FromTensor("x", zeros(2, 2).to(dtype));

        act.Should().Throw<ArgumentException>().WithParameterName("values").WithMessage($"Modality 'x': expected a floating-point tensor, got {dtype}.*");
    }

    [Fact]
    public void From_tensor_rejects_null_and_tensors_that_are_not_matrices()
    {
        using var scope = NewDisposeScope();

        var act = () => Modality.FromTensor("x", zeros(2, 2, 1));
        var actNull = () => Modality.FromTensor("x", null!);

        act.Should().Throw<ArgumentException>().WithParameterName("values").WithMessage("Modality 'x': expected a 2-D tensor (n, d), got 3 dimensions.*");
        actNull.Should().Throw<ArgumentNullException>().WithParameterName("values");
    }

    [Fact]
    public void To_tensor_rejects_an_integer_dtype()
    {
        var act = () => new Modality("rna", Values).ToTensor(dtype: ScalarType.Int64);

        act.Should().Throw<ArgumentException>().WithParameterName("dtype").WithMessage("Modality 'rna': dtype must be floating point, got Int64.*");
    }

    [Fact]
    public void To_tensor_leaves_only_the_result_in_the_caller_s_scope()
    {
        using var scope = NewDisposeScope();

        var t = new Modality("rna", Values).ToTensor(dtype: ScalarType.Float32);

        scope.DisposablesCount.Should().Be(1);
        t.dtype.Should().Be(ScalarType.Float32);
        t.shape.Should().Equal(2L, 3L);
        t.data<float>().ToArray().Should().Equal(1f, 2f, 3f, 4f, 5f, 6f);
    }

    [Fact]
    public void Select_rows_copies_values_and_availability_in_the_given_order()
    {
        var modality = new Modality("rna", new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }, new[] { "a", "b" }, new[] { true, false, true });

        var selected = modality.SelectRows(new[] { 2, 1, 2 });

        selected.Name.Should().Be("rna");
        selected.ToArray().Should().BeEquivalentTo(new double[,] { { 5, 6 }, { 3, 4 }, { 5, 6 } });
        selected.Availability.Should().Equal(true, false, true);
        selected.FeatureNames.Should().Equal("a", "b");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void Select_rows_rejects_an_index_outside_the_rows(int row)
    {
        var modality = new Modality("rna", new double[,] { { 1 }, { 2 }, { 3 } });

        var act = () => modality.SelectRows(new[] { 0, row });
        var actNull = () => modality.SelectRows(null!);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rows")
            .WithMessage("Modality 'rna': row index at position 1 must lie in [0, 3).*");
        actNull.Should().Throw<ArgumentNullException>().WithParameterName("rows");
    }
}
