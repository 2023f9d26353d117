using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;

namespace BalancedMultimodal.Cli.Plotting;

/// <summary>Writes every figure of <c>bmm train --plots</c> into one folder.</summary>
public static class TrainingPlots
{
    /// <summary>File name of <see cref="TrainingCurvesPlot"/>.</summary>
    public const string TrainingCurvesFile = "training_curves.png";

    /// <summary>File name of <see cref="ModalityWeightsPlot"/>.</summary>
    public const string ModalityWeightsFile = "modality_weights.png";

    /// <summary>File name of <see cref="ConfusionMatrixPlot"/>.</summary>
    public const string ConfusionMatrixFile = "confusion_matrix.png";

    /// <summary>File name of <see cref="FusedSimilarityPlot"/>.</summary>
    public const string FusedSimilarityFile = "fused_similarity.png";

    /// <summary>
    /// Writes the training curves, the modality weights, the test confusion matrix and the class-ordered fused
    /// similarity matrix (recomputed by <see cref="FusedSimilarityMatrix"/>) into <paramref name="folder"/>. The last
    /// is left out when the data's incomplete samples cannot carry the SNF graph
    /// (<see cref="TrainingPipeline.PatientGraphFloorFailure"/>; a run with the graph-free MLP encoder builds no graph and
    /// may train on such data); <see cref="SkippedPlotNote"/> then says why. The confusion matrix, of the test
    /// predictions, is left out when the data have no test split (<see cref="PipelineResult.HasTestSplit"/>;
    /// <see cref="NoTestSplitPlotNote"/>). A plot left out is deleted from the folder if an earlier run wrote it there
    /// (a regular file of that name), so that it does not stand beside this run's metrics as if it were this run's;
    /// <c>bmm train</c> says so (<see cref="PlotFilesIn"/>).
    /// </summary>
    /// <param name="result">The finished run.</param>
    /// <param name="dataset">The dataset the run was trained on (raw, before standardisation).</param>
    /// <param name="options">The options of the run.</param>
    /// <param name="folder">The output folder (created when missing).</param>
    /// <returns>The full paths of the files written, in the order above.</returns>
    public static IReadOnlyList<string> WriteAll(PipelineResult result, MultimodalDataset dataset, PipelineOptions options, string folder)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        string Path1(string file) => Path.GetFullPath(Path.Combine(folder, file));

        var paths = new List<string>();
        TrainingCurvesPlot.Save(result.Folds, result.ModalityNames, Path1(TrainingCurvesFile));
        paths.Add(Path1(TrainingCurvesFile));
        ModalityWeightsPlot.Save(result.Folds, result.ModalityNames, Path1(ModalityWeightsFile));
        paths.Add(Path1(ModalityWeightsFile));
        if (result.HasTestSplit)
        {
            ConfusionMatrixPlot.Save(result.TestLabels, result.TestPredictions, dataset.ClassCount, dataset.ClassNames, Path1(ConfusionMatrixFile));
            paths.Add(Path1(ConfusionMatrixFile));
        }
        else
        {
            DeleteEarlierPlot(Path1(ConfusionMatrixFile)); // an earlier run's plot would stand beside this run's metrics
        }
        if (SkippedPlotNote(dataset, options) is not null)
        {
            DeleteEarlierPlot(Path1(FusedSimilarityFile));
            return paths;
        }
        var fused = FusedSimilarityMatrix.Compute(dataset, options);
        var plotted = FusedSimilarityMatrix.Rows(dataset, options.IncompleteSampleGraph).Select(r => dataset.Labels[r]).ToArray();
        FusedSimilarityPlot.Save(fused, plotted, dataset.ClassCount, dataset.ClassNames, Path1(FusedSimilarityFile));
        paths.Add(Path1(FusedSimilarityFile));
        return paths;
    }

    /// <summary>The plot files of <see cref="WriteAll"/> present in <paramref name="folder"/> as regular files: a caller
    /// that compares them before and after the call can say which earlier plots it removed.</summary>
    /// <param name="folder">The output folder.</param>
    /// <returns>The full paths, in the order of <see cref="WriteAll"/>.</returns>
    public static IReadOnlyList<string> PlotFilesIn(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return new[] { TrainingCurvesFile, ModalityWeightsFile, ConfusionMatrixFile, FusedSimilarityFile }
            .Select(file => Path.GetFullPath(Path.Combine(folder, file))).Where(File.Exists).ToArray();
    }

    /// <summary>Deletes a plot file an earlier run left under a name this run does not draw (a regular file only: a
    /// folder of that name is left alone).</summary>
    private static void DeleteEarlierPlot(string path)
    {
        if (File.Exists(path)) File.Delete(path);
    }

    /// <summary>Why <see cref="WriteAll"/> leaves out <see cref="ConfusionMatrixFile"/> for a run without a test split.</summary>
    public const string NoTestSplitPlotNote =
        ConfusionMatrixFile + " not written: the data have no test split, and the confusion matrix is of the test predictions (the out-of-fold scores are in metrics.json)";

    /// <summary>Why <see cref="WriteAll"/> leaves out <see cref="FusedSimilarityFile"/> for these data and options, or
    /// null when it writes it.</summary>
    /// <param name="dataset">The dataset the run was trained on.</param>
    /// <param name="options">The options of the run.</param>
    /// <returns>The note, or null.</returns>
    public static string? SkippedPlotNote(MultimodalDataset dataset, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        return TrainingPipeline.PatientGraphFloorFailure(options, dataset) is { } failure
            ? $"{FusedSimilarityFile} not written: the fused similarity cannot be computed for these samples ({failure})"
            : null;
    }
}
