using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>
/// <see cref="PredictionCombiner.HeadShares"/>: hand values, and the identity that makes the shares an explanation: the
/// pooled prediction of <see cref="PredictionCombiner.Probabilities(NetworkOutputs, PredictionSource, IReadOnlyList{double}, Tensor?)"/>
/// is the shares' mixture (AllHeads) or log-linear pool (the other sources) of the heads, on random logits with and
/// without missing modalities.
/// </summary>
[Collection(GlobalGeneratorCollection.Name)]
public class HeadSharesTests
{
    private static NetworkOutputs RandomOutputs(int rows, int classes, int modalities, ScalarType dtype, int seed)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        Tensor Logits() => randn(rows, classes, dtype: dtype, generator: generator).mul(2);
        return new NetworkOutputs(
            Enumerable.Range(0, modalities).Select(_ => zeros(rows, 3, dtype: dtype)).ToArray(),
            Enumerable.Range(0, modalities).Select(_ => Logits()).ToArray(),
            Logits());
    }

    /// <summary>Rows x modalities: row i lacks modality m when (i + m) % 3 == 0 (some rows lack two of three).</summary>
    private static Tensor SomeMissing(int rows, int modalities) =>
        tensor(Enumerable.Range(0, rows).SelectMany(i => Enumerable.Range(0, modalities).Select(m => (i + m) % 3 != 0)).ToArray(), [rows, modalities]);

    private static double[,] Matrix(Tensor t)
    {
        var values = t.to(ScalarType.Float64).data<double>().ToArray();
        int rows = (int)t.shape[0], columns = (int)t.shape[1];
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                result[i, j] = values[i * columns + j];
        return result;
    }

    [Fact]
    public void Validation_weighted_shares_are_the_normalised_weights_of_the_heads_each_row_has()
    {
        var outputs = RandomOutputs(rows: 3, classes: 2, modalities: 2, ScalarType.Float64, seed: 1);
        // Row 0 has both modalities, row 1 lacks the second, row 2 lacks both.
        using var available = tensor(new[] { true, true, true, false, false, false }, [3, 2]);

        using var shares = PredictionCombiner.HeadShares(outputs, PredictionSource.AllHeadsValidationWeighted, [1.0, 1.0, 2.0], available);

        var s = Matrix(shares);
        new[] { s[0, 0], s[0, 1], s[0, 2] }.Should().Equal([0.25, 0.25, 0.5]);
        new[] { s[1, 0], s[1, 1], s[1, 2] }.Should().Equal([0.5, 0.5, 0.0]);
        new[] { s[2, 0], s[2, 1], s[2, 2] }.Should().Equal([1.0, 0.0, 0.0]);
        shares.dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void Fixed_sources_share_equally_among_the_available_heads_and_the_fused_head_alone_takes_everything()
    {
        var outputs = RandomOutputs(rows: 2, classes: 3, modalities: 3, ScalarType.Float32, seed: 2);
        using var available = tensor(new[] { true, true, true, true, false, false }, [2, 3]);

        using var mean = PredictionCombiner.HeadShares(outputs, PredictionSource.AllHeads, null, available);
        using var geometric = PredictionCombiner.HeadShares(outputs, PredictionSource.AllHeadsGeometricMean, null, null);
        using var fused = PredictionCombiner.HeadShares(outputs, PredictionSource.FusedHead, null, available);

        Matrix(mean).Should().BeEquivalentTo(new double[,] { { 0.25, 0.25, 0.25, 0.25 }, { 0.5, 0.5, 0, 0 } });
        Matrix(geometric).Should().BeEquivalentTo(new double[,] { { 0.25, 0.25, 0.25, 0.25 }, { 0.25, 0.25, 0.25, 0.25 } });
        Matrix(fused).Should().BeEquivalentTo(new double[,] { { 1, 0, 0, 0 }, { 1, 0, 0, 0 } });
        mean.dtype.Should().Be(ScalarType.Float32);
    }

    [Fact]
    public void A_row_whose_available_heads_all_weigh_zero_gives_the_fused_head_everything_as_the_pool_does()
    {
        var outputs = RandomOutputs(rows: 2, classes: 2, modalities: 2, ScalarType.Float64, seed: 3);
        using var available = tensor(new[] { true, false, false, true }, [2, 2]);
        double[] weights = [0.0, 1.0, 0.0];

        using var shares = PredictionCombiner.HeadShares(outputs, PredictionSource.AllHeadsValidationWeighted, weights, available);
        using var pooled = PredictionCombiner.Probabilities(outputs, PredictionSource.AllHeadsValidationWeighted, weights, available);

        var s = Matrix(shares);
        new[] { s[0, 0], s[0, 1], s[0, 2] }.Should().Equal([0.0, 1.0, 0.0]);
        new[] { s[1, 0], s[1, 1], s[1, 2] }.Should().Equal([1.0, 0.0, 0.0]);
        using var fusedSoftmax = F.softmax(outputs.FusedLogits, 1);
        pooled[1].allclose(fusedSoftmax[1], rtol: 0, atol: 1e-12).Should().BeTrue();
    }

    [Theory]
    [InlineData(PredictionSource.FusedHead, false, ScalarType.Float64, 1e-12)]
    [InlineData(PredictionSource.AllHeads, false, ScalarType.Float64, 1e-12)]
    [InlineData(PredictionSource.AllHeads, true, ScalarType.Float64, 1e-12)]
    [InlineData(PredictionSource.AllHeadsGeometricMean, false, ScalarType.Float64, 1e-12)]
    [InlineData(PredictionSource.AllHeadsGeometricMean, true, ScalarType.Float32, 1e-5)]
    [InlineData(PredictionSource.AllHeadsValidationWeighted, false, ScalarType.Float64, 1e-12)]
    [InlineData(PredictionSource.AllHeadsValidationWeighted, true, ScalarType.Float64, 1e-12)]
    [InlineData(PredictionSource.AllHeadsValidationWeighted, true, ScalarType.Float32, 1e-5)]
    public void The_pooled_prediction_is_the_shares_mixture_or_log_linear_pool_of_the_heads(PredictionSource source, bool missing, ScalarType dtype, double tolerance)
    {
        const int rows = 12, modalities = 3;
        var outputs = RandomOutputs(rows, classes: 4, modalities, dtype, seed: 4);
        using var available = missing ? SomeMissing(rows, modalities) : null;
        double[]? weights = source == PredictionSource.AllHeadsValidationWeighted ? [0.1, 0.5, 0.0, 0.4] : null;

        using var shares = PredictionCombiner.HeadShares(outputs, source, weights, available);
        using var pooled = PredictionCombiner.Probabilities(outputs, source, weights, available);

        var heads = new[] { outputs.FusedLogits }.Concat(outputs.ModalityLogits).ToArray();
        using var expected = source == PredictionSource.AllHeads
            ? stack(heads.Select(z => F.softmax(z, 1)).ToArray(), 1).mul(shares.unsqueeze(2)).sum(1)
            : F.softmax(stack(heads, 1).mul(shares.unsqueeze(2)).sum(1), 1);
        pooled.allclose(expected, rtol: 0, atol: tolerance).Should().BeTrue();
        using var rowSums = shares.sum(1);
        rowSums.allclose(ones_like(rowSums), rtol: 0, atol: tolerance).Should().BeTrue();
        shares.shape.Should().Equal([rows, modalities + 1]);
    }

    [Fact]
    public void Bad_arguments_are_rejected_as_the_pool_rejects_them()
    {
        var outputs = RandomOutputs(rows: 2, classes: 2, modalities: 2, ScalarType.Float64, seed: 5);
        using var wrongShape = ones(2, 3, dtype: ScalarType.Bool);

        FluentActions.Invoking(() => PredictionCombiner.HeadShares(null!, PredictionSource.AllHeads, null, null))
            .Should().Throw<ArgumentNullException>().WithParameterName("outputs");
        FluentActions.Invoking(() => PredictionCombiner.HeadShares(outputs, (PredictionSource)42, null, null))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("source");
        FluentActions.Invoking(() => PredictionCombiner.HeadShares(outputs, PredictionSource.AllHeads, [1.0, 1.0, 1.0], null))
            .Should().Throw<ArgumentException>().WithMessage("AllHeads has fixed head weights*");
        FluentActions.Invoking(() => PredictionCombiner.HeadShares(outputs, PredictionSource.AllHeadsValidationWeighted, [1.0, 1.0], null))
            .Should().Throw<ArgumentException>().WithMessage("Expected 3 head weights*");
        FluentActions.Invoking(() => PredictionCombiner.HeadShares(outputs, PredictionSource.AllHeadsValidationWeighted, [1.0, -1.0, 1.0], null))
            .Should().Throw<ArgumentException>().WithMessage("*Head weight 1 must be finite and non-negative*");
        FluentActions.Invoking(() => PredictionCombiner.HeadShares(outputs, PredictionSource.AllHeads, null, wrongShape))
            .Should().Throw<ArgumentException>().WithParameterName("availability");
        var mismatched = new NetworkOutputs(outputs.Embeddings, [outputs.ModalityLogits[0], zeros(3, 2, dtype: ScalarType.Float64)], outputs.FusedLogits);
        FluentActions.Invoking(() => PredictionCombiner.HeadShares(mismatched, PredictionSource.FusedHead, null, null))
            .Should().Throw<ArgumentException>().WithMessage("outputs.ModalityLogits[1] has shape [3, 2]*");
    }
}
