using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests;

public class ExplicitScalarArithmeticTests
{
    public static TheoryData<ScalarType> FloatingTypes => new() { ScalarType.Float32, ScalarType.Float64, ScalarType.BFloat16 };

    /// <summary>Same dtype, shape and every element bit for bit (NaN-free inputs).</summary>
    private static bool Same(Tensor actual, Tensor expected)
    {
        using var same = actual.eq(expected).all();
        return actual.dtype == expected.dtype && actual.shape.SequenceEqual(expected.shape) && same.item<bool>();
    }

    private static Tensor Sample(ScalarType dtype, long seed, params long[] shape)
    {
        using var generator = new Generator((ulong)seed);
        using var values = randn(shape, dtype: ScalarType.Float64, generator: generator).mul_(3.7);
        return values.to(dtype);
    }

    [Theory]
    [MemberData(nameof(FloatingTypes))]
    public void Every_operation_is_bit_identical_to_the_TorchSharp_operator_it_replaces(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var a = Sample(dtype, 1, 7, 5);
        var b = Sample(dtype, 2, 7, 5);
        var row = Sample(dtype, 3, 5);

        Same(a.Plus(b), a + b).Should().BeTrue();
        Same(a.Plus(row), a + row).Should().BeTrue("broadcasting works as with the operator");
        Same(a.Plus(0.3), a + 0.3).Should().BeTrue();
        Same(a.Minus(0.3), a - 0.3).Should().BeTrue();
        Same(a.Times(-1.25e-3), a * -1.25e-3).Should().BeTrue();
        Same(a.DividedBy(7), a / 7.0).Should().BeTrue();
        Same(a.SubtractedFrom(1.0), 1.0 - a).Should().BeTrue();
        Same(a.ClampedBelow(0.5), a.clamp_min(0.5)).Should().BeTrue();
        Same(a.LeakyRelu(0.25), nn.functional.leaky_relu(a, 0.25)).Should().BeTrue();
        Same(a.clone().PlusInPlace(row), a.clone().add_(row)).Should().BeTrue();
        var index = tensor(new long[] { 4, 0, 4 });
        var slices = Sample(dtype, 4, 3, 5);
        Same(a.IndexAdd(0, index, slices), a.index_add(0, index, slices, 1.0)).Should().BeTrue();
        foreach (var result in new[] { a.Plus(b), a.Times(2), a.DividedBy(2), a.SubtractedFrom(1), a.ClampedBelow(0), a.LeakyRelu(0.1) })
            result.dtype.Should().Be(dtype, "results keep the input's dtype");
    }

    [Fact]
    public void Comparisons_match_lt_and_ge_on_integer_labels()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(new long[] { -1, 0, 1, 2, 3 });

