namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// The choice between two MLP-encoder slopes (<see cref="MlpEncoderSettings.AlternativeNegativeSlope"/>): the pipeline
/// ran once with each, and kept <see cref="ChosenSlope"/>, the alternative only when its out-of-fold macro-F1 exceeded
/// the primary's by more than the margin. Validation only; no test label is read before the choice.
/// </summary>
/// <param name="PrimarySlope">The primary slope (<see cref="MlpEncoderSettings.NegativeSlope"/>).</param>
/// <param name="PrimaryOutOfFoldMacroF1">Out-of-fold macro-F1 of the run with the primary slope.</param>
/// <param name="AlternativeSlope">The alternative slope.</param>
/// <param name="AlternativeOutOfFoldMacroF1">Out-of-fold macro-F1 of the run with the alternative slope.</param>
/// <param name="Margin">The margin the alternative had to beat (<see cref="MlpEncoderSettings.SelectionMargin"/>).</param>
/// <param name="ChosenSlope">The slope of the kept run.</param>
public sealed record EncoderSelection(
    double PrimarySlope,
    double PrimaryOutOfFoldMacroF1,
    double AlternativeSlope,
    double AlternativeOutOfFoldMacroF1,
    double Margin,
    double ChosenSlope);
