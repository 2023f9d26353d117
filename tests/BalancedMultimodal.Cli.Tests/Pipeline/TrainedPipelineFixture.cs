using System.Globalization;
using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Layers;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>
/// One tiny pipeline trained once for all persistence tests: a strongly separable two-class synthetic set with three
/// modalities, written in the MOGONET format (train + validation rows as *_tr, half the test rows as *_te, the
/// generator's feature names as {m}_featname.csv, so the model keeps them); the other half of the test rows never
/// enters the cohort and serves as the new samples (written without feature-name files).
/// </summary>
public sealed class TrainedPipelineFixture : IDisposable
{
    public TrainedPipelineFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "bmm-persist-" + Guid.NewGuid().ToString("N"));
        DataFolder = Path.Combine(Root, "data");
        NewSampleFolder = Path.Combine(Root, "new");
        ModelFolder = Path.Combine(Root, "model");
        var generated = new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions
        {
            SampleCount = 120,
            ClassProportions = [0.5, 0.5],
            Modalities =
            [
                new SyntheticModalityOptions { Name = "a", FeatureCount = 12, InformativeFeatureCount = 6, SignalStrength = 1.5 },
                new SyntheticModalityOptions { Name = "b", FeatureCount = 10, InformativeFeatureCount = 5, SignalStrength = 1.0 },
                new SyntheticModalityOptions { Name = "c", FeatureCount = 8, InformativeFeatureCount = 4, SignalStrength = 0.8 },
            ],
            ValidationFraction = 0.15,
            TestFraction = 0.35,
            Seed = 3,
        }).Generate();
        var cohortTrain = generated.TrainIndices.Concat(generated.ValidationIndices).ToArray();
        var cohortTest = generated.TestIndices.Where((_, i) => i % 2 == 0).ToArray();
        NewRows = generated.TestIndices.Where((_, i) => i % 2 == 1).ToArray();
        Generated = generated;
        WriteMogonet(DataFolder, generated, cohortTrain, "tr");
        WriteMogonet(DataFolder, generated, cohortTest, "te");
        WriteFeatureNames(DataFolder, generated);
        WriteMogonet(NewSampleFolder, generated, NewRows, "te");

        var dataset = MogonetFolderLoader.Load(DataFolder);
        var result = new TrainingPipeline(Options()) { KeepTrainedModel = true }.Run(dataset);
        Model = result.Model!;
        Model.Save(ModelFolder);
    }

    /// <summary>Small, fast settings (the scale of the test data).</summary>
    public static PipelineOptions Options(int[]? hiddenSizes = null) => new()
    {
        Seed = 1,
        CrossFitFolds = 2,
        CrossFitRepeats = 1,
        EncoderKind = ModalityEncoderKind.RelationalGcn,
        GraphNeighbours = 5,
        Affinity = new AffinityOptions { K = 8 },
        Fusion = new SimilarityNetworkFusionOptions { K = 8, Iterations = 10 },
        Encoder = new RelationalGcnOptions { HiddenSizes = hiddenSizes ?? [16], Dropout = 0.2 },
        Training = new BalancedTrainingOptions
        {
            PretrainingEpochs = 40,
            DistillationEpochs = 10,
            JointEpochs = 40,
            LearningRate = 1e-2,
            EvaluationInterval = 5,
            Assessment = new() { Permutations = 19 },
        },
    };

    public string Root { get; }

    public string DataFolder { get; }

    public string NewSampleFolder { get; }

    public string ModelFolder { get; }

    public MultimodalDataset Generated { get; }

    /// <summary>Rows of <see cref="Generated"/> that are not in the cohort.</summary>
    public int[] NewRows { get; }

    /// <summary>The in-memory trained model.</summary>
    public TrainedPipeline Model { get; }

    public int[] NewLabels => NewRows.Select(r => Generated.Labels[r]).ToArray();

    /// <summary>The new samples as the model expects them (names "1", "2", "3" as in the MOGONET folder).</summary>
    public Modality?[] NewModalities(Func<int, int, bool>? available = null) =>
        Enumerable.Range(0, Generated.ModalityCount).Select(m =>
        {
            var source = Generated.Modalities[m];
            var values = new double[NewRows.Length, source.FeatureCount];
            var mask = new bool[NewRows.Length];
            for (int i = 0; i < NewRows.Length; i++)
            {
                mask[i] = available?.Invoke(i, m) ?? true;
                var row = source.GetRow(NewRows[i]);
                for (int j = 0; j < source.FeatureCount; j++) values[i, j] = mask[i] ? row[j] : double.NaN;
            }
            return mask.Any(x => x) ? new Modality((m + 1).ToString(CultureInfo.InvariantCulture), values, availability: mask) : null;
        }).ToArray();

    /// <summary><see cref="Options"/> with graph-free MLP encoders (one hidden layer of 8, dropout 0.2), the given
    /// prediction rule and a short distillation phase.</summary>
    public static PipelineOptions MlpOptions(PredictionSource prediction)
    {
        var options = Options();
        options.EncoderKind = ModalityEncoderKind.Mlp;
        options.MlpEncoder.HiddenSizes = [8];
        options.MlpEncoder.Dropout = 0.2;
        options.Training.Prediction = prediction;
        options.Training.DistillationEpochs = 2;
        return options;
    }

    /// <summary>A model trained on the fixture's data with <see cref="MlpOptions"/> (kept; the caller disposes it).</summary>
    public TrainedPipeline TrainMlp(PredictionSource prediction) =>
        new TrainingPipeline(MlpOptions(prediction)) { KeepTrainedModel = true }.Run(MogonetFolderLoader.Load(DataFolder)).Model!;

    /// <summary>
    /// Asserts that <paramref name="model"/>'s prediction for the new rows is, to 1e-5, the fold average of
    /// <paramref name="pool"/> applied by hand to each fold network's outputs on the new rows, standardised with the
    /// model's training statistics (MLP encoders see each row alone, so no graph is involved).
    /// </summary>
    public void PredictionShouldBeTheFoldAverageOf(TrainedPipeline model, Func<TrainedFold, NetworkOutputs, TorchSharp.torch.Tensor> pool)
    {
        var modalities = NewModalities();
        var predicted = model.Predict(modalities);
        using var scope = TorchSharp.torch.NewDisposeScope();
        int n = NewRows.Length;
        var features = StandardizedByHand(model, modalities);
        var expected = TorchSharp.torch.zeros(n, predicted.ClassNames.Count, dtype: TorchSharp.torch.ScalarType.Float64);
        using (TorchSharp.torch.no_grad())
            foreach (var fold in model.Folds)
                expected.add_(pool(fold, fold.Network.Forward(features)).to(TorchSharp.torch.ScalarType.Float64));
        expected.div_(model.Folds.Count);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < predicted.ClassNames.Count; c++)
                predicted.Probabilities[i, c].Should().BeApproximately(expected[i, c].item<double>(), 1e-5);
    }

    /// <summary>The complete new rows standardised by hand with <paramref name="model"/>'s training statistics, in its
    /// dtype: the input of its fold networks when the encoders see each row alone (MLP).</summary>
    public TorchSharp.torch.Tensor[] StandardizedByHand(TrainedPipeline model, Modality?[] modalities)
    {
        int n = NewRows.Length;
        return Enumerable.Range(0, modalities.Length).Select(m =>
        {
            var values = new double[n * model.FeatureCounts[m]];
            for (int i = 0; i < n; i++)
            {
                var row = modalities[m]!.GetRow(i);
                for (int j = 0; j < row.Length; j++)
                    values[i * row.Length + j] = (row[j] - model.Standardizer.Means[m][j]) / model.Standardizer.Scales[m][j];
            }
            return TorchSharp.torch.tensor(values, [n, model.FeatureCounts[m]], dtype: TorchSharp.torch.ScalarType.Float64).to(model.DType);
        }).ToArray();
    }

    /// <summary>A fresh copy of the saved model folder, for tests that damage it.</summary>
    public string CopyOfModel()
    {
        var copy = Path.Combine(Root, "copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(ModelFolder)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    public static void WriteMogonet(string folder, MultimodalDataset data, int[] rows, string split)
    {
        Directory.CreateDirectory(folder);
        for (int m = 0; m < data.ModalityCount; m++)
        {
            var modality = data.Modalities[m];
            var lines = rows.Select(r =>
            {
                var row = modality.GetRow(r).ToArray();
                return string.Join(',', row.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            });
            File.WriteAllLines(Path.Combine(folder, $"{m + 1}_{split}.csv"), lines);
        }
        File.WriteAllLines(Path.Combine(folder, $"labels_{split}.csv"), rows.Select(r => data.Labels[r].ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Writes <c>{m}_featname.csv</c> with the generator's feature names of every modality.</summary>
    public static void WriteFeatureNames(string folder, MultimodalDataset data)
    {
        for (int m = 0; m < data.ModalityCount; m++)
            File.WriteAllLines(Path.Combine(folder, $"{m + 1}_featname.csv"), data.Modalities[m].FeatureNames!);
    }

    public void Dispose()
    {
        Model.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
