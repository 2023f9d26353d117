using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Optimization;

/// <summary>
/// Adam (Kingma and Ba, "Adam: a method for stochastic optimization", ICLR 2015) with L2 weight decay added to the
/// gradient, the exact arithmetic of TorchSharp's <c>torch.optim.Adam</c> (0.107, amsgrad and maximize off), with every
/// <see cref="Scalar"/> the update needs created once, held and disposed by this object.
/// </summary>
/// <remarks>
/// <para>Per parameter p with gradient g, step t: g' = g + λ p (when λ &gt; 0; λ the weight decay of p's <see cref="ParameterGroup"/>, one value for all parameters with the first constructor); m = β1 m + (1 - β1) g';
/// v = β2 v + (1 - β2) g'²; p = p - (lr / (1 - β1^t)) m / (sqrt(v) / sqrt(1 - β2^t) + ε). The same tensor operations in
/// the same order as TorchSharp's implementation, so a run gives bit-identical parameters (tested). As in PyTorch, the
/// moments live in the parameter's dtype: in float32 one gradient beyond about 6e20 overflows v to infinity, and the
/// parameter then never moves again (m / sqrt(v) = 0). Nothing checks this per step (a host read per step); a loss
/// scaled so that gradients reach that size needs float64 parameters or gradient clipping.</para>
/// <para>Why not TorchSharp's own: its update converts each C# number to a temporary <see cref="Scalar"/> whose native
/// value is freed by the garbage collector's finalizer; once the handle has been passed to native code the managed
/// object is unreachable, and a collection on another thread can free the value while libtorch still reads it
/// (<c>ExternalException: Expected false to be true</c> from <c>c10::Scalar::toFloat</c>; upstream
/// dotnet/TorchSharp#1434, #1496; docs/native-runtime.md). Here each scalar is a field, alive until
/// <see cref="Dispose"/>, so the race cannot occur in the optimiser step.</para>
/// <para>float16 parameters are not a supported use (as with PyTorch's Adam): the default ε = 1e-8 rounds to 0 in float16
/// and squared gradients below about 6e-8 underflow to 0, so an update can divide by zero and turn the parameter into
/// NaN. Keep parameters in float32 (or float64, or bfloat16, whose exponent range is float32's); for float16, an ε above
/// its smallest normal number 6.1e-5 (e.g. 1e-4) at least avoids the division by zero.</para>
/// </remarks>
public sealed class ExplicitScalarAdam : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private readonly long[] _steps;
    private readonly double[] _weightDecays;
    private readonly Dictionary<double, Scalar> _weightDecayScalars;
    private readonly double _learningRate, _beta1, _beta2;
    private readonly Scalar _beta1Scalar, _oneMinusBeta1, _beta2Scalar, _oneMinusBeta2, _epsilon, _one;
    private bool _disposed;

    /// <summary>Creates the optimiser with one weight decay for every parameter; the moment estimates start at zero
    /// (on each parameter's device and dtype).</summary>
    /// <param name="parameters">The parameters to update, none null, each listed once (a parameter listed twice would be
    /// updated twice per step with two sets of moments).</param>
    /// <param name="learningRate">lr &gt;= 0. Default 1e-3.</param>
    /// <param name="beta1">β1 in [0, 1). Default 0.9.</param>
    /// <param name="beta2">β2 in [0, 1). Default 0.999.</param>
    /// <param name="epsilon">ε &gt;= 0. Default 1e-8.</param>
    /// <param name="weightDecay">λ &gt;= 0 (L2 penalty added to the gradient). Default 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When a hyperparameter is outside its range, or the first step's size
    /// lr / (1 - β1) or ε exceeds the largest finite value of a parameter's dtype, or a positive ε rounds to 0 in it (the
    /// default 1e-8 does in float16; the message names it).</exception>
    /// <exception cref="ArgumentException">A null parameter, the same parameter object listed twice (the message gives
    /// both positions), or a weight decay above the largest finite value of a parameter's dtype (e.g. 3.4e38 for float32;
    /// the message names the parameter's position and dtype).</exception>
    /// <exception cref="ObjectDisposedException">A parameter in <paramref name="parameters"/> has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> is <c>parameters[i]</c>.</exception>
    public ExplicitScalarAdam(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0)
        : this(SingleGroup(parameters, learningRate, beta1, beta2, epsilon, weightDecay), learningRate, beta1, beta2, epsilon, nameof(parameters))
    {
    }

    /// <summary>Creates the optimiser with a weight decay per group of parameters (g' = g + λ_group p); the moment
    /// estimates start at zero (on each parameter's device and dtype).</summary>
    /// <param name="groups">The parameter groups; every parameter non-null and listed once over all groups.</param>
    /// <param name="learningRate">lr &gt;= 0. Default 1e-3.</param>
    /// <param name="beta1">β1 in [0, 1). Default 0.9.</param>
    /// <param name="beta2">β2 in [0, 1). Default 0.999.</param>
    /// <param name="epsilon">ε &gt;= 0. Default 1e-8.</param>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When a hyperparameter is outside its range, or the first step's size
    /// lr / (1 - β1) or ε exceeds the largest finite value of a parameter's dtype, or a positive ε rounds to 0 in it (the
    /// default 1e-8 does in float16; the message names it).</exception>
    /// <exception cref="ArgumentException">A null group or parameter, the same parameter object listed twice (the
    /// message gives both positions, counted over the groups in order), or a group's weight decay above the largest
    /// finite value of one of its parameters' dtype (the message names the parameter's position and dtype).</exception>
    /// <exception cref="ObjectDisposedException">A parameter of a group has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> is <c>groups[g].Parameters[i]</c>.</exception>
    public ExplicitScalarAdam(IEnumerable<ParameterGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8)
        : this(groups ?? throw new ArgumentNullException(nameof(groups)), learningRate, beta1, beta2, epsilon, nameof(groups))
    {
    }

    private ExplicitScalarAdam(IEnumerable<ParameterGroup> groups, double learningRate, double beta1, double beta2, double epsilon, string argumentName)
    {
        CheckHyperparameters(learningRate, beta1, beta2, epsilon);
        var groupArray = groups.ToArray();
        for (int g = 0; g < groupArray.Length; g++)
        {
            if (groupArray[g] is null) throw new ArgumentException($"Parameter group {g} is null.", argumentName);
            // A parameter disposed since its group was made: named as the argument the caller passed.
            TensorArgument.ThrowIfNullOrAnyDisposed(groupArray[g].Parameters, argumentName == nameof(groups) ? $"groups[{g}].Parameters" : argumentName);
        }
        _parameters = groupArray.SelectMany(g => g.Parameters).ToArray();
        _weightDecays = groupArray.SelectMany(g => g.Parameters.Select(_ => g.WeightDecay)).ToArray();
        var firstPosition = new Dictionary<Parameter, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i] is null) throw new ArgumentException($"Parameter {i} is null.", argumentName);
            if (!firstPosition.TryAdd(_parameters[i], i))
                throw new ArgumentException(
                    $"Parameter {i} is the same object as parameter {firstPosition[_parameters[i]]}; list every parameter once (it would be updated twice per step).",
                    argumentName);
        }
        CheckRepresentable(learningRate, beta1, epsilon, argumentName);
        (_learningRate, _beta1, _beta2) = (learningRate, beta1, beta2);
        _beta1Scalar = beta1.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _beta2Scalar = beta2.ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _epsilon = epsilon.ToScalar();
        _weightDecayScalars = _weightDecays.Distinct().ToDictionary(decay => decay, decay => decay.ToScalar());
        _one = 1.ToScalar();
        _firstMoments = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _secondMoments = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _steps = new long[_parameters.Length];
    }

    /// <summary>The single-decay constructor's one group, built after every hyperparameter is checked (in the order of
    /// the signature), so nothing of <paramref name="parameters"/> is read before that.</summary>
    private static ParameterGroup[] SingleGroup(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2,
        double epsilon, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        CheckHyperparameters(learningRate, beta1, beta2, epsilon);
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be finite and >= 0.");
        return [new ParameterGroup(parameters, weightDecay)];
    }

    /// <summary>
    /// Rejects, before any step, a hyperparameter that libtorch could not convert to a parameter's dtype: the weight
    /// decay λ, the first step's size lr / (1 - β1) (the largest, t = 1) and ε must not exceed the dtype's largest
    /// finite value (<c>torch.finfo(dtype).max</c>: 65504 for float16, about 3.4e38 for float32 and bfloat16);
    /// libtorch would otherwise fail inside the first <see cref="Step"/>.
    /// </summary>
    private void CheckRepresentable(double learningRate, double beta1, double epsilon, string argumentName)
    {
        double firstStepSize = learningRate / (1 - beta1);
        for (int i = 0; i < _parameters.Length; i++)
        {
            var dtype = _parameters[i].dtype;
            double largest = LargestFinite(dtype);
            if (_weightDecays[i] > largest)
                throw new ArgumentException(
                    $"Parameter {i} is {dtype}, whose largest finite value is {largest:G9}; its weight decay {_weightDecays[i]:G9} " +
                    "cannot be represented. Lower the decay or use a wider dtype.", argumentName);
            if (firstStepSize > largest)
                throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate,
                    $"The first step's size lr / (1 - beta1) = {firstStepSize:G9} exceeds the largest finite {dtype} value " +
                    $"{largest:G9} (parameter {i}); lower the learning rate.");
            if (epsilon > largest)
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
                    $"epsilon exceeds the largest finite {dtype} value {largest:G9} (parameter {i}).");
            if (epsilon > 0 && RoundsToZero(epsilon, dtype))
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
                    $"epsilon = {epsilon:G9} rounds to 0 in {dtype} (parameter {i}): a zero gradient would then step by 0 / 0 = NaN " +
                    "(and squared gradients below the dtype's smallest value by m / 0 = infinity). Train float32 (or bfloat16) parameters, " +
                    "or raise epsilon above the dtype's smallest positive value.");
        }
    }

    /// <summary>Whether a positive <paramref name="value"/> becomes 0 in <paramref name="dtype"/> (float16's smallest
    /// positive value is about 6e-8, so Adam's usual 1e-8 does).</summary>
    private static bool RoundsToZero(double value, ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32)) return false;
        using var scope = NewDisposeScope();
        return tensor(value, dtype: ScalarType.Float64).to_type(dtype).to_type(ScalarType.Float64).item<double>() == 0;
    }

    /// <summary>The largest finite value of a parameter dtype (of its real part for complex dtypes).</summary>
    private static double LargestFinite(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 => finfo(dtype).max,
        ScalarType.ComplexFloat32 => float.MaxValue,
        _ => double.MaxValue,
    };

    private static void CheckHyperparameters(double learningRate, double beta1, double beta2, double epsilon)
    {
        if (!(learningRate >= 0) || double.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be finite and >= 0.");
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must lie in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must lie in [0, 1).");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and >= 0.");
    }

    /// <summary>The parameters this optimiser updates (the groups' parameters in order).</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The weight decay λ of each of <see cref="Parameters"/>, in the same order.</summary>
    public IReadOnlyList<double> WeightDecays => _weightDecays;

    /// <summary>Sets every existing gradient to zero in place (as TorchSharp's <c>zero_grad</c>).</summary>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // zero_() returns a handle of its own in TorchSharp 0.107: the scope frees it (and grad's), not the gradients.
        using var scope = NewDisposeScope();
        foreach (var p in _parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam update of every parameter that has a gradient (see the class remarks); parameters without a
    /// gradient are skipped and their step count does not advance. Every parameter and gradient is checked before the
    /// first one is updated, so a refused step changes no parameter, moment or step count.</summary>
    /// <exception cref="ObjectDisposedException">This optimiser, or one of its parameters (named by its position), has
    /// been disposed.</exception>
    /// <exception cref="InvalidOperationException">A gradient whose shape, dtype or device differs from its parameter's
    /// (named by its position).</exception>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var gradients = CheckedGradients();
        // The two step-dependent scalars are shared by every parameter at the same step count t (all of them, unless
        // some had no gradient at an earlier step), so they are built once per distinct t and freed at the end.
        long cachedStep = 0;
        Scalar? rootCorrection = null, stepSize = null;
        try
        {
            for (int i = 0; i < _parameters.Length; i++)
            {
                var p = _parameters[i];
                var grad = gradients[i];
                if (grad is null) continue;
                long t = ++_steps[i];
                if (t != cachedStep)
                {
                    rootCorrection?.Dispose();
                    stepSize?.Dispose();
                    rootCorrection = Math.Sqrt(1 - Math.Pow(_beta2, t)).ToScalar();
                    stepSize = (-(_learningRate / (1 - Math.Pow(_beta1, t)))).ToScalar();
                    cachedStep = t;
                }
                if (_weightDecays[i] != 0) grad = grad.add(p, _weightDecayScalars[_weightDecays[i]]);
                _firstMoments[i].mul_(_beta1Scalar).add_(grad, _oneMinusBeta1);
                // conj() is the identity on real tensors (PyTorch's Adam calls it for complex ones); skipping the call
                // there changes no number.
                _secondMoments[i].mul_(_beta2Scalar).addcmul_(grad, grad.is_complex() ? grad.conj() : grad, _oneMinusBeta2);
                var denominator = _secondMoments[i].sqrt().div(rootCorrection!).add_(_epsilon, _one);
                p.addcdiv_(_firstMoments[i], denominator, stepSize!);
            }
        }
        finally
        {
            rootCorrection?.Dispose();
            stepSize?.Dispose();
        }
    }

    /// <summary>Each parameter's gradient (null where it has none), after checking that no parameter is disposed and
    /// that each gradient matches its parameter's shape, dtype and device.</summary>
    private Tensor?[] CheckedGradients()
    {
        var gradients = new Tensor?[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (p.IsInvalid)
                throw new ObjectDisposedException($"parameter {i}", $"Parameter {i} has been disposed; no parameter was updated.");
            var grad = p.grad;
            if (grad is null) continue;
            if (!grad.shape.SequenceEqual(p.shape) || grad.dtype != p.dtype || grad.device_type != p.device_type || grad.device_index != p.device_index)
                throw new InvalidOperationException(
                    $"Parameter {i} ({string.Join(" x ", p.shape)}, {p.dtype}, {p.device}) has a gradient of ({string.Join(" x ", grad.shape)}, {grad.dtype}, {grad.device}); no parameter was updated.");
            gradients[i] = grad;
        }
        return gradients;
    }

    /// <summary>Frees the moment estimates and the scalars.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _firstMoments.Concat(_secondMoments)) t.Dispose();
        foreach (var s in new[] { _beta1Scalar, _oneMinusBeta1, _beta2Scalar, _oneMinusBeta2, _epsilon, _one }.Concat(_weightDecayScalars.Values)) s.Dispose();
    }
}
