using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core;

/// <summary>
/// Tensor arithmetic with C# numbers whose <see cref="Scalar"/> stays alive for the whole native call and is freed
/// right after it: the same libtorch operations, with the same values, as TorchSharp's operators and overloads, so the
/// results are bit-identical to <c>a + b</c>, <c>t + x</c>, <c>t - x</c>, <c>t * x</c>, <c>t / x</c>, <c>x - t</c>, <c>t.add_(u)</c>, <c>t.index_add(d, i, u)</c>, <c>t.clamp_min(x)</c>,
/// <c>leaky_relu(t, x)</c>, <c>t.lt(x)</c>, <c>t.gt(x)</c> and <c>t.ge(x)</c>.
/// </summary>
/// <remarks>
/// <para>Why: TorchSharp 0.107 turns every C# number passed to a tensor method into a temporary <see cref="Scalar"/>
/// (and <c>a + b</c> passes a temporary <c>alpha = 1</c>). Once its native handle has been handed to libtorch the managed
/// object is unreachable, so a garbage collection on another thread can finalize it, freeing the native value, while
/// the operation still reads it: a rare crash in long training runs (<c>Unknown scalar type</c>,
/// <c>Expected false to be true</c> from <c>c10::Scalar</c>; upstream dotnet/TorchSharp#1434 and #1496;
/// docs/native-runtime.md). The methods here hold each scalar in a <c>using</c> (the constant 1 in a static field), so
/// the race cannot occur in the code that uses them. Use them in the per-step code of a training loop.</para>
/// <para>Arguments: a null tensor is an <see cref="ArgumentNullException"/>; a number that would silently corrupt the
/// result (NaN or an infinity, or a zero divisor) is an <see cref="ArgumentOutOfRangeException"/>; shapes that do not
/// broadcast, tensors on different devices, dtypes the operation does not support (bool in a subtraction, a
/// non-floating tensor with a floating-point number in <see cref="Plus(Tensor, double)"/>, <see cref="Minus"/>,
/// <see cref="Times"/>, <see cref="DividedBy"/>, <see cref="SubtractedFrom"/>, <see cref="ClampedBelow"/> and
/// <see cref="LeakyRelu"/>, where libtorch would silently return its default dtype, float32, an in-place result the target's dtype cannot hold, an index-add source of another dtype)
/// and an index-add whose index and source shapes disagree are <see cref="ArgumentException"/>s naming the argument;
/// all raised before any native call, from the tensors' metadata alone (no device read). The values of an index-add's
/// index are not copied to the host (that would synchronise a GPU on every call): libtorch's own refusal of an index
/// outside the dimension, raised before it adds anything, is rethrown as an <see cref="ArgumentOutOfRangeException"/>
/// naming <c>index</c>; other native failures propagate unchanged.</para>
/// </remarks>
public static class ExplicitScalarArithmetic
{
    /// <summary>The alpha of an addition; alive for the process, so never finalized during a call.</summary>
    private static readonly Scalar One = 1.ToScalar();

    /// <summary>left + right (libtorch <c>add(left, right, alpha = 1)</c>, broadcasting as the operator does).</summary>
    /// <param name="left">The first summand.</param>
    /// <param name="right">The second summand (same device; dtypes promote as in <c>left + right</c>).</param>
    /// <returns>A new tensor.</returns>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or the tensors are on different devices.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    public static Tensor Plus(this Tensor left, Tensor right)
    {
        TensorArgument.ThrowIfNullOrDisposed(left);
        TensorArgument.ThrowIfNullOrDisposed(right);
        SameDevice(left, right, nameof(right), firstMayBeNumber: true);
        BroadcastShape(left.shape, right.shape, nameof(right));
        return left.add(right, One);
    }

    /// <summary>target += addend in place (libtorch <c>add_(target, addend, alpha = 1)</c>, as TorchSharp's
    /// <c>target.add_(addend)</c>).</summary>
    /// <param name="target">The tensor to update.</param>
    /// <param name="addend">The tensor added (broadcast to the target's shape).</param>
    /// <returns><paramref name="target"/>.</returns>
    /// <exception cref="ArgumentException">The addend does not broadcast to the target's shape, is on another device, or
    /// the sum's dtype cannot be stored in the target's (e.g. a floating addend into an integer target).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    public static Tensor PlusInPlace(this Tensor target, Tensor addend)
    {
        TensorArgument.ThrowIfNullOrDisposed(target);
        TensorArgument.ThrowIfNullOrDisposed(addend);
        SameDevice(target, addend, nameof(addend));
        var shape = BroadcastShape(target.shape, addend.shape, nameof(addend));
        if (!shape.SequenceEqual(target.shape))
            throw new ArgumentException(
                $"The addend of shape ({string.Join(", ", addend.shape)}) broadcasts the in-place sum to ({string.Join(", ", shape)}), not to the target's shape ({string.Join(", ", target.shape)}).",
                nameof(addend));
        var sumType = promote_types(target.dtype, addend.dtype);
        if (!can_cast(sumType, target.dtype))
            throw new ArgumentException($"The sum of a {target.dtype} target and a {addend.dtype} addend is {sumType}, which a {target.dtype} target cannot hold.", nameof(addend));
        return target.add_(addend, One);
    }

