using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Training;

/// <summary>A detached copy of a module's state (parameters and buffers), restorable later: the checkpoint of early stopping.</summary>
internal sealed class ModuleSnapshot : IDisposable
{
    private readonly Dictionary<string, Tensor> _state;

    private ModuleSnapshot(Dictionary<string, Tensor> state) => _state = state;

    public static ModuleSnapshot Capture(nn.Module module)
    {
        using var noGrad = no_grad();
        // The detach() handles are freed with this scope; only the clones, detached from it, belong to the snapshot.
        using var scope = NewDisposeScope();
        var state = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
        return new ModuleSnapshot(state);
    }

    public void Restore(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (name, target) in module.state_dict())
            target.copy_(_state[name]);
    }

    public void Dispose()
    {
        foreach (var t in _state.Values) t.Dispose();
        _state.Clear();
    }
}
