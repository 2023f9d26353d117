namespace BalancedMultimodal.Core.Metrics;

/// <summary>Precision, recall and F1 of one class (scikit-learn's <c>precision_recall_fscore_support</c>, zero_division = 0).</summary>
/// <param name="Class">The class c.</param>
/// <param name="Precision">TP / (TP + FP), or 0 when the class is never predicted.</param>
/// <param name="Recall">TP / (TP + FN), or 0 when the class never occurs.</param>
/// <param name="F1">2 TP / (2 TP + FP + FN) (the harmonic mean of precision and recall), or 0 when that is 0/0.</param>
/// <param name="Support">Number of samples whose true class is c.</param>
public sealed record ClassMetrics(int Class, double Precision, double Recall, double F1, int Support);