    /// <summary>A copy of <paramref name="tensor"/> with <c>source[k]</c> added to the slice <c>index[k]</c> along
    /// <paramref name="dimension"/> (libtorch <c>index_add(tensor, dimension, index, source, alpha = 1)</c>).</summary>
    /// <param name="tensor">The tensor added to.</param>
    /// <param name="dimension">The dimension indexed.</param>
    /// <param name="index">An int64 index vector.</param>
    /// <param name="source">The slices added, one per index entry.</param>
    /// <returns>A new tensor.</returns>
    /// <exception cref="ArgumentException">The index is not an int64 vector (or scalar), the source has another dtype or a
    /// shape other than the tensor's with the indexed dimension's size equal to the index's length, or the tensors are
    /// on different devices.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The dimension is outside [-rank, rank), or libtorch refused an index
    /// value outside the indexed dimension (its message quoted).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    public static Tensor IndexAdd(this Tensor tensor, long dimension, Tensor index, Tensor source)
    {
        TensorArgument.ThrowIfNullOrDisposed(tensor);
        TensorArgument.ThrowIfNullOrDisposed(index);
        TensorArgument.ThrowIfNullOrDisposed(source);
        ValidateIndexAdd(tensor, dimension, index, source);
        try
        {
            return tensor.index_add(dimension, index, source, One);
        }
        catch (System.Runtime.InteropServices.ExternalException e) when (IsIndexRangeError(e))
        {
            // libtorch checks the index values before adding anything; only that refusal is attributed to the index
            // (any other native failure, e.g. an allocation, propagates as it is).
            throw new ArgumentOutOfRangeException(nameof(index), $"libtorch refused the index: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>Whether a libtorch error is its refusal of an index value outside the indexed dimension
    /// ("index -1 is out of bounds for dimension 0 with size 5"). Read from the error, so the values are never copied to
    /// the host: no device synchronisation, whatever the tensors' device.</summary>
    private static bool IsIndexRangeError(System.Runtime.InteropServices.ExternalException e) =>
        e.Message.Contains("out of bounds", StringComparison.Ordinal) || e.Message.Contains("out of range", StringComparison.Ordinal);

    /// <summary>tensor + value (libtorch <c>add(tensor, value, alpha = 1)</c>, as TorchSharp's <c>tensor + value</c>).</summary>
    /// <param name="tensor">A floating-point tensor (the result keeps its dtype).</param>
    /// <param name="value">A finite number.</param>
    /// <returns>A new tensor.</returns>
    /// <exception cref="ArgumentException">A tensor that is not floating point (integer or bool: libtorch would return
    /// the default dtype, float32, silently rounding; convert it first).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public static Tensor Plus(this Tensor tensor, double value) =>
        WithFiniteScalar(Floating(tensor, nameof(Plus)), value, nameof(value), static (t, s) => t.add(s, One));

    /// <summary>tensor - value (libtorch <c>sub(tensor, value)</c>).</summary>
    /// <param name="tensor">A floating-point tensor (the result keeps its dtype).</param>
    /// <param name="value">A finite number.</param>
    /// <returns>A new tensor.</returns>
    /// <exception cref="ArgumentException">A tensor that is not floating point: bool (libtorch does not subtract from
    /// bool) or integer (libtorch would return the default dtype, float32, silently rounding; convert it first).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public static Tensor Minus(this Tensor tensor, double value) =>
        WithFiniteScalar(Floating(NotBool(tensor, "Subtraction"), nameof(Minus)), value, nameof(value), static (t, s) => t.sub(s));

    /// <summary>tensor * factor (libtorch <c>mul(tensor, factor)</c>).</summary>
    /// <param name="tensor">The floating-point tensor to scale (the result keeps its dtype).</param>
    /// <param name="factor">A finite number.</param>
    /// <returns>A new tensor.</returns>
    /// <exception cref="ArgumentException">A tensor that is not floating point (integer or bool: libtorch would return
    /// the default dtype, float32, silently rounding; convert it first).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN or infinite.</exception>
    public static Tensor Times(this Tensor tensor, double factor) =>
        WithFiniteScalar(Floating(tensor, nameof(Times)), factor, nameof(factor), static (t, s) => t.mul(s));

    /// <summary>tensor / divisor (libtorch <c>div(tensor, divisor)</c>).</summary>
    /// <param name="tensor">The floating-point tensor to divide (the result keeps its dtype).</param>
    /// <param name="divisor">A finite, non-zero number.</param>
    /// <returns>A new tensor.</returns>
    /// <exception cref="ArgumentException">A tensor that is not floating point (integer or bool: libtorch would return
    /// the default dtype, float32, silently rounding; convert it first).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is 0, NaN or infinite.</exception>
    public static Tensor DividedBy(this Tensor tensor, double divisor)
    {
        Floating(tensor, nameof(DividedBy));
        if (divisor == 0)
            throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "The divisor must not be 0.");
        return WithFiniteScalar(tensor, divisor, nameof(divisor), static (t, s) => t.div(s));
    }

    /// <summary>value - tensor, computed as TorchSharp's operator does: <c>(-tensor) + value</c>.</summary>
    /// <param name="tensor">The floating-point tensor to subtract (the result keeps its dtype).</param>
    /// <param name="value">A finite number.</param>
    /// <returns>A new tensor.</returns>
    /// <exception cref="ArgumentException">A tensor that is not floating point: bool (libtorch does not negate bool) or
    /// integer (libtorch would return the default dtype, float32, silently rounding; convert it first).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public static Tensor SubtractedFrom(this Tensor tensor, double value) =>
        WithFiniteScalar(Floating(NotBool(tensor, "Negation"), nameof(SubtractedFrom)), value, nameof(value), static (t, s) =>
        {
            using var negated = t.negative();
            return negated.add(s, One);
        });

    /// <summary>max(tensor, minimum) elementwise (libtorch <c>clamp_min</c>).</summary>
    /// <param name="tensor">The floating-point tensor to bound (the result keeps its dtype).</param>
    /// <param name="minimum">A finite number.</param>
    /// <returns>A new tensor.</returns>
    /// <exception cref="ArgumentException">A tensor that is not floating point (integer or bool: libtorch would return
    /// the default dtype, float32, silently rounding; convert it first).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimum"/> is NaN or infinite.</exception>
    public static Tensor ClampedBelow(this Tensor tensor, double minimum) =>
        WithFiniteScalar(Floating(tensor, nameof(ClampedBelow)), minimum, nameof(minimum), static (t, s) => t.clamp_min(s));

    /// <summary>LeakyReLU: x for x &gt;= 0, negativeSlope * x otherwise (libtorch <c>leaky_relu</c>).</summary>
    /// <param name="tensor">The pre-activations.</param>
    /// <param name="negativeSlope">A finite slope for negative inputs.</param>
    /// <returns>A new tensor.</returns>
    /// <exception cref="ArgumentException">A tensor that is not floating point.</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeSlope"/> is NaN or infinite.</exception>
    public static Tensor LeakyRelu(this Tensor tensor, double negativeSlope)
    {
        TensorArgument.ThrowIfNullOrDisposed(tensor);
        if (!tensor.is_floating_point())
            throw new ArgumentException($"LeakyReLU needs a floating-point tensor, got {tensor.dtype}.", nameof(tensor));
        return WithFiniteScalar(tensor, negativeSlope, nameof(negativeSlope), static (t, s) => t.leaky_relu(s));
    }

    /// <summary>tensor &lt; value elementwise, as a bool tensor (libtorch <c>lt</c>).</summary>
    /// <param name="tensor">The tensor to compare.</param>
    /// <param name="value">The bound.</param>
    /// <returns>A new bool tensor.</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    public static Tensor LessThan(this Tensor tensor, long value) =>
        WithScalar(tensor, value.ToScalar(), static (t, s) => t.lt(s));

    /// <summary>tensor &gt; value elementwise, as a bool tensor (libtorch <c>gt</c>).</summary>
    /// <param name="tensor">The tensor to compare.</param>
    /// <param name="value">The bound.</param>
    /// <returns>A new bool tensor.</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    public static Tensor GreaterThan(this Tensor tensor, long value) =>
        WithScalar(tensor, value.ToScalar(), static (t, s) => t.gt(s));

    /// <summary>tensor &gt;= value elementwise, as a bool tensor (libtorch <c>ge</c>).</summary>
    /// <param name="tensor">The tensor to compare.</param>
    /// <param name="value">The bound.</param>
    /// <returns>A new bool tensor.</returns>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    /// <exception cref="ArgumentNullException">A tensor argument is null.</exception>
    public static Tensor GreaterThanOrEqual(this Tensor tensor, long value) =>
        WithScalar(tensor, value.ToScalar(), static (t, s) => t.ge(s));

    /// <summary>Checks the tensor and the number (finite), then runs <paramref name="operation"/> with the number as a
    /// Scalar that is disposed when it returns.</summary>
    private static Tensor WithFiniteScalar(Tensor tensor, double value, string name, Func<Tensor, Scalar, Tensor> operation)
    {
        TensorArgument.ThrowIfNullOrDisposed(tensor);
        Finite(value, name);
        return WithScalar(tensor, value.ToScalar(), operation);
    }

    /// <summary>Runs <paramref name="operation"/> with <paramref name="scalar"/>, which it disposes when the operation returns.</summary>
    private static Tensor WithScalar(Tensor tensor, Scalar scalar, Func<Tensor, Scalar, Tensor> operation)
    {
        using (scalar)
        {
            TensorArgument.ThrowIfNullOrDisposed(tensor);
            return operation(tensor, scalar);
        }
    }

    /// <summary>A floating-point tensor: libtorch computes an integer (or bool) tensor with a double in the default
    /// dtype (float32), e.g. int64 [3, 7] times 0.1 gives float32 0.30000001, a silent conversion these members refuse.</summary>
    private static Tensor Floating(Tensor tensor, string operation)
    {
        TensorArgument.ThrowIfNullOrDisposed(tensor);
        if (!tensor.is_floating_point())
            throw new ArgumentException(
                $"{operation} needs a floating-point tensor, got {tensor.dtype}: libtorch would compute it with a double in the default dtype (float32); convert the tensor with .to(dtype) first.",
                nameof(tensor));
        return tensor;
    }

    private static Tensor NotBool(Tensor tensor, string operation)
    {
        TensorArgument.ThrowIfNullOrDisposed(tensor);
        if (tensor.dtype == ScalarType.Bool)
            throw new ArgumentException($"{operation} of a bool tensor is not supported by libtorch; use logical_not() to invert a mask.", nameof(tensor));
        return tensor;
    }

    /// <summary>Both tensors on one device. A zero-dimensional second operand (in a sum, either operand) is left to
    /// libtorch, which broadcasts a zero-dimensional host tensor as a number to any device.</summary>
    private static void SameDevice(Tensor first, Tensor second, string secondName, bool firstMayBeNumber = false)
    {
        if (second.dim() == 0) return;
        // In a sum either position may hold such a number (not an in-place target).
        if (firstMayBeNumber && first.dim() == 0) return;
        if (first.device_type != second.device_type || first.device_index != second.device_index)
            throw new ArgumentException($"{secondName} is on {second.device}, the other tensor on {first.device}.", secondName);
    }

    /// <summary>The broadcast shape of two shapes (NumPy rules: aligned from the right, each pair equal or one of them 1).</summary>
    private static long[] BroadcastShape(long[] first, long[] second, string secondName)
    {
        int rank = Math.Max(first.Length, second.Length);
        var shape = new long[rank];
        for (int i = 1; i <= rank; i++)
        {
            long a = i <= first.Length ? first[^i] : 1, b = i <= second.Length ? second[^i] : 1;
            if (a != b && a != 1 && b != 1)
                throw new ArgumentException(
                    $"Shapes ({string.Join(", ", first)}) and ({string.Join(", ", second)}) do not broadcast: sizes {a} and {b} in dimension {rank - i}.",
                    secondName);
            shape[^i] = a == 1 ? b : a;
        }
        return shape;
    }

    private static void ValidateIndexAdd(Tensor tensor, long dimension, Tensor index, Tensor source)
    {
        long rank = tensor.dim();
        long positive = dimension < 0 ? dimension + Math.Max(rank, 1) : dimension;
        if (positive < 0 || positive >= Math.Max(rank, 1))
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"The dimension must lie in [{-Math.Max(rank, 1)}, {Math.Max(rank, 1)}) for a tensor of rank {rank}.");
        if (index.dtype != ScalarType.Int64 || index.dim() > 1)
            throw new ArgumentException($"The index must be an int64 vector, got {index.dtype} of rank {index.dim()}.", nameof(index));
        SameDevice(tensor, index, nameof(index));
        SameDevice(tensor, source, nameof(source));
        if (source.dtype != tensor.dtype)
            throw new ArgumentException($"The source must have the tensor's dtype {tensor.dtype}, got {source.dtype}.", nameof(source));
        var expected = rank == 0 ? Array.Empty<long>() : tensor.shape.ToArray();
        if (rank > 0) expected[positive] = index.numel();
        bool matches = rank == 0 ? source.dim() == 0 && index.numel() == 1 : source.shape.SequenceEqual(expected);
        if (!matches)
            throw new ArgumentException(
                $"The source must have shape ({string.Join(", ", expected)}) (the tensor's, with dimension {positive} the index's length {index.numel()}), got ({string.Join(", ", source.shape)}).",
                nameof(source));
    }

    private static void Finite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number.");
    }
}
