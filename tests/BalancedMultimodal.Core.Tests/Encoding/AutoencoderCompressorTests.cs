using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Encoding;

[Collection(GlobalGeneratorCollection.Name)]
public class AutoencoderCompressorTests
{
    /// <summary>Rank-3 data embedded in 12 dimensions: a 3-wide code can reconstruct it almost exactly.</summary>
    private static Tensor LowRank(int n = 120, ScalarType dtype = ScalarType.Float64)
    {
        var g = new Generator(11);
        var factors = randn(n, 3, dtype: dtype, generator: g);
        var loadings = randn(3, 12, dtype: dtype, generator: g);
        return factors.matmul(loadings);
    }

    private static readonly int[] AllRows = Enumerable.Range(0, 120).ToArray();

    [Fact]
    public void A_linear_autoencoder_reconstructs_rank_three_data_through_a_three_wide_code()
    {
        var x = LowRank();
        var compressor = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 3, Epochs = 1500, LearningRate = 1e-2, WeightDecay = 0 });
        using var model = compressor.Fit(x, AllRows, "rank3");
        using var noGrad = no_grad();

        double relativeError = ((model.forward(x) - x).pow(2).sum() / x.pow(2).sum()).item<double>();
        relativeError.Should().BeLessThan(1e-3);
        model.Encode(x).shape.Should().Equal(120, 3);
    }

    [Fact]
    public void Fit_transform_inside_a_dispose_scope_leaves_only_the_codes_in_it()
    {
        var x = LowRank(n: 120, dtype: ScalarType.Float32);
        var compressor = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 4, HiddenSizes = [8], Epochs = 3 });
        using var scope = NewDisposeScope();

        var codes = compressor.FitTransform(x, AllRows, "m");

        scope.DisposablesCount.Should().Be(1, "the encoder's activations and the input checks are freed inside");
        codes.Dispose();
        scope.DisposablesCount.Should().Be(0);
    }

    [Fact]
    public void Codes_keep_the_device_and_dtype_of_the_features()
    {
        var x = LowRank(dtype: ScalarType.Float32);
        var codes = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 4, Epochs = 5 }).FitTransform(x, AllRows, "m");
        codes.dtype.Should().Be(ScalarType.Float32);
        codes.device.type.Should().Be(x.device.type);
        codes.requires_grad.Should().BeFalse();
    }

    [Fact]
    public void The_same_seed_gives_the_same_codes()
    {
        var x = LowRank();
        var options = new AutoencoderOptions { LatentDim = 2, Epochs = 20, Seed = 4 };
        var first = new AutoencoderCompressor(options).FitTransform(x, AllRows, "m");
        var second = new AutoencoderCompressor(options).FitTransform(x, AllRows, "m");
        (first == second).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Fitting_on_training_rows_ignores_the_other_rows()
    {
        var x = LowRank();
        var trainRows = Enumerable.Range(0, 60).ToArray();
        var options = new AutoencoderOptions { LatentDim = 2, Epochs = 20, FitRows = AutoencoderFitRows.Training };
        var original = new AutoencoderCompressor(options).FitTransform(x, trainRows, "m");
        var changed = x.clone();
        changed[100] = changed[100] * 50;
        var afterChange = new AutoencoderCompressor(options).FitTransform(changed, trainRows, "m");

        afterChange[..60].allclose(original[..60]).Should().BeTrue("rows outside the training rows do not influence the fit");
    }

    [Fact]
    public void Non_finite_features_are_rejected_with_the_modality_name()
    {
        var x = LowRank();
        x[3, 2] = tensor(double.NaN);
        var act = () => new AutoencoderCompressor(new AutoencoderOptions()).Fit(x, AllRows, "methylation");
        act.Should().Throw<ArgumentException>().WithMessage("*methylation*NaN*");
    }

    [Fact]
    public void A_training_row_out_of_range_is_rejected()
    {
        var act = () => new AutoencoderCompressor(new AutoencoderOptions()).Fit(LowRank(), [0, 1, 500], "m");
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*500*");
    }

    [Theory]
    [InlineData(0, 10, 1e-3)]
    [InlineData(5, 0, 1e-3)]
    [InlineData(5, 10, -1.0)]
    public void Invalid_options_are_rejected(int latent, int epochs, double learningRate)
    {
        var act = () => new AutoencoderCompressor(new AutoencoderOptions { LatentDim = latent, Epochs = epochs, LearningRate = learningRate });
        act.Should().Throw<OptionsValidationException>();
    }

    [Fact]
    public void Encode_refuses_features_of_another_dtype_than_the_parameters()
    {
        using var autoencoder = new ModalityAutoencoder(5, new AutoencoderOptions { LatentDim = 3 });
        using var features = zeros(4, 5, dtype: ScalarType.Float64);

        var act = () => autoencoder.Encode(features);

        act.Should().Throw<ArgumentException>().WithMessage("*parameters are Float32*input is Float64*").And.ParamName.Should().Be("input");
    }

    [Fact]
    public void Decode_refuses_codes_of_the_wrong_width()
    {
        using var autoencoder = new ModalityAutoencoder(5, new AutoencoderOptions { LatentDim = 3 });
        using var code = zeros(4, 7);

        var act = () => autoencoder.Decode(code);

        act.Should().Throw<ArgumentException>().WithMessage("*code of shape (n, 3), got (4, 7)*").And.ParamName.Should().Be("code");
    }

    [Fact]
    public void A_non_floating_parameter_dtype_is_rejected_by_the_constructor()
    {
        var act = () => new ModalityAutoencoder(5, new AutoencoderOptions { LatentDim = 3 }, dtype: ScalarType.Int64);

        act.Should().Throw<ArgumentException>().WithMessage("*floating*Int64*").And.ParamName.Should().Be("dtype");
    }

    [Fact]
    public void Fitting_leaves_the_callers_generator_state_as_it_was()
    {
        using var scope = NewDisposeScope();
        var features = randn(20, 6, generator: new TorchSharp.torch.Generator(3));
        var compressor = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 2, Epochs = 3, HiddenSizes = [], Seed = 11 });

        manual_seed(1);
        compressor.FitTransform(features, Enumerable.Range(0, 20).ToArray(), "m");
        var afterFit = rand(3);
        manual_seed(1);
        var withoutFit = rand(3);

        afterFit.allclose(withoutFit, rtol: 0, atol: 0).Should().BeTrue("the fit seeds the generator with its own seed and puts the caller's state back");
    }
}
