using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Fusion;

/// <summary>One view's sparse kernel S_v, applied as <c>S_v A S_v^T</c>.</summary>
internal interface IPropagationKernel : IDisposable
{
    /// <summary>Returns <c>S A S^T</c> (or its transpose, which equals it up to rounding for symmetric A) as a new tensor.</summary>
    Tensor Propagate(Tensor a);
}
