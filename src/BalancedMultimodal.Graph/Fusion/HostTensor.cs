using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>
/// The one rule for the fusion's host-memory fast paths (<see cref="HostSparsePropagationKernel{T}"/>,
/// <see cref="HostElementwise"/>, <see cref="HugePageAdvice"/>): they read and write a tensor's storage directly, which
/// is possible only for a contiguous float32/float64 tensor in host memory whose storage fits one span (2^31 - 1
/// bytes). Every other tensor, e.g. on a CUDA device, takes the libtorch path, which follows the tensor's device.
/// </summary>
internal static class HostTensor
{
    /// <summary>True when <paramref name="tensor"/>'s storage can be used in place by the host kernels.</summary>
    public static bool IsUsable(Tensor tensor) =>
        tensor.is_cpu()
        && tensor.is_contiguous()
        && tensor.dtype is ScalarType.Float32 or ScalarType.Float64
        && tensor.numel() * tensor.element_size() <= int.MaxValue;
}
