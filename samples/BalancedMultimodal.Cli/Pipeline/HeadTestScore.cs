namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// One head of the trained pipeline scored alone on the test rows (a diagnostic: which head carries the pooled
/// prediction, and whether a weak modality's head learned anything; nothing is chosen with it). The head's probabilities
/// are the mean of its softmax over the fold networks, as the pooled prediction's are; a modality head is scored on the
/// test rows that have its modality.
/// </summary>
/// <param name="Head">"fused" for the fused classifier, else the modality's name.</param>
/// <param name="Rows">The test rows scored.</param>
/// <param name="Accuracy">Accuracy of the head's argmax on those rows; null when there are none (a modality lacking on
/// every test row).</param>
/// <param name="MacroF1">Macro-F1 on those rows; null when there are none.</param>
/// <param name="Auc">ROC AUC on those rows (binary for two classes, one-vs-rest macro for more); null when a class has
/// no row there.</param>
public sealed record HeadTestScore(string Head, int Rows, double? Accuracy, double? MacroF1, double? Auc);
