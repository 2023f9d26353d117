using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Information;

/// <summary>Validation and conversion of the paired samples every estimator receives (internal: the public
/// boundary of each estimator calls it once, before any work).</summary>
internal static class MutualInformationInput
{
    /// <summary>Checks X and Y (shapes, devices, row counts, finiteness) and returns both as float64 matrices
    /// (n, d) on the inputs' device. The caller owns the returned tensors (they live in the current dispose scope).</summary>
    public static (Tensor X, Tensor Y) ValidateAndConvert(Tensor x, Tensor y, int minimumRows, string estimator)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        CheckShape(x, nameof(x), estimator);
        CheckShape(y, nameof(y), estimator);
        if (x.device_type != y.device_type || x.device_index != y.device_index)
            throw new ArgumentException($"{estimator}: x is on {x.device} but y is on {y.device}; both must be on the same device.", nameof(y));
        long n = x.shape[0];
        if (y.shape[0] != n)
            throw new ArgumentException($"{estimator}: x has {n} rows but y has {y.shape[0]}; rows are paired samples and must match.", nameof(y));
        if (n < minimumRows)
            throw new ArgumentException($"{estimator}: needs at least {minimumRows} samples (rows), got {n}.", nameof(x));
        var xm = AsFloat64Matrix(x);
        var ym = AsFloat64Matrix(y);
        CheckFinite(xm, nameof(x), estimator);
        CheckFinite(ym, nameof(y), estimator);
        return (xm, ym);
    }

    /// <summary>Converts a row-major array to a float64 tensor after checking it is non-empty.</summary>
    public static Tensor FromArray(double[,] values, string name, string estimator)
    {
        if (values is null) throw new ArgumentNullException(name);
        if (values.GetLength(0) == 0 || values.GetLength(1) == 0)
            throw new ArgumentException($"{estimator}: {name} must have at least one row and one column, got {values.GetLength(0)} x {values.GetLength(1)}.", name);
        return tensor(values, dtype: ScalarType.Float64);
    }

    /// <summary>Reshapes a vector to one column and converts to float64 on the same device, detached from any autograd
    /// graph (an estimate is a measurement: a caller's requires-grad input must neither carry its graph into the
    /// estimator's own training nor receive gradients from it).</summary>
    public static Tensor AsFloat64Matrix(Tensor t)
    {
        var m = (t.dim() == 1 ? t.unsqueeze(1) : t).detach();
        return m.dtype == ScalarType.Float64 ? m : m.to_type(ScalarType.Float64);
    }

    private static void CheckShape(Tensor t, string name, string estimator)
    {
        if (t.dim() is not (1 or 2))
            throw new ArgumentException($"{estimator}: {name} must have shape (n) or (n, d), got {t.dim()} dimensions.", name);
        if (t.dim() == 2 && t.shape[1] == 0)
            throw new ArgumentException($"{estimator}: {name} has no columns.", name);
        if (t.dtype is ScalarType.Bool or ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64)
            throw new ArgumentException($"{estimator}: {name} must hold real numbers, got {t.dtype}.", name);
    }

    private static void CheckFinite(Tensor m, string name, string estimator)
    {
        using var scope = NewDisposeScope();
        var bad = m.isfinite().logical_not();
        if (!bad.any().item<bool>()) return;
        var where = bad.nonzero()[0].cpu();
        long row = where[0].item<long>(), column = where[1].item<long>();
        double value = m[row, column].item<double>();
        throw new ArgumentException($"{estimator}: {name} has a non-finite value ({value}) at row {row}, column {column}.", name);
    }
}
