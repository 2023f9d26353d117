using System.Globalization;
using BalancedMultimodal.Distillation.Training;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>Prints the short summary of a pipeline run.</summary>
public static class SummaryTable
{
    /// <summary>The line that replaces the test scores of a run on data without a test split.</summary>
    public const string NoTestSplitNote =
        "no test split (no labels_te.csv or {m}_te.csv): only out-of-fold scores are reported (each fold's validation rows, scored by the models that did not train on them)";

    /// <summary>Writes the per-modality table and the test metrics (without a test split, <see cref="NoTestSplitNote"/>
    /// and the out-of-fold scores instead).</summary>
    public static void Write(TextWriter output, PipelineResult r)
    {
        output.WriteLine();
        output.WriteLine("modality     val F1 (phase 1)  val F1 (distilled)  val F1 (final)  weight  role per fold (strong, <-teacher, gate closed)");
        for (int m = 0; m < r.ModalityNames.Count; m++)
        {
            var roles = r.Folds.Select(f => f.Plan?.Modalities[m]).Select(a => a is null ? "-" : a.IsStrong ? "strong" : a.GateOpen ? $"<-{a.TeacherName}" : "closed");
            string role = string.Join(",", roles);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.ModalityNames[m],-12} {r.PretrainingValidationScores[m],16:F4}  {r.DistilledValidationScores[m],18:F4}  {(r.FinalValidationScores.Count > m ? r.FinalValidationScores[m] : double.NaN),14:F4}  {r.FinalWeights[m],6:F3}  {role}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fused validation macro-F1 (mean of {r.Folds.Count} folds): {r.FusedValidationScore:F4}; out-of-fold macro-F1: {r.OutOfFoldMacroF1:F4}"));
        if (r.PoolingWeights is { } pooling)
            output.WriteLine("pooling weights of the heads (mean of folds): " + string.Join(", ",
                new[] { "fused head" }.Concat(r.ModalityNames).Zip(pooling, (name, w) => string.Create(CultureInfo.InvariantCulture, $"{name} {w:F3}"))));
        if (r.EncoderSelection is { } selection)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"encoder slope: {selection.ChosenSlope} kept (out-of-fold macro-F1 {selection.PrimaryOutOfFoldMacroF1:F4} with slope {selection.PrimarySlope}, {selection.AlternativeOutOfFoldMacroF1:F4} with {selection.AlternativeSlope}; margin {selection.Margin})"));
        if (r.ClassWeighting != ClassWeighting.None)
            output.WriteLine($"class weighting: {r.ClassWeighting} (every cross-entropy weighted by N / (C n_c) on each fold's training rows)");
        output.WriteLine();
        if (!r.HasTestSplit)
        {
            WriteOutOfFoldOnly(output, r);
            return;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test ({r.TestRows.Count} samples): accuracy {r.Accuracy:F4}  macro-F1 {r.MacroF1:F4}  weighted-F1 {r.WeightedF1:F4}  AUC {(r.Auc is double a ? a.ToString("F4", CultureInfo.InvariantCulture) : "n/a")}  ({r.Seconds:F1} s)"));
        if (r.MacroAucOneVsRest is double oneVsRest)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test one-vs-rest macro AUC ({r.TestProbabilities.GetLength(1)} classes): {oneVsRest:F4}"));
        if (r.HeadTestScores.Count > 0)
            output.WriteLine("test macro-F1 of each head alone: " + string.Join(", ", r.HeadTestScores.Select(h => string.Create(CultureInfo.InvariantCulture,
                $"{(h.Head == HeadPrediction.FusedHeadName ? "fused head" : h.Head)} {(h.MacroF1 is double f ? f.ToString("F4", CultureInfo.InvariantCulture) : "n/a")}{(h.Rows < r.TestRows.Count ? $" ({h.Rows} rows)" : "")}"))));
    }

    private static void WriteOutOfFoldOnly(TextWriter output, PipelineResult r)
    {
        static string Score(double? value) => value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
        output.WriteLine(NoTestSplitNote);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"out-of-fold ({r.OutOfFoldRows?.Count ?? 0} samples): macro-F1 {r.OutOfFoldMacroF1:F4}  AUC {Score(r.OutOfFoldAuc)}  log-loss {Score(r.OutOfFoldLogLoss)}  ({r.Seconds:F1} s)"));
    }
}
