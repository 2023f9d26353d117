using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Encoding;

/// <summary>Argument checks shared by Core's modules, run before any computation so that a wrong dtype, device or
/// width surfaces as an <see cref="ArgumentException"/> naming the module and argument, not as a libtorch error.</summary>
internal static class ModuleArguments
{
    /// <summary>Parameters are created in float16, bfloat16, float32 or float64 only.</summary>
    public static void FloatingDType(ScalarType dtype, string name)
    {
        if (dtype is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"The parameters' dtype must be a floating type (float16, bfloat16, float32 or float64), got {dtype}.", name);
    }

    /// <summary>Requires <paramref name="input"/> to be (n, <paramref name="width"/>) on <paramref name="weight"/>'s
    /// dtype and device.</summary>
    public static void MatchesParameters(Tensor input, Parameter weight, long width, string module, string name)
    {
        ArgumentNullException.ThrowIfNull(input, name);
        if (input.dim() != 2 || input.shape[1] != width)
            throw new ArgumentException($"The {module} expects {name} of shape (n, {width}), got ({string.Join(", ", input.shape)}).", name);
        if (input.dtype != weight.dtype || input.device.type != weight.device.type || input.device.index != weight.device.index)
            throw new ArgumentException($"The {module}'s parameters are {weight.dtype} on {weight.device}, but {name} is {input.dtype} on {input.device}.", name);
    }
}
