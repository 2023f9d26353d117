using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Weighting;

/// <summary>
/// Creates the configured <see cref="IModalityLossWeighter"/> once the number of modalities is known
/// (registered by the dependency-injection extension; the policy comes from <see cref="ModalityWeightingOptions.Policy"/>).
/// </summary>
public sealed class ModalityLossWeighterFactory
{
    /// <summary>Creates the factory from validated options.</summary>
    /// <param name="options">Validated by <see cref="ModalityWeightingOptionsValidator"/>.</param>
    public ModalityLossWeighterFactory(ModalityWeightingOptions options)
    {
        Options = OptionsGuard.Validate(new ModalityWeightingOptionsValidator(), options, nameof(options));
    }

    /// <inheritdoc cref="ModalityLossWeighterFactory(ModalityWeightingOptions)" />
    public ModalityLossWeighterFactory(IOptions<ModalityWeightingOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>The options: the object given at construction, not a copy.</summary>
    /// <remarks>Changes made through this object apply to the weighters created afterwards: <see cref="Create"/>
    /// validates the options again with <see cref="ModalityWeightingOptionsValidator"/> (as the constructor) before any
    /// work, and gives every weighter its own copy of its policy's nested options, so that changing one weighter's
    /// options does not reach the factory or the other weighters.</remarks>
    public ModalityWeightingOptions Options { get; }

    /// <summary>Creates a weighter of the configured policy for <paramref name="modalityCount"/> modalities.</summary>
    /// <param name="modalityCount">M (&gt;= 1; &gt;= 2 for OGM-GE).</param>
    /// <param name="device">Device of learned parameters (uncertainty policy only).</param>
    /// <param name="dtype">Dtype of learned parameters (uncertainty policy only; default float32).</param>
    /// <returns>A new weighter with its own copy of the policy's options; all weights start at their initial values. The
    /// caller owns it: the uncertainty policy's weighter is a module holding learned parameters (outside every dispose
    /// scope), so dispose the weighter when it is <see cref="IDisposable"/>; the other policies hold no tensor.</returns>
    /// <exception cref="ArgumentException"><see cref="Options"/> changed since construction and are no longer valid,
    /// e.g. an undefined <see cref="ModalityWeightingOptions.Policy"/> (the message names the option), or (uncertainty
    /// policy) a non-floating <paramref name="dtype"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modalityCount"/> below the policy's minimum.</exception>
    public IModalityLossWeighter Create(int modalityCount, Device? device = null, ScalarType? dtype = null)
    {
        OptionsGuard.Validate(new ModalityWeightingOptionsValidator(), Options, nameof(Options));
        return Options.Policy switch
        {
            ModalityWeightingPolicy.PerformanceGated => new PerformanceGatedWeighter(modalityCount, Copy(Options.PerformanceGated)),
            ModalityWeightingPolicy.Uniform => new UniformWeighter(modalityCount),
            ModalityWeightingPolicy.OgmGe => new OgmGeWeighter(modalityCount, new OgmGeWeighterOptions { Alpha = Options.OgmGe.Alpha, Formula = Options.OgmGe.Formula }),
            ModalityWeightingPolicy.Uncertainty => new UncertaintyWeighter(modalityCount,
                new UncertaintyWeighterOptions { InitialLogVariance = Options.Uncertainty.InitialLogVariance }, device, dtype),
            var policy => throw new ArgumentOutOfRangeException(nameof(Options), policy, $"Unknown {nameof(ModalityWeightingPolicy)} {(int)policy}."),
        };
    }

    private static PerformanceGatedWeighterOptions Copy(PerformanceGatedWeighterOptions o) => new()
    {
        Beta = o.Beta, Gamma = o.Gamma, EmaDecay = o.EmaDecay, MinWeight = o.MinWeight, MaxWeight = o.MaxWeight, ChanceLevel = o.ChanceLevel,
    };
}
