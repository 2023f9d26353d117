using System.Globalization;
using BalancedMultimodal.Core;
using BalancedMultimodal.Distillation.Losses;
using Microsoft.Extensions.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>
/// Learned uncertainty weighting (Kendall, Gal and Cipolla, "Multi-task learning using uncertainty to weigh losses",
/// CVPR 2018), in the form of METHOD.md section 8:
/// <code>
/// L = sum_m exp(-s_m) L_m + s_m
/// </code>
/// with one learnable log-variance s_m per modality (a parameter vector of shape (M)). The effective weight of
/// modality m is exp(-s_m); at the optimum of s_m for a fixed loss, exp(-s_m) = 1 / L_m, so noisy (high-loss) tasks are
/// down-weighted. The regulariser s_m stops the trivial solution s_m -&gt; infinity.
/// </summary>
/// <remarks>Pass <see cref="TrainableParameters"/> (or this module's <c>parameters()</c>) to the optimiser together with
/// the model's parameters. <see cref="Update"/> only validates the scores: this policy learns from the losses.</remarks>
public sealed class UncertaintyWeighter : nn.Module, IModalityLossWeighter
{
    private readonly Parameter logVariances;

    /// <summary>Creates the policy with s_m = <see cref="UncertaintyWeighterOptions.InitialLogVariance"/> for every modality.</summary>
    /// <param name="modalityCount">M &gt;= 1.</param>
    /// <param name="options">Validated by <see cref="UncertaintyWeighterOptionsValidator"/>.</param>
    /// <param name="device">Device of the log-variances (default: the default device); losses on another device are rejected.</param>
    /// <param name="dtype">Dtype of the log-variances (default float32); <see cref="WeightedLoss"/> refuses losses of
    /// another dtype, so pass the losses' dtype (e.g. float64 for a float64 model) or convert the module with <c>.to(dtype)</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a floating type (float16, bfloat16, float32,
    /// float64), or <see cref="UncertaintyWeighterOptions.InitialLogVariance"/> s cannot start the policy there: |s| above the
    /// dtype's largest finite value, a weight exp(-s) that overflows it (s below about -ln of that value), or M |s| above
    /// it (the weighted loss adds the M log-variances); the message names the option.</exception>
    public UncertaintyWeighter(int modalityCount, UncertaintyWeighterOptions options, Device? device = null, ScalarType? dtype = null)
        : base(nameof(UncertaintyWeighter))
    {
        WeighterArguments.ModalityCount(modalityCount);
        Losses.TensorArguments.FloatingDType(dtype, nameof(dtype));
        Options = OptionsGuard.Validate(new UncertaintyWeighterOptionsValidator(), options, nameof(options));
        if (UnrepresentableInitialLogVariance(Options.InitialLogVariance, dtype ?? ScalarType.Float32, modalityCount) is { } failure)
            throw new ArgumentException(failure, nameof(options));
        ModalityCount = modalityCount;
        using (var initialLogVariance = Options.InitialLogVariance.ToScalar())
            logVariances = new Parameter(full(modalityCount, initialLogVariance, dtype: dtype ?? ScalarType.Float32, device: device));
        logVariances.DetachFromDisposeScope(); // owned by the module, not by the scope it is built in
        RegisterComponents();
    }

    /// <summary>Why an initial log-variance <paramref name="initialLogVariance"/> cannot start the policy for
    /// <paramref name="modalityCount"/> modalities in <paramref name="dtype"/> (null when it can), judged on s as the
    /// dtype stores it (float16 stores -11.08987, which is -ln 65504, as -11.09375): s beyond the dtype's largest finite value
    /// (<c>torch.finfo(dtype).max</c>), a weight exp(-s) that overflows in the dtype, or a sum of the M log-variances in
    /// the weighted loss sum_m exp(-s_m) L_m + s_m that overflows it (M |s| &gt; max). The option's own validator checks
    /// finiteness only, since the dtype and M are known only here and to the trainer, which checks before phase 1.</summary>
    internal static string? UnrepresentableInitialLogVariance(double initialLogVariance, ScalarType dtype, int modalityCount)
    {
        double largest = finfo(dtype).max;
        string option = $"{nameof(UncertaintyWeighterOptions)}.{nameof(UncertaintyWeighterOptions.InitialLogVariance)} = " +
                        initialLogVariance.ToString("G9", CultureInfo.InvariantCulture);
        string dtypeMax = string.Create(CultureInfo.InvariantCulture, $"the largest finite {dtype} value {largest:G9}");
        if (Math.Abs(initialLogVariance) > largest)
            return $"{option} is beyond {dtypeMax}, the dtype of the log-variances.";
        // In the dtype, as libtorch will compute it: the stored s and its weight.
        using var scope = NewDisposeScope();
        var stored = tensor(initialLogVariance, ScalarType.Float64).to_type(dtype);
        double storedValue = stored.to_type(ScalarType.Float64).item<double>();
        if (!stored.neg().exp().isfinite().item<bool>())
            return string.Create(CultureInfo.InvariantCulture,
                $"{option} (stored as {storedValue:G9} in {dtype}) gives every modality the weight exp(-s) = {Math.Exp(-storedValue):G9}, beyond {dtypeMax}: use s > -ln({largest:G9}) = {-Math.Log(largest):G9}, rounded in {dtype}.");
        if (modalityCount * Math.Abs(storedValue) > largest)
            return string.Create(CultureInfo.InvariantCulture,
                $"{option}: the weighted loss adds the {modalityCount} log-variances, {modalityCount} x {Math.Abs(storedValue):G9} (|s| as {dtype} stores it), beyond {dtypeMax}: use an s that {dtype} stores at |s| <= {largest / modalityCount:G9}.");
        return null;
    }

