using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Named tensors held as the buffers of a module, so that they are written and read with TorchSharp's own
/// state-dict format (<c>Module.save</c> / <c>Module.load</c>, which checks every name, dtype and shape on load).
/// </summary>
internal sealed class TensorBundle : nn.Module
{
    /// <summary>Creates a bundle holding <paramref name="tensors"/> (not copied; the bundle does not own them).</summary>
    public TensorBundle(IEnumerable<KeyValuePair<string, Tensor>> tensors) : base(nameof(TensorBundle))
    {
        foreach (var (name, value) in tensors) register_buffer(name, value);
    }

    /// <summary>Creates an empty bundle whose buffers have the given shapes and dtypes, ready to <c>load</c> into.</summary>
    public static TensorBundle Empty(IEnumerable<TensorDescription> descriptions) =>
        new(descriptions.Select(d => new KeyValuePair<string, Tensor>(d.Name, zeros(d.Shape, dtype: d.ParseDType()))).ToArray());

    /// <summary>A copy of the buffer <paramref name="name"/>, detached from every dispose scope.</summary>
    public Tensor Take(string name)
    {
        var buffer = state_dict().TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"No tensor named '{name}'.");
        using var detached = buffer.detach();   // a new handle on the buffer's storage: freed here, or it keeps the storage alive
        return detached.clone().DetachFromDisposeScope();
    }

    /// <summary>The name, shape and dtype of every buffer, in order.</summary>
    public IReadOnlyList<TensorDescription> Describe() => Describe(this);

    /// <summary>The name, shape and dtype of every entry of a module's state dict, in order.</summary>
    public static IReadOnlyList<TensorDescription> Describe(nn.Module module) =>
        module.state_dict().Select(kv => new TensorDescription(kv.Key, kv.Value.shape.ToArray(), kv.Value.dtype.ToString())).ToArray();
}
