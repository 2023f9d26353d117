using System.Globalization;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Build;

/// <summary>
/// A seeded run of every public component, compiled twice: into this test assembly (against the project references)
/// and into the package consumer of <see cref="ConsumerProjectTests"/> (against the packed libraries), which runs it
/// as a separate app; the two must print the same lines.
/// </summary>
/// <remarks>
/// It uses only the libraries' public API, TorchSharp and the base class library (no test framework), and small
/// tensors only, which libtorch reduces on one thread, so both processes compute bit for bit the same numbers.
/// </remarks>
public static class ConsumerWorkload
{
    /// <summary>Samples of the synthetic data set.</summary>
    public const int SampleCount = 40;

    /// <summary>
    /// Runs SNF, the top-k graph, a relational GCN, the KSG estimator, the distillation loss, the performance-gated
    /// weighter and the two-phase trainer on seeded synthetic data, and returns the lines to print: one per result, every
    /// number round-trip ("R"), and the distillation plan's lines.
    /// </summary>
    public static IReadOnlyList<string> Run()
    {
        var lines = new List<string>();
        void Print(string name, double value) => lines.Add(name + " " + value.ToString("R", CultureInfo.InvariantCulture));

        using var scope = NewDisposeScope();
        manual_seed(11);

        // Three modalities of 40 samples; the label is carried by modality 0 (strong) and faintly by modality 2.
        var labels = arange(SampleCount, dtype: ScalarType.Int64).remainder(2);
        var signal = labels.to(ScalarType.Float64).mul(2.0).sub(1.0).unsqueeze(1);
        var features = new[]
        {
            randn(SampleCount, 8, dtype: ScalarType.Float64).add(signal.mul(1.5)),
            randn(SampleCount, 6, dtype: ScalarType.Float64),
            randn(SampleCount, 5, dtype: ScalarType.Float64).add(signal.mul(0.4)),
        };

        var affinities = new AffinityBuilder(new AffinityOptions { K = 8 }).Build(features);
        ISimilarityFusion fusion = new SimilarityNetworkFusion(new SimilarityNetworkFusionOptions { K = 8 });
        var fused = fusion.Fuse(affinities);
        Print("snf.sum", fused.sum().item<double>());
        Print("snf.0.1", fused[0, 1].item<double>());

        using var graph = new TopKGraphBuilder(5).Build(fused);
        lines.Add($"graph.edges {graph.EdgeCount}");

        var gcn = new RelationalGcn(new RelationalGcnOptions { InputSize = 8, HiddenSizes = [4], ClassCount = 2 }, dtype: ScalarType.Float64);
        gcn.eval();
        Print("rgcn.logits.sum", gcn.forward(features[0], graph).sum().item<double>());

        IMutualInformationEstimator estimator = new KsgEstimator();
        Print("ksg.mi.0.2", estimator.Estimate(features[0], features[2]));

        var mask = ones(SampleCount, ScalarType.Bool);
        using var distillation = new DistillationLoss(6, 8, new DistillationLossOptions(), dtype: ScalarType.Float64);
        var terms = distillation.Compute(randn(SampleCount, 2, dtype: ScalarType.Float64), features[1],
            randn(SampleCount, 2, dtype: ScalarType.Float64), features[0], labels, mask);
        Print("distillation.total", terms.Total.item<double>());

        var weighter = new PerformanceGatedWeighter(3, new PerformanceGatedWeighterOptions { ChanceLevel = 0.5 });
        weighter.Update([0.9, 0.55, 0.7]);
        lines.Add("weights " + string.Join(" ", weighter.Weights.Select(w => w.ToString("R", CultureInfo.InvariantCulture))));

        var encoders = new RelationalGcnEncoderFactory(graph, new RelationalGcnOptions { HiddenSizes = [8], Dropout = 0.5 });
        var trainer = new BalancedTrainer(encoders, estimator,
            new BalancedTrainingOptions { Seed = 5, PretrainingEpochs = 20, JointEpochs = 20 });
        var data = new BalancedTrainingData(["strong", "noise", "weak"], features.Select(f => f.to(ScalarType.Float32)).ToArray(),
            labels, classCount: 2, trainRows: Enumerable.Range(0, 24).ToArray(), validationRows: Enumerable.Range(24, 8).ToArray());
        using var result = trainer.Fit(data);
        Print("fused.probability.sum", result.FusedProbabilities.to(ScalarType.Float64).sum().item<double>());
        Print("fused.probability.0.1", result.FusedProbabilities[0, 1].to(ScalarType.Float64).item<double>());
        lines.AddRange(("plan " + result.Plan).Split('\n').Select(line => line.TrimEnd('\r')));
        lines.Add("final.weights " + string.Join(" ", result.FinalWeights.Select(w => w.ToString("R", CultureInfo.InvariantCulture))));
        return lines;
    }
}
