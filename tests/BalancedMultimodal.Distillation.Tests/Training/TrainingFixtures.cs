using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Training;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>Small synthetic problems and fast options shared by the trainer tests.</summary>
internal static class TrainingFixtures
{
    public static MultimodalDataset StrongWeakNoise(int seed = 3, int samples = 240) =>
        new SyntheticMultiomicsGenerator(new SyntheticMultiomicsOptions
        {
            SampleCount = samples,
            ClassProportions = [0.5, 0.5],
            Seed = seed,
            Modalities =
            [
                new SyntheticModalityOptions { Name = "strong", FeatureCount = 30, InformativeFeatureCount = 10, SignalStrength = 1.5 },
                new SyntheticModalityOptions { Name = "weak", FeatureCount = 30, InformativeFeatureCount = 10, SignalStrength = 0.35 },
                new SyntheticModalityOptions { Name = "noise", FeatureCount = 30, InformativeFeatureCount = 10, SignalStrength = 0.0 },
            ],
        }).Generate();

    public static BalancedTrainingData ToTrainingData(MultimodalDataset dataset, ScalarType dtype = ScalarType.Float32)
    {
        var standardized = Standardizer.FitTransform(dataset);
        var features = Enumerable.Range(0, standardized.ModalityCount).Select(m => standardized.ToTensor(m, dtype: dtype)).ToArray();
        return new BalancedTrainingData(
            standardized.Modalities.Select(m => m.Name).ToArray(), features, standardized.LabelsTensor(), standardized.ClassCount,
            standardized.TrainIndices, standardized.ValidationIndices);
    }

    public static BalancedTrainingOptions FastOptions(int seed = 0) => new()
    {
        PretrainingEpochs = 60,
        DistillationEpochs = 40,
        JointEpochs = 60,
        LearningRate = 5e-3,
        EvaluationInterval = 5,
        Patience = 30,
        Seed = seed,
        Assessment = { Permutations = 49, Seed = seed },
    };

    public static BalancedTrainer Trainer(BalancedTrainingOptions options) =>
        new(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [16], Dropout = 0.2 }),
            new GaussianMutualInformationEstimator(), options);
}
