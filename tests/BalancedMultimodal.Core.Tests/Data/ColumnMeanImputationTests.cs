using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Data;

public class ColumnMeanImputationTests
{
    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Unavailable_rows_become_the_column_means_of_the_available_rows(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 10, double.NaN, double.NaN, 3, 20, 5, 60 }, [4, 2], dtype: dtype);

        var imputed = ColumnMeanImputation.Apply(x, [true, false, true, true]);

        imputed.dtype.Should().Be(dtype);
        imputed.to(ScalarType.Float64).data<double>().ToArray().Should().Equal(1, 10, 3, 30, 3, 20, 5, 60);
        x[1, 0].to(ScalarType.Float64).item<double>().Should().Be(double.NaN, "the input is not modified");
    }

    [Fact]
    public void A_complete_mask_returns_an_equal_copy()
    {
        using var scope = NewDisposeScope();
        var x = randn(5, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(1));

        var imputed = ColumnMeanImputation.Apply(x, Enumerable.Repeat(true, 5).ToArray());

        imputed.equal(x).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Bad_arguments_are_refused_naming_the_modality()
    {
        using var scope = NewDisposeScope();
        var x = zeros(3, 2);
        FluentActions.Invoking(() => ColumnMeanImputation.Apply(x, [true, true], "mRNA"))
            .Should().Throw<ArgumentException>().WithMessage("Modality 'mRNA': the availability mask has 2 entries for 3 rows.*");
        FluentActions.Invoking(() => ColumnMeanImputation.Apply(x, [false, false, false], "mRNA"))
            .Should().Throw<ArgumentException>().WithMessage("Modality 'mRNA': no row is available*");
        FluentActions.Invoking(() => ColumnMeanImputation.Apply(zeros(3, dtype: ScalarType.Int64), [true, true, true]))
            .Should().Throw<ArgumentException>().WithMessage("features must be a floating-point (n, d) matrix*");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_finite_value_on_an_available_row_is_refused_naming_the_row_and_column(double value)
    {
        using var scope = NewDisposeScope();
        var features = arange(18, dtype: ScalarType.Float64).reshape(6, 3);
        features[4, 1] = tensor(value);
        features[1, 0] = tensor(double.NaN);   // an unavailable row: never read

        var act = () => ColumnMeanImputation.Apply(features, [true, false, true, true, true, true], "rna");

        act.Should().Throw<ArgumentException>().WithParameterName("features")
            .WithMessage("Modality 'rna': row 4, column 1 is available but not finite (NaN or infinity)*");
    }

    [Theory]
    [InlineData(ScalarType.Float32, 3e38)]
    [InlineData(ScalarType.Float64, 1.5e308)]
    public void Values_near_the_dtypes_limit_impute_their_mean(ScalarType dtype, double big)
    {
        // Two available rows of `big`: their plain sum overflowed and the imputed row became infinite.
        using var x = tensor(new double[] { big, 1, big, 2, 0, 0 }, [3, 2]).to(dtype);

        using var imputed = ColumnMeanImputation.Apply(x, [true, true, false]);

        var row = imputed[2].to(ScalarType.Float64).data<double>().ToArray();
        row[0].Should().Be(x[0, 0].to(ScalarType.Float64).item<double>());
        row[1].Should().Be(1.5);
    }

    [Fact]
    public void At_usual_scales_the_mean_is_the_plain_mean_to_the_bit()
    {
        var random = new Random(3);
        using var x = tensor(Enumerable.Range(0, 60).Select(_ => random.NextDouble() * 17 - 5).ToArray(), [20, 3]);
        var available = Enumerable.Range(0, 20).Select(i => i % 4 != 0).ToArray();
        using var rows = tensor(Enumerable.Range(0, 20).Where(i => available[i]).Select(i => (long)i).ToArray());
        using var plain = x.index_select(0, rows).mean([0]);

        using var imputed = ColumnMeanImputation.Apply(x, available);

        imputed[0].data<double>().ToArray().Should().Equal(plain.data<double>().ToArray());
    }

    [Fact]
    public void Half_precision_columns_are_averaged_in_float32()
    {
        // [1000, -1000, 0.01]: scaled in float16, 0.01 / 1024 turned subnormal and the mean came out 0.7 % off.
        using var x = tensor(new double[] { 1000, -1000, 0.01, 0 }, [4, 1]).to(ScalarType.Float16);
        double expected = x.narrow(0, 0, 3).to(ScalarType.Float32).mean().to(ScalarType.Float16).to(ScalarType.Float64).item<double>();

        using var imputed = ColumnMeanImputation.Apply(x, [true, true, true, false]);

        imputed.dtype.Should().Be(ScalarType.Float16);
        imputed[3, 0].to(ScalarType.Float64).item<double>().Should().Be(expected);
    }
}

