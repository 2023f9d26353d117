using BalancedMultimodal.Core;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Losses;

/// <summary>Shape, dtype and device checks of loss inputs, run at the public boundary before any computation.</summary>
internal static class TensorArguments
{
    public static void FloatingMatrix(Tensor? tensor, string name, long rows, Device device)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.dim() != 2)
            throw new ArgumentException($"{name} must be a 2-D (n, k) tensor; it has shape [{string.Join(", ", tensor.shape)}].", name);
        if (!tensor.is_floating_point())
            throw new ArgumentException($"{name} must be a floating-point tensor (float32 or float64); it is {tensor.dtype}.", name);
        if (rows >= 0 && tensor.shape[0] != rows)
            throw new ArgumentException($"{name} has {tensor.shape[0]} rows; expected {rows} (one per sample).", name);
        if (tensor.device.type != device.type || tensor.device.index != device.index)
            throw new ArgumentException($"{name} is on {tensor.device}; expected {device} like the other inputs.", name);
    }

    /// <summary>The row count n that most of <paramref name="tensors"/> share (ties: the first such count in order), read
    /// from those that are non-null with at least one dimension (the others fail their own checks); -1 when none is. The
    /// tensors that disagree with it are the ones to blame, not the first one read.</summary>
    public static long ConsensusRows(IEnumerable<Tensor?> tensors)
    {
        var counts = tensors.Where(t => t is not null && t.dim() >= 1).Select(t => t!.shape[0]).ToList();
        if (counts.Count == 0) return -1;
        return counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenBy(g => counts.IndexOf(g.Key)).First().Key;
    }

    /// <summary>Parameters are created in a floating dtype only (null: the default, float32).</summary>
    public static void FloatingDType(ScalarType? dtype, string name)
    {
        if (dtype is { } type && type is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"The parameters' dtype must be a floating type (float16, bfloat16, float32 or float64), got {type}.", name);
    }

    public static void Mask(Tensor? mask, string name, long rows, Device device)
    {
        ArgumentNullException.ThrowIfNull(mask, name);
        if (mask.dim() != 1 || mask.shape[0] != rows)
            throw new ArgumentException($"{name} must be a 1-D boolean tensor of length {rows}; it has shape [{string.Join(", ", mask.shape)}].", name);
        if (mask.dtype != ScalarType.Bool)
            throw new ArgumentException($"{name} must be a boolean tensor; it is {mask.dtype}.", name);
        if (mask.device.type != device.type || mask.device.index != device.index)
            throw new ArgumentException($"{name} is on {mask.device}; expected {device} like the other inputs.", name);
    }

    public static void Labels(Tensor? labels, string name, long rows, Device device)
    {
        ArgumentNullException.ThrowIfNull(labels, name);
        if (labels.dim() != 1 || labels.shape[0] != rows)
            throw new ArgumentException($"{name} must be a 1-D int64 tensor of length {rows}; it has shape [{string.Join(", ", labels.shape)}].", name);
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"{name} must be an int64 tensor of class indices; it is {labels.dtype}.", name);
        if (labels.device.type != device.type || labels.device.index != device.index)
            throw new ArgumentException($"{name} is on {labels.device}; expected {device} like the other inputs.", name);
    }

    /// <summary>Checks that the labels at the masked rows lie in [0, classes); names the first offending row.</summary>
    public static void LabelsInRange(Tensor labels, Tensor mask, long classes, string name)
    {
        using var scope = NewDisposeScope();
        var bad = mask.logical_and(labels.LessThan(0).logical_or(labels.GreaterThanOrEqual(classes))).nonzero();
        if (bad.shape[0] > 0)
        {
            var row = bad[0, 0].item<long>();
            var value = labels[row].item<long>();
            throw new ArgumentOutOfRangeException(name, $"{name}[{row}] = {value} is outside [0, {classes}) at a labelled row.");
        }
    }

    /// <summary>The value of a one-element tensor as invariant text, for messages ("NaN", "Infinity", "0.25").</summary>
    public static string ScalarText(Tensor scalar) =>
        scalar.detach().to(ScalarType.Float64).item<double>().ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Throws when a row of the matrix <paramref name="tensor"/> that <paramref name="rows"/> selects (null: every
    /// row) holds a NaN or an infinity, naming the first such row and what it is read for; the other rows are never read
    /// and may hold anything.</summary>
    public static void FiniteRows(Tensor tensor, Tensor? rows, string name, string readFor)
    {
        using var scope = NewDisposeScope();
        var bad = tensor.detach().isfinite().all(1).logical_not();
        if (rows is not null) bad = bad.logical_and(rows);
        var first = bad.nonzero();
        if (first.shape[0] > 0)
            throw new ArgumentException($"{name} holds a non-finite value (NaN or infinity) at row {first[0, 0].item<long>()}, a row of the {readFor}.", name);
    }

    /// <summary>Throws when <paramref name="tensor"/> holds a NaN or an infinity, naming its first such row.</summary>
    public static void Finite(Tensor tensor, string name)
    {
        using var scope = NewDisposeScope();
        var bad = tensor.isfinite().logical_not().nonzero();
        if (bad.shape[0] > 0)
            throw new ArgumentException($"{name} holds a non-finite value (NaN or infinity) at row {bad[0, 0].item<long>()}.", name);
    }

    /// <summary>Class weights of a weighted cross-entropy: null, or a 1-D floating tensor of length
    /// <paramref name="classes"/> on <paramref name="device"/>, every entry finite and positive, also once converted to
    /// each of <paramref name="logitDtypes"/> (the loss converts them: 1e-50 would become 0 in float32, 1e39 infinity).</summary>
    public static void ClassWeights(Tensor? weights, string name, long classes, Device device, params ScalarType[] logitDtypes)
    {
        if (weights is null) return;
        if (weights.dim() != 1 || weights.shape[0] != classes)
            throw new ArgumentException($"{name} must be a 1-D tensor of {classes} class weights (one per logit column); it has shape [{string.Join(", ", weights.shape)}].", name);
        if (!weights.is_floating_point())
            throw new ArgumentException($"{name} must be a floating-point tensor; it is {weights.dtype}.", name);
        if (weights.device.type != device.type || weights.device.index != device.index)
            throw new ArgumentException($"{name} is on {weights.device}; expected {device} like the other inputs.", name);
        using var scope = NewDisposeScope();
        // C values, checked on the host: as given, then as each logit dtype the loss converts them to.
        double[] HostValues(ScalarType dtype) => weights.detach().to(dtype).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var values = HostValues(weights.dtype);
        foreach (var dtype in logitDtypes.Prepend(weights.dtype).Distinct())
        {
            var held = dtype == weights.dtype ? values : HostValues(dtype);
            int c = Array.FindIndex(held, v => !(double.IsFinite(v) && v > 0));
            if (c < 0) continue;
            throw new ArgumentException(dtype == weights.dtype
                ? $"{name}[{c}] = {values[c]}; every class weight must be finite and positive."
                : $"{name}[{c}] = {values[c]} becomes {held[c]} in {dtype}, the logits' dtype; every class weight must stay finite and positive there.", name);
        }
    }
}
