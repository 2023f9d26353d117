using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests;

/// <summary>A disposed tensor argument is refused up front with an <see cref="ObjectDisposedException"/> naming the
/// argument (TorchSharp's own "empty handle" error, deep in the call, names none).</summary>
public sealed class DisposedTensorArgumentTests
{
    private static Tensor Disposed(Tensor t)
    {
        t.Dispose();
        return t;
    }

    [Theory]
    [InlineData("studentLogits")]
    [InlineData("studentEmbedding")]
    [InlineData("teacherLogits")]
    [InlineData("teacherEmbedding")]
    [InlineData("labels")]
    [InlineData("labelledMask")]
    [InlineData("distillMask")]
    [InlineData("classWeights")]
    public void The_distillation_loss_names_each_disposed_argument(string disposed)
    {
        using var scope = NewDisposeScope();
        using var loss = new DistillationLoss(2, 2, new DistillationLossOptions(), dtype: ScalarType.Float64);
        Tensor Argument(string name, Tensor live) => name == disposed ? Disposed(live) : live;

        var act = () => loss.Compute(
            Argument("studentLogits", rand(4, 3, dtype: ScalarType.Float64)),
            Argument("studentEmbedding", rand(4, 2, dtype: ScalarType.Float64)),
            Argument("teacherLogits", rand(4, 3, dtype: ScalarType.Float64)),
            Argument("teacherEmbedding", rand(4, 2, dtype: ScalarType.Float64)),
            Argument("labels", tensor(new long[] { 0, 1, 2, 0 })),
            Argument("labelledMask", ones(4, dtype: ScalarType.Bool)),
            Argument("distillMask", ones(4, dtype: ScalarType.Bool)),
            Argument("classWeights", ones(3, dtype: ScalarType.Float64)));

        var thrown = act.Should().Throw<ObjectDisposedException>().Which;
        thrown.ObjectName.Should().Be(disposed);
        thrown.Message.Should().Contain($"'{disposed}'");
    }

    [Fact]
    public void A_weighter_names_the_disposed_loss_by_modality()
    {
        using var first = tensor(0.5);

        var act = () => new UniformWeighter(2).WeightedLoss([first, Disposed(tensor(0.25))]);

        act.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("modalityLosses[1]");
    }

    [Fact]
    public void The_prediction_combiner_names_logits_disposed_after_the_outputs_were_made()
    {
        using var scope = NewDisposeScope();
        var fused = rand(4, 3);
        var outputs = new NetworkOutputs([rand(4, 2), rand(4, 2)], [rand(4, 3), rand(4, 3)], fused);
        fused.Dispose();

        var act = () => PredictionCombiner.Probabilities(outputs, PredictionSource.AllHeads);

        act.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("outputs.FusedLogits");
    }

    [Fact]
    public void Training_data_names_the_disposed_feature_matrix_by_modality()
    {
        using var scope = NewDisposeScope();

        var act = () => new BalancedTrainingData(["a", "b"], [rand(4, 2), Disposed(rand(4, 2))], tensor(new long[] { 0, 1, 0, 1 }), 2, [0, 1], [2, 3]);

        act.Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be("features[1]");
    }
}
