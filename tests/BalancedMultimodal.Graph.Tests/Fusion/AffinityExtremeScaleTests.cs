using BalancedMultimodal.Graph.Fusion;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Fusion;

/// <summary>With z-scoring (the default), the affinity does not depend on the features' unit, however large or small
/// the valid values are; at usual scales the z-scores are the plain formula's to the bit.</summary>
public class AffinityExtremeScaleTests
{
    private static Tensor Features()
    {
        var random = new Random(1);
        var values = new double[40, 5];
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < 5; j++) values[i, j] = random.NextDouble() * 2 - 1 + j;
        return tensor(values);
    }

    [Theory]
    [InlineData(1e150)]
    [InlineData(1e155)]    // every column collapsed to 0 before: its squares overflowed
    [InlineData(1e300)]
    [InlineData(1e-160)]   // 5.7e-4 off before: its squares were subnormal
    [InlineData(1e-165)]   // every column "constant" before: its squares underflowed to 0
    [InlineData(1e-300)]
    public void The_affinity_of_rescaled_features_is_the_affinity_of_the_features(double unit)
    {
        using var x = Features();
        var builder = new AffinityBuilder(new AffinityOptions { K = 5 });
        using var reference = builder.Build(x);

        using var scaled = builder.Build(x * unit);

        ((scaled - reference).abs() / reference).max().item<double>().Should().BeLessThan(1e-10);
    }

    [Fact]
    public void Z_scores_at_usual_scales_are_the_plain_formula_to_the_bit()
    {
        using var x = Features() * 37.5;
        using var plain = (x - x.mean([0], keepdim: true)) / x.std(0, unbiased: true, keepdim: true);

        using var z = AffinityKernel.ZScoreColumns(x);

        z.data<double>().ToArray().Should().Equal(plain.data<double>().ToArray());
    }

    [Theory]
    [InlineData(1e30f)]
    [InlineData(1e-30f)]
    public void Float32_features_far_from_unit_scale_give_the_float64_z_scores_to_float32_precision(float unit)
    {
        using var x = Features();
        using var reference = AffinityKernel.ZScoreColumns(x);

        using var z = AffinityKernel.ZScoreColumns((x * unit).to(ScalarType.Float32));

        (z.to(ScalarType.Float64) - reference).abs().max().item<double>().Should().BeLessThan(1e-5);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void Half_precision_z_scores_are_computed_in_float32(ScalarType dtype)
    {
        // A column with two large values and many small ones: scaled in float16 the small ones would turn subnormal.
        var values = new double[200, 1];
        values[0, 0] = 1000;
        values[1, 0] = -1000;
        for (int i = 2; i < 200; i++) values[i, 0] = 0.05 + 0.0001 * i;
        using var x = tensor(values).to(dtype);
        using var expected = AffinityKernel.ZScoreColumns(x.to(ScalarType.Float32)).to(dtype);

        using var z = AffinityKernel.ZScoreColumns(x);

        z.dtype.Should().Be(dtype);
        z.to(ScalarType.Float32).data<float>().ToArray().Should().Equal(expected.to(ScalarType.Float32).data<float>().ToArray());
    }
}
