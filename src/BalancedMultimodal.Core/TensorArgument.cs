using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core;

/// <summary>
/// The null and disposal checks of tensor arguments that every public entry point of the BalancedMultimodal packages runs
/// before any work.
/// </summary>
/// <remarks>
/// A tensor used after <see cref="IDisposable.Dispose"/> has lost its native handle (<see cref="Tensor.IsInvalid"/>).
/// TorchSharp only notices when the handle is next used, deep inside the call, and then throws an
/// <see cref="InvalidOperationException"/> ("Tensor invalid -- empty handle") that names no argument, so a caller cannot
/// tell which of several tensors was disposed (a common slip with <c>using</c> declarations and dispose scopes). These
/// checks read only the managed handle (no native call, no device synchronisation), so they cost nothing on a hot path,
/// and they name the argument. A disposed <see cref="TorchSharp.Modules.Parameter"/> is detected as any tensor is; a
/// view (<c>narrow</c>, <c>t()</c>, <c>select</c>, ...) is a tensor of its own: it is disposed when it is, not when the tensor
/// it views is (it keeps that tensor's storage alive).
/// </remarks>
public static class TensorArgument
{
    /// <summary>Throws when <paramref name="tensor"/> is null or has been disposed.</summary>
    /// <param name="tensor">The argument to check.</param>
    /// <param name="paramName">The name of the argument (filled in by the compiler from the expression passed).</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null (<see cref="ArgumentException.ParamName"/>
    /// is <paramref name="paramName"/>).</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="tensor"/> has been disposed; its
    /// <see cref="ObjectDisposedException.ObjectName"/> is <paramref name="paramName"/>, which the message names too.</exception>
    public static void ThrowIfNullOrDisposed([NotNull] Tensor? tensor, [CallerArgumentExpression(nameof(tensor))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(tensor, paramName);
        if (tensor.IsInvalid) throw Disposed(paramName);
    }

    /// <summary>
    /// Throws when the list <paramref name="tensors"/> is null or one of its tensors has been disposed (the first one, by
    /// index). Null entries are not reported here: each method keeps its own rule and message for them (most reject
    /// them naming the modality, some accept them as "not given").
    /// </summary>
    /// <param name="tensors">The argument to check.</param>
    /// <param name="paramName">The name of the argument (filled in by the compiler from the expression passed).</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null (<see cref="ArgumentException.ParamName"/>
    /// is <paramref name="paramName"/>).</exception>
    /// <exception cref="ObjectDisposedException">Entry i has been disposed; the
    /// <see cref="ObjectDisposedException.ObjectName"/> is <c>paramName[i]</c> (e.g. <c>features[2]</c>), which the message
    /// names too.</exception>
    public static void ThrowIfNullOrAnyDisposed([NotNull] IReadOnlyList<Tensor?>? tensors, [CallerArgumentExpression(nameof(tensors))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(tensors, paramName);
        for (int i = 0; i < tensors.Count; i++)
            if (tensors[i] is { IsInvalid: true })
                throw Disposed($"{paramName}[{i}]");
    }

    /// <summary>
    /// Describes a tensor by its metadata for messages and <c>ToString</c> of the records holding tensors:
    /// <c>tensor (2, 5) Float64 on cpu</c>, <c>disposed tensor</c> or <c>null</c>. Reads no value (no device
    /// synchronisation) and never throws, unlike <see cref="Tensor.ToString()"/> on a disposed tensor.
    /// </summary>
    /// <param name="tensor">The tensor to describe (may be null or disposed).</param>
    /// <returns>The description.</returns>
    public static string Describe(Tensor? tensor) =>
        tensor is null ? "null"
        : tensor.IsInvalid ? "disposed tensor"
        : $"tensor ({string.Join(", ", tensor.shape)}) {tensor.dtype} on {tensor.device}";

    private static ObjectDisposedException Disposed(string? name) =>
        new(name, $"The tensor passed as '{name}' has been disposed; pass a live tensor (dispose it only after the call).");
}
