using BalancedMultimodal.Cli.Baselines;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Baselines;

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
}
