using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
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

    /// <summary>Rows 0-19 of <see cref="Tiny"/> train, rows 20-31 validate, rows 32-39 are unlabelled.</summary>
    public static readonly int[] TinyTrainRows = Enumerable.Range(0, 20).ToArray();

    /// <summary>The validation rows of <see cref="Tiny"/>.</summary>
    public static readonly int[] TinyValidationRows = Enumerable.Range(20, 12).ToArray();

    /// <summary>
    /// A tiny two-class problem for exact schedule tests: 40 rows whose signal class alternates 0, 1, 0, ...; three
    /// modalities of 3 seeded standard-normal features ("clear", "faint", "noise") whose first column adds 1.5, 0.4 and
    /// 0 times (2 class - 1). The labels are the signal classes, except that <paramref name="relabel"/> may change
    /// them per row (e.g. to contradict the features on validation rows); rows 0-19 train, 20-31 validate, 32-39 are
    /// unlabelled.
    /// </summary>
    public static BalancedTrainingData Tiny(Func<int, long, long>? relabel = null)
    {
        const int n = 40;
        using var generator = new Generator(11);
        var signal = Enumerable.Range(0, n).Select(i => (long)(i % 2)).ToArray();
        using var direction = tensor(signal.Select(c => 2f * c - 1f).ToArray());
        var features = new[] { 1.5f, 0.4f, 0f }.Select(strength =>
        {
            using var scope = NewDisposeScope();
            var x = randn(n, 3, generator: generator);
            x[.., 0].add_(direction * strength);
            return x.DetachFromDisposeScope();
        }).ToArray();
        var labels = tensor(signal.Select((c, i) => relabel?.Invoke(i, c) ?? c).ToArray());
        return new BalancedTrainingData(["clear", "faint", "noise"], features, labels, 2, TinyTrainRows, TinyValidationRows);
    }

    /// <summary>Options for <see cref="Tiny"/>: few epochs, evaluation at every epoch, no early stop, no dropout (so
    /// nothing draws from the global generator after initialisation), every phase on.</summary>
    public static BalancedTrainingOptions TinyOptions() => new()
    {
        PretrainingEpochs = 6,
        DistillationEpochs = 4,
        JointEpochs = 6,
        LearningRate = 0.05,
        EvaluationInterval = 1,
        Patience = 100,
        HeadDropout = 0,
        Assessment = { Permutations = 0, Delta = 0 },
    };

    /// <summary>A trainer for <see cref="Tiny"/>: MLP encoders with one hidden layer of 4 units and the given dropout
    /// (default none), and the given estimator (default: one that finds every pair dependent, so every weak modality is
    /// distilled).</summary>
    public static BalancedTrainer TinyTrainer(BalancedTrainingOptions options, IMutualInformationEstimator? estimator = null, double dropout = 0) =>
        new(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [4], Dropout = dropout }),
            estimator ?? new ConstantMutualInformationEstimator(1.0), options);
}
