using System.Globalization;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Metrics;

namespace BalancedMultimodal.Cli.Commands;

/// <summary><c>bmm predict</c>: class probabilities for new samples from a model saved by <c>bmm train --save</c>.</summary>
public sealed class PredictCommand : ICliCommand
{
    /// <inheritdoc />
    public string Name => "predict";

    /// <inheritdoc />
    public string Summary => "predict new samples with a saved model (no retraining; writes a CSV of class probabilities)";

    /// <inheritdoc />
    public string Usage => """
        usage: bmm predict --model DIR --data DIR [--out predictions.csv] [--heads FILE]

          --model DIR     folder written by bmm train --save
          --data DIR      MOGONET-format folder; its {m}_te.csv files are the new samples (a missing file = that
                          modality missing for all; a row of empty/NA/NaN fields = that sample lacks the modality);
                          a {m}_featname.csv must list the model's feature names in the model's order (checked;
                          columns are never reordered); a file of a modality the model lacks is an error;
                          labels_te.csv, if present, must hold class indices 0..C-1 of the model and is only
                          used to print the accuracy, macro-F1 and AUC (one-vs-rest macro for more than two classes)
          --out FILE      CSV with columns sample (0-based row), predicted_class, p_<class>... (default: predictions.csv)
          --heads FILE    also write what each head said: per sample one line per head (fused first, then each
                          modality) with columns sample, head, share (its say in the pooled prediction, averaged
                          over the fold networks; a sample's shares sum to 1) and p_<class>... (NA where the sample
                          lacks the modality)
        """;

    /// <inheritdoc />
    public int Run(CliArguments args, TextWriter output)
    {
        var modelFolder = args.GetRequiredString("model");
        var dataFolder = args.GetRequiredString("data");
        var outFile = args.GetString("out", "predictions.csv")!;
        var headsFile = args.GetString("heads", null);
        args.EnsureAllConsumed();
        CliPaths.RequireInputFolder(modelFolder, "model", "model");
        CliPaths.RequireInputFolder(dataFolder, "data", "data");
        CliPaths.RequireOutputFile(outFile, "out");
        if (headsFile is not null)
        {
            CliPaths.RequireOutputFile(headsFile, "heads");
            if (Path.GetFullPath(headsFile) == Path.GetFullPath(outFile))
                throw new CliUsageException($"option --heads: '{headsFile}' is also the --out file; give another file");
        }

        using var model = TrainedPipeline.Load(modelFolder);
        var samples = NewSampleFolderLoader.Load(dataFolder, model);
        CliPaths.CreateOutputFileFolder(outFile, "out");
        var result = model.Predict(samples.Modalities);
        File.WriteAllText(outFile, result.ToCsv());
        if (headsFile is not null)
        {
            CliPaths.CreateOutputFileFolder(headsFile, "heads");
            File.WriteAllText(headsFile, result.ToHeadsCsv());
        }
        output.WriteLine($"model: {Path.GetFullPath(modelFolder)} ({model.ModalityNames.Count} modalities, {model.Folds.Count} fold network(s), cohort of {model.CohortSize})");
        output.WriteLine($"predicted {result.SampleCount} sample(s) from {Path.GetFullPath(dataFolder)}");
        if (samples.CheckedFeatureNameFiles.Count > 0)
            output.WriteLine($"feature names match the model: {string.Join(", ", samples.CheckedFeatureNameFiles)}");
        if (samples.UncheckedFeatureNameFiles.Count > 0)
            output.WriteLine($"note: the model stores no feature names to check {string.Join(", ", samples.UncheckedFeatureNameFiles)} against (saved before names were stored, or trained without them); the columns are assumed to be in the training order");
        var partial = Enumerable.Range(0, result.SampleCount).Count(i => samples.Modalities.Any(m => m is null || !m.IsAvailable(i)));
        if (partial > 0) output.WriteLine($"{partial} sample(s) lack at least one modality (attached by their available modalities)");
        // The loader has checked every label against the model's classes.
        if (samples.Labels is { } labels)
        {
            var truth = labels.ToArray();
            double? auc = RocAuc.TryForClasses(truth, result.Probabilities, out var value) ? value : null;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"accuracy against labels_te.csv: {ClassificationMetrics.Accuracy(truth, result.Predictions.ToArray()):F4}  macro-F1 {ClassificationMetrics.MacroF1(truth, result.Predictions.ToArray()):F4}  AUC {(auc is double a ? a.ToString("F4", CultureInfo.InvariantCulture) : "n/a")}"));
        }
        output.WriteLine($"predictions: {Path.GetFullPath(outFile)}");
        if (headsFile is not null)
        {
            output.WriteLine($"heads agreeing with the predicted class (of the samples having the head's modality): {string.Join(", ", result.Heads.Select(h => Agreement(h, result)))}");
            output.WriteLine($"heads: {Path.GetFullPath(headsFile)}");
        }
        return 0;
    }

    /// <summary>"name k/n": on how many of the samples having the head's modality its argmax is the predicted class.</summary>
    private static string Agreement(HeadPrediction head, PredictionResult result)
    {
        var having = Enumerable.Range(0, result.SampleCount).Where(i => !double.IsNaN(head.Probabilities[i, 0])).ToArray();
        // MaxBy keeps the first of equal maxima, as the predicted class does.
        int agreeing = having.Count(i => Enumerable.Range(0, result.ClassNames.Count).MaxBy(c => head.Probabilities[i, c]) == result.Predictions[i]);
        return $"{head.Name} {agreeing}/{having.Length}";
    }
}
