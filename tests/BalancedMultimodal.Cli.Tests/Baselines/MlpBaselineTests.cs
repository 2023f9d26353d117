using BalancedMultimodal.Cli.Baselines;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Baselines;

/// <summary>In the seeded collection: the MLP's dropout draws from TorchSharp's process-wide generator, so fits compared bit
/// for bit must not run while other test classes train.</summary>
[Collection(Commands.SeededTrainingCollection.Name)]
public class MlpBaselineTests
{

    private static (Tensor Features, Tensor Labels) Data()
    {
        using var g = new torch.Generator(7);
        var labels = tensor(Enumerable.Range(0, 40).Select(i => (long)(i % 2)).ToArray());
        var features = randn(40, 4, generator: g);
        features[TensorIndex.Colon, 0].add_(labels.to_type(ScalarType.Float32) * 3);
        return (features, labels);
    }

    [Fact]
    public void A_fit_leaves_only_the_returned_probabilities_alive()
    {
        var (features, labels) = Data();
        int[] train = Enumerable.Range(0, 30).ToArray(), validation = Enumerable.Range(30, 10).ToArray();
        MlpBaseline.FitPredict(features, labels, 2, train, validation, seed: 0, epochs: 10).Dispose();
        long before = LiveTensors.Count;

        using (var probabilities = MlpBaseline.FitPredict(features, labels, 2, train, validation, seed: 0, epochs: 10))
        {
            LiveTensors.Count.Should().Be(before + 1, "the index tensors, labels and model temporaries of the fit are freed");
            probabilities.shape.Should().Equal(40, 2);
            probabilities.dtype.Should().Be(ScalarType.Float64);
        }

        LiveTensors.Count.Should().Be(before);
        features.Dispose();
        labels.Dispose();
    }

    [Fact]
    public void The_fit_is_the_same_whatever_the_labels_are_stored_as_on_the_host()
    {
        var (features, labels) = Data();
        int[] train = Enumerable.Range(0, 30).ToArray(), validation = Enumerable.Range(30, 10).ToArray();
        using var strided = stack([labels, labels], 1)[TensorIndex.Colon, 0];      // a non-contiguous view

        using var expected = MlpBaseline.FitPredict(features, labels, 2, train, validation, seed: 3, epochs: 20);
        using var actual = MlpBaseline.FitPredict(features, strided, 2, train, validation, seed: 3, epochs: 20);

        actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Early_stopping_returns_the_probabilities_of_the_first_evaluation_with_the_best_validation_macro_f1()
    {
        // A weak signal (one feature shifted by 1), so the validation macro-F1 of 20 rows moves between evaluations.
        using var g = new torch.Generator(5);
        using var labels = tensor(Enumerable.Range(0, 60).Select(i => (long)(i % 2)).ToArray());
        using var features = randn(60, 6, generator: g);
        features[TensorIndex.Colon, 0].add_(labels.to_type(ScalarType.Float32));
        int[] train = Enumerable.Range(0, 40).ToArray(), validation = Enumerable.Range(40, 20).ToArray();
        var validationLabels = validation.Select(r => r % 2).ToArray();
        // The fit evaluates every 5 epochs and keeps the best evaluation so far; a fit of e epochs replays the first e
        // epochs of a longer one (same seed), so its validation score is the best of the evaluations up to e.
        const int Longest = 100;
        var epochs = Enumerable.Range(1, Longest / 5).Select(k => 5 * k).ToArray();
        double BestScoreUpTo(int e)
        {
            using var probabilities = MlpBaseline.FitPredict(features, labels, 2, train, validation, seed: 2, epochs: e);
            var predictions = validation.Select(r => (int)probabilities[r].argmax().item<long>()).ToArray();
            return BalancedMultimodal.Core.Metrics.ClassificationMetrics.MacroF1(validationLabels, predictions);
        }
        var best = epochs.Select(BestScoreUpTo).ToArray();
        int firstBest = epochs[Array.IndexOf(best, best.Max())];
        firstBest.Should().BeLessThan(Longest, "premise: the best evaluation comes before the last, so early stopping has something to stop");

        using var full = MlpBaseline.FitPredict(features, labels, 2, train, validation, seed: 2, epochs: Longest);
        using var stopped = MlpBaseline.FitPredict(features, labels, 2, train, validation, seed: 2, epochs: firstBest);

        full.allclose(stopped, rtol: 0, atol: 0).Should().BeTrue($"the {Longest}-epoch fit keeps epoch {firstBest}'s probabilities (scores {string.Join(", ", best)})");
        best.Should().BeInAscendingOrder("the kept score never falls");
    }
}
