using TorchSharp.Modules;

namespace BalancedMultimodal.Core.Optimization;

/// <summary>
/// Parameters that share one L2 weight decay λ in <see cref="ExplicitScalarAdam"/> (PyTorch's "parameter groups",
/// restricted to the decay): the update adds λ p to the gradient of every parameter p of the group.
/// </summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group.</summary>
    /// <param name="parameters">The parameters (none null; checked by the optimiser, which also rejects a parameter
    /// listed in two groups).</param>
    /// <param name="weightDecay">λ &gt;= 0, finite.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When λ is negative, infinite or NaN.</exception>
    /// <exception cref="ObjectDisposedException">A parameter in <paramref name="parameters"/> has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> is <c>parameters[i]</c>.</exception>
    public ParameterGroup(IEnumerable<Parameter> parameters, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be finite and >= 0.");
        var array = parameters.ToArray();
        TensorArgument.ThrowIfNullOrAnyDisposed(array, nameof(parameters));
        Parameters = array;
        WeightDecay = weightDecay;
    }

    /// <summary>The parameters of the group, in the order given.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The L2 weight decay λ of the group.</summary>
    public double WeightDecay { get; }
}