    /// <inheritdoc cref="UncertaintyWeighter(int, UncertaintyWeighterOptions, Device?, ScalarType?)" />
    public UncertaintyWeighter(int modalityCount, IOptions<UncertaintyWeighterOptions> options, Device? device = null, ScalarType? dtype = null)
        : this(modalityCount, (options ?? throw new ArgumentNullException(nameof(options))).Value, device, dtype)
    {
    }

    /// <summary>The options: the object given at construction, not a copy.</summary>
    /// <remarks>They are read only by the constructor (the initial log-variance); changing them afterwards has no effect
    /// on this weighter, whose log-variances are learned.</remarks>
    public UncertaintyWeighterOptions Options { get; }

    /// <inheritdoc />
    public string Name => "uncertainty";

    /// <inheritdoc />
    public int ModalityCount { get; }

    /// <summary>The learnable log-variances s_1..s_M, shape (M).</summary>
    public Parameter LogVariances => logVariances;

    /// <summary>The current effective weights exp(-s_m), read from the parameters.</summary>
    public IReadOnlyList<double> Weights
    {
        get
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return logVariances.neg().exp().to(ScalarType.Float64).cpu().data<double>().ToArray();
        }
    }

    /// <summary>The log-variance vector, the one parameter the caller's optimiser trains.</summary>
    public IReadOnlyList<Parameter> TrainableParameters => [logVariances];

    /// <summary>Validates the scores; the weights are learned, not set from scores.</summary>
    /// <inheritdoc />
    public void Update(IReadOnlyList<double> scores) => WeighterArguments.Scores(scores, ModalityCount);

    /// <summary>sum_m exp(-s_m) L_m + s_m; gradient flows into both the losses and the log-variances.</summary>
    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The weighted loss is not finite although every loss is: a log-variance
    /// has diverged (a loss of exactly 0 lets it fall until exp(-s) overflows the dtype), or a term or the sum overflows
    /// the dtype; the message names the modality and the cause.</exception>
    /// <exception cref="ObjectDisposedException">A loss in <paramref name="modalityLosses"/> has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> is <c>modalityLosses[m]</c>.</exception>
    /// <exception cref="ArgumentException">Not one scalar floating loss per modality on one device, a loss that is NaN
    /// or infinite (naming the modality index), losses of different dtypes, or losses on another device or of another
    /// dtype than the log-variances (naming both dtypes).</exception>
    public Tensor WeightedLoss(IReadOnlyList<Tensor> modalityLosses)
    {
        WeighterArguments.Losses(modalityLosses, ModalityCount);
        var device = modalityLosses[0].device;
        if (device.type != logVariances.device.type || device.index != logVariances.device.index)
            throw new ArgumentException($"The losses are on {device} but the log-variances on {logVariances.device}; create the weighter on the losses' device.", nameof(modalityLosses));
        // Refused rather than converted: float32 log-variances under float64 losses would compute exp(-s_m) from
        // rounded values (0.3 stored as 0.30000001192) while the losses look float64.
        var dtype = modalityLosses[0].dtype;
        if (dtype != logVariances.dtype)
            throw new ArgumentException(
                $"The losses are {dtype} but the log-variances are {logVariances.dtype}; construct the weighter with dtype: {dtype} (the losses' dtype) or convert it with .to({dtype}).",
                nameof(modalityLosses));
        using var scope = NewDisposeScope();
        var losses = stack(modalityLosses.Select(l => l.reshape(Array.Empty<long>())).ToArray());
        var s = logVariances;
        var terms = (s.neg().exp() * losses).Plus(s);
        var total = terms.sum();
        // One read of the total: exp(-s_m) L_m can overflow the dtype. A zero loss is the usual cause: the objective is
        // then unbounded below, s_m drifts down each step until exp(-s_m) overflows, and 0 * infinity turns the loss
        // and every gradient NaN. Refused, naming the modality, instead.
        if (!total.detach().isfinite().item<bool>())
        {
            var finite = terms.detach().isfinite().cpu().data<bool>().ToArray();
            int m = Array.IndexOf(finite, false);
            if (m < 0)
                throw new InvalidOperationException(
                    $"The uncertainty-weighted loss {TensorArguments.ScalarText(total)} overflows {dtype}, although each modality's term is finite; use float64 or smaller losses.");
            double sValue = s[m].to(ScalarType.Float64).item<double>();
            double loss = losses[m].to(ScalarType.Float64).item<double>();
            throw new InvalidOperationException(loss == 0
                ? $"Modality {m}'s uncertainty weight has diverged: its loss is exactly 0, so its log-variance s = {sValue:G4} fell until exp(-s) L + s " +
                  $"is {TensorArguments.ScalarText(terms[m])} in {dtype}. A loss of exactly 0 (a fully fitted training set) lets s fall without bound; stop earlier, regularise, or use another weighter."
                : $"Modality {m}'s term exp(-s) L + s overflows {dtype} (log-variance s = {sValue:G4}, loss {loss:G4}); use float64 or smaller losses.");
        }
        return total.MoveToOuterDisposeScope();
    }
}