        Same(labels.LessThan(0), labels.lt(0)).Should().BeTrue();
        Same(labels.GreaterThanOrEqual(2), labels.ge(2)).Should().BeTrue();
        labels.LessThan(0).dtype.Should().Be(ScalarType.Bool);
        labels.GreaterThanOrEqual(2).data<bool>().ToArray().Should().Equal(false, false, false, true, true);
        Same(labels.GreaterThan(0), labels.gt(0)).Should().BeTrue();
        labels.GreaterThan(0).data<bool>().ToArray().Should().Equal(false, false, true, true, true);
        using var weights = tensor(new[] { 0.0, 1e-300, -0.5 });
        weights.GreaterThan(0).data<bool>().ToArray().Should().Equal(false, true, false);
    }

    [Fact]
    public void Gradients_flow_as_through_the_operators()
    {
        using var scope = NewDisposeScope();
        var x1 = Sample(ScalarType.Float64, 5, 4, 3).requires_grad_(true);
        var x2 = x1.detach().clone().requires_grad_(true);
        var other = Sample(ScalarType.Float64, 6, 4, 3);

        var explicitForm = x1.LeakyRelu(0.2).Times(1.5).Plus(other).SubtractedFrom(2.0).DividedBy(3).ClampedBelow(-4).Minus(0.1).Plus(0.4).sum();
        var operatorForm = (((2.0 - (nn.functional.leaky_relu(x2, 0.2) * 1.5 + other)) / 3.0).clamp_min(-4) - 0.1 + 0.4).sum();
        explicitForm.backward();
        operatorForm.backward();

        Same(explicitForm, operatorForm).Should().BeTrue();
        Same(x1.grad!, x2.grad!).Should().BeTrue();
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_number_that_would_corrupt_the_result_is_rejected_before_any_native_call(double value)
    {
        using var scope = NewDisposeScope();
        var t = ones(3);

        new Action(() => t.Times(value)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("factor");
        new Action(() => t.DividedBy(value)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("divisor");
        new Action(() => t.Plus(value)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
        new Action(() => t.Minus(value)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
        new Action(() => t.SubtractedFrom(value)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
        new Action(() => t.ClampedBelow(value)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("minimum");
        new Action(() => t.LeakyRelu(value)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("negativeSlope");
    }

    [Fact]
    public void Division_by_zero_is_rejected()
    {
        using var t = ones(3);

        new Action(() => t.DividedBy(0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("divisor")
            .WithMessage("*must not be 0*");
    }

    [Fact]
    public void Null_tensors_are_rejected_with_their_parameter_names()
    {
        using var t = ones(3);
        Tensor none = null!;

        new Action(() => none.Plus(t)).Should().Throw<ArgumentNullException>().WithParameterName("left");
        new Action(() => t.Plus(none)).Should().Throw<ArgumentNullException>().WithParameterName("right");
        new Action(() => none.Times(2)).Should().Throw<ArgumentNullException>().WithParameterName("tensor");
        new Action(() => t.PlusInPlace(none)).Should().Throw<ArgumentNullException>().WithParameterName("addend");
        new Action(() => t.IndexAdd(0, none, t)).Should().Throw<ArgumentNullException>().WithParameterName("index");
        new Action(() => none.LessThan(0)).Should().Throw<ArgumentNullException>().WithParameterName("tensor");
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_are_rejected_naming_the_second_tensor()
    {
        // These were libtorch's native errors (ExternalException) naming no argument.
        using var scope = NewDisposeScope();
        var target = ones(3, 1);

        new Action(() => ones(3, 2).Plus(ones(4, 2))).Should().Throw<ArgumentException>().WithParameterName("right")
            .WithMessage("Shapes (3, 2) and (4, 2) do not broadcast: sizes 3 and 4 in dimension 0*");
        new Action(() => target.PlusInPlace(ones(1, 4))).Should().Throw<ArgumentException>().WithParameterName("addend")
            .WithMessage("*broadcasts the in-place sum to (3, 4), not to the target's shape (3, 1)*");
        target.Should().Be(ones(3, 1), "a refused in-place sum leaves the target as it was");
        ones(3, 1).Plus(ones(1, 4)).shape.Should().Equal(3, 4);
        // A zero-dimensional CPU tensor is a number to libtorch in either position of a sum, whatever the other's device.
        var meta = zeros(3, device: new Device("meta"));
        tensor(1.0f).Plus(meta).device_type.Should().Be(TorchSharp.DeviceType.META);
        meta.Plus(tensor(1.0f)).device_type.Should().Be(TorchSharp.DeviceType.META);
        new Action(() => ones(2).Plus(meta)).Should().Throw<ArgumentException>().WithParameterName("right").WithMessage("right is on meta*");
        ones(3, 4).PlusInPlace(ones(4)).Should().Be(full(3, 4, 2.0f));
    }

    [Theory]
    [InlineData(ScalarType.Int64, ScalarType.Float32)]
    [InlineData(ScalarType.Int32, ScalarType.Float16)]
    [InlineData(ScalarType.Bool, ScalarType.Int64)]
    public void An_in_place_sum_the_target_cannot_hold_is_rejected_naming_the_addend(ScalarType target, ScalarType addend)
    {
        using var scope = NewDisposeScope();
        var t = ones(2, 2).to(target);

        new Action(() => t.PlusInPlace(ones(2, 2).to(addend))).Should().Throw<ArgumentException>().WithParameterName("addend")
            .WithMessage($"*a {target} target cannot hold*");
        ones(2, 2).PlusInPlace(ones(2, 2).to(ScalarType.Int64)).Should().Be(full(2, 2, 2.0f), "an integer addend into a float target is fine");
    }

    [Fact]
    public void Unsupported_dtypes_are_rejected_naming_the_tensor()
    {
        using var scope = NewDisposeScope();
        var mask = ones(3, dtype: ScalarType.Bool);

        new Action(() => mask.Minus(1)).Should().Throw<ArgumentException>().WithParameterName("tensor").WithMessage("Subtraction of a bool tensor*");
        new Action(() => mask.SubtractedFrom(1)).Should().Throw<ArgumentException>().WithParameterName("tensor").WithMessage("Negation of a bool tensor*");
        new Action(() => ones(3, dtype: ScalarType.Int64).LeakyRelu(0.1)).Should().Throw<ArgumentException>().WithParameterName("tensor")
            .WithMessage("LeakyReLU needs a floating-point tensor, got Int64*");
    }

    [Theory]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Byte)]
    public void An_integer_tensor_with_a_floating_point_number_is_rejected_naming_the_tensor_and_its_dtype(ScalarType dtype)
    {
        // Before, libtorch promoted to its default dtype: int64 [3, 7] times 0.1 gave float32 [0.30000001, 0.7].
        using var scope = NewDisposeScope();
        var t = tensor(new long[] { 3, 7 }).to(dtype);

        var operations = new (string Name, Action Act)[]
        {
            ("Plus", () => t.Plus(0.1)), ("Minus", () => t.Minus(0.1)), ("Times", () => t.Times(0.1)),
            ("DividedBy", () => t.DividedBy(0.1)), ("SubtractedFrom", () => t.SubtractedFrom(0.1)), ("ClampedBelow", () => t.ClampedBelow(0.1)),
        };
        foreach (var (name, act) in operations)
            act.Should().Throw<ArgumentException>(name).WithParameterName("tensor").WithMessage($"{name} needs a floating-point tensor, got {dtype}*");
    }

    [Fact]
    public void A_bool_tensor_with_a_floating_point_number_is_rejected_naming_the_tensor()
    {
        using var scope = NewDisposeScope();
        var mask = ones(3, dtype: ScalarType.Bool);

        new Action(() => mask.Plus(1)).Should().Throw<ArgumentException>().WithParameterName("tensor").WithMessage("Plus needs a floating-point tensor, got Bool*");
        new Action(() => mask.Times(2)).Should().Throw<ArgumentException>().WithParameterName("tensor").WithMessage("Times needs a floating-point tensor, got Bool*");
        new Action(() => mask.DividedBy(2)).Should().Throw<ArgumentException>().WithParameterName("tensor").WithMessage("DividedBy needs a floating-point tensor, got Bool*");
        new Action(() => mask.ClampedBelow(0)).Should().Throw<ArgumentException>().WithParameterName("tensor").WithMessage("ClampedBelow needs a floating-point tensor, got Bool*");
    }

    [Fact]
    public void An_index_add_with_a_bad_index_or_source_is_rejected_naming_it()
    {
        using var scope = NewDisposeScope();
        var t = zeros(5, 3, dtype: ScalarType.Float64);

        new Action(() => t.IndexAdd(0, tensor(new[] { 0 }), ones(1, 3, dtype: ScalarType.Float64))).Should().Throw<ArgumentException>()
            .WithParameterName("index").WithMessage("The index must be an int64 vector, got Int32*");
        new Action(() => t.IndexAdd(0, tensor(new long[,] { { 0 } }), ones(1, 3, dtype: ScalarType.Float64))).Should().Throw<ArgumentException>()
            .WithParameterName("index");
        new Action(() => t.IndexAdd(0, tensor(new long[] { 0 }), ones(1, 3))).Should().Throw<ArgumentException>()
            .WithParameterName("source").WithMessage("The source must have the tensor's dtype Float64, got Float32*");
        new Action(() => t.IndexAdd(0, tensor(new long[] { 0, 1 }), ones(1, 3, dtype: ScalarType.Float64))).Should().Throw<ArgumentException>()
            .WithParameterName("source").WithMessage("The source must have shape (2, 3)*got (1, 3)*");
        new Action(() => t.IndexAdd(2, tensor(new long[] { 0 }), ones(1, 3, dtype: ScalarType.Float64))).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("dimension");
        new Action(() => t.IndexAdd(0, tensor(new long[] { -1 }), ones(1, 3, dtype: ScalarType.Float64))).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("index").WithMessage("libtorch refused the index: index -1 is out of bounds for dimension 0 with size 5*");
        new Action(() => t.IndexAdd(-1, tensor(new long[] { 1, 3 }), ones(5, 2, dtype: ScalarType.Float64))).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("index").WithMessage("*index 3 is out of bounds for dimension 1 with size 3*");
        t.IndexAdd(-2, tensor(new long[] { 4, 4 }), ones(2, 3, dtype: ScalarType.Float64))[4].Should().Be(full(3, 2.0, dtype: ScalarType.Float64));
        t.IndexAdd(1, tensor(new long[] { 2 }), ones(5, 1, dtype: ScalarType.Float64)).sum().item<double>().Should().Be(5);
        ones(new long[0]).IndexAdd(0, tensor(new long[] { 0 }), ones(new long[0])).item<float>().Should().Be(2);
    }

    [Fact]
    public void A_zero_dimensional_target_still_refuses_an_operand_on_another_device()
    {
        // Only a sum's first operand may be a zero-dimensional number; an in-place or index-add target may not.
        // (Unchecked, libtorch's index_add took a meta index into a CPU scalar without any error.)
        using var scope = NewDisposeScope();
        var meta = new Device("meta");

        new Action(() => tensor(1.0).IndexAdd(0, zeros(1, dtype: ScalarType.Int64, device: meta), tensor(2.0))).Should().Throw<ArgumentException>()
            .WithParameterName("index").WithMessage("index is on meta, the other tensor on cpu*");
        new Action(() => tensor(1f).PlusInPlace(zeros(1, device: meta))).Should().Throw<ArgumentException>()
            .WithParameterName("addend").WithMessage("addend is on meta, the other tensor on cpu*");
    }

    [Fact]
    public void A_zero_dimensional_index_add_refuses_an_index_of_two_entries()
    {
        using var scope = NewDisposeScope();

        new Action(() => tensor(1.0).IndexAdd(0, zeros(2, dtype: ScalarType.Int64), tensor(2.0))).Should().Throw<ArgumentException>()
            .WithParameterName("source").WithMessage("The source must have shape () (the tensor's, with dimension 0 the index's length 2), got ()*");
    }

    [Fact]
    public void A_failure_other_than_an_index_value_is_not_blamed_on_the_index()
    {
        // libtorch's allocation failure was rethrown as "libtorch refused the index".
        using var scope = NewDisposeScope();
        var huge = zeros(1).expand(new long[] { 1L << 40 });

        new Action(() => huge.IndexAdd(0, tensor(new long[] { 0 }), ones(1))).Should().Throw<Exception>()
            .Where(e => !(e is ArgumentException && ((ArgumentException)e).ParamName == "index"));
    }
}
