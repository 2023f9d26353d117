using BalancedMultimodal.Core.Encoding;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// The MLP encoder of every modality when <see cref="PipelineOptions.EncoderKind"/> is <see cref="ModalityEncoderKind.Mlp"/>:
/// Core's <see cref="MlpEncoder"/>, h = act(Dropout(x) W_1 + b_1), then the same for every further hidden size.
/// A separate settings class because a JSON list replaces an array default but would be appended to the
/// <see cref="MlpEncoderOptions.HiddenSizes"/> list default.
/// </summary>
public sealed class MlpEncoderSettings
{
    /// <summary>Widths of the hidden layers; the last is the embedding width. Default [32] (one layer, as the GCN encoder's default).</summary>
    public int[] HiddenSizes { get; set; } = [32];

    /// <summary>Dropout before every layer (the input included) while training, in [0, 1). Default 0.2 (0.5, Core's
    /// default, scored lower on out-of-fold validation: docs/results.md).</summary>
    public double Dropout { get; set; } = 0.2;

    /// <summary>Negative slope of the LeakyReLU after every layer. Default 1: the activation is the identity, so each
    /// modality's encoder is linear, a rank-32 map of its features (twelfth session: nested validation macro-F1 0.793
    /// against 0.786 with MOGONET's 0.25, the same AUC; docs/results.md). Set 0.25 for MOGONET's nonlinear encoder.</summary>
    public double NegativeSlope { get; set; } = 1.0;

    /// <summary>
    /// A second slope to try, or null for none. When set (and different from <see cref="NegativeSlope"/>), the pipeline
    /// runs twice, once with each slope, and keeps the run whose out-of-fold macro-F1 (validation only) exceeds the
    /// other's by more than <see cref="SelectionMargin"/>, else the run with <see cref="NegativeSlope"/>. Default 0.25
    /// (MOGONET's nonlinear encoder): a cohort that needs a nonlinearity gets it, the linear encoder is kept where it is
    /// as good (docs/pipeline.md, "Why the encoder is linear"). Twice the training time; null runs once.
    /// </summary>
    public double? AlternativeNegativeSlope { get; set; } = 0.25;

    /// <summary>How much higher the alternative's out-of-fold macro-F1 must be to replace the primary slope's run,
    /// in [0, 1). Default 0.01 (about the fold-to-fold noise on ROSMAP), so that the simpler primary encoder wins ties.</summary>
    public double SelectionMargin { get; set; } = 0.01;

    /// <summary>The equivalent Core options (validated by <see cref="MlpEncoderFactory"/>).</summary>
    /// <returns>New options with these values.</returns>
    public MlpEncoderOptions ToOptions() => new() { HiddenSizes = HiddenSizes.ToList(), Dropout = Dropout, NegativeSlope = NegativeSlope };
}
