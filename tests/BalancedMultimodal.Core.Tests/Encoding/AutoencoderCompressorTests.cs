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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Changing_the_callers_options_after_construction_changes_nothing(bool invalid)
    {
        // Before the fix the compressor kept the caller's object: valid edits silently changed the codes (another
        // seed, width, epochs), invalid ones made the next fit throw.
        var x = LowRank();
        var options = new AutoencoderOptions { LatentDim = 2, HiddenSizes = [4], Epochs = 20, Seed = 4 };
        var reference = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 2, HiddenSizes = [4], Epochs = 20, Seed = 4 })
            .FitTransform(x, AllRows, "m");
        var compressor = new AutoencoderCompressor(options);

        options.LatentDim = invalid ? 0 : 3;
        options.HiddenSizes[0] = invalid ? -3 : 5;
        options.Epochs = invalid ? -1 : 3;
        options.LearningRate = invalid ? double.NaN : 0.5;
        options.Seed = 5;
        var codes = compressor.FitTransform(x, AllRows, "m");

        codes.shape.Should().Equal(120, 2);
        (codes == reference).all().item<bool>().Should().BeTrue();
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

        act.Should().Throw<ArgumentException>().WithMessage("The autoencoder's decoder expects code of shape (n, 3), got (4, 7).*").And.ParamName.Should().Be("code");
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

    /// <summary>Parameters of an autoencoder, as float64 arrays in the order of <c>parameters()</c>.</summary>
    private static double[][] Values(ModalityAutoencoder model) =>
        model.parameters().Select(p => p.detach().to(ScalarType.Float64).data<double>().ToArray()).ToArray();

    [Fact]
    public void Fit_is_seeded_full_batch_adam_on_the_mean_squared_error_of_the_training_rows()
    {
        using var scope = NewDisposeScope();
        // The documented procedure, written out: seed the global generator, build the autoencoder, then Epochs full-batch
        // steps of Adam (learning rate, weight decay) on mse(x^, x) over the training rows; the result is in eval mode.
        var x = LowRank();
        var rows = Enumerable.Range(10, 50).ToArray();
        var options = new AutoencoderOptions { LatentDim = 2, HiddenSizes = [4], Epochs = 7, LearningRate = 0.05, WeightDecay = 0.1, Seed = 9 };
        manual_seed(9);
        using var reference = new ModalityAutoencoder(12, options, dtype: ScalarType.Float64);
        using (var adam = new Core.Optimization.ExplicitScalarAdam(reference.parameters(), 0.05, weightDecay: 0.1))
        using (var fitRows = x.index_select(0, tensor(rows.Select(r => (long)r).ToArray())))
            for (int epoch = 0; epoch < 7; epoch++)
            {
                using var epochScope = NewDisposeScope();
                adam.ZeroGrad();
                nn.functional.mse_loss(reference.forward(fitRows), fitRows).backward();
                adam.Step();
            }

        using var fitted = new AutoencoderCompressor(options).Fit(x, rows, "m");

        var actual = Values(fitted);
        var expected = Values(reference);
        for (int i = 0; i < expected.Length; i++) actual[i].Should().Equal(expected[i], $"parameter {i}");
        fitted.training.Should().BeFalse("the fitted autoencoder is returned in evaluation mode");
    }

    [Fact]
    public void Fitting_on_all_rows_ignores_the_training_rows_and_equals_fitting_on_every_row()
    {
        using var scope = NewDisposeScope();
        var x = LowRank();
        var all = new AutoencoderOptions { LatentDim = 2, Epochs = 5, LearningRate = 1e-2, FitRows = AutoencoderFitRows.All };
        var training = new AutoencoderOptions { LatentDim = 2, Epochs = 5, LearningRate = 1e-2, FitRows = AutoencoderFitRows.Training };

        using var fromAll = new AutoencoderCompressor(all).Fit(x, [], "m");
        using var fromEveryRow = new AutoencoderCompressor(training).Fit(x, AllRows, "m");
        using var fromSome = new AutoencoderCompressor(training).Fit(x, [0, 1, 2], "m");

        var expected = Values(fromEveryRow);
        Values(fromAll).Should().HaveCount(expected.Length).And.SatisfyRespectively(expected.Select(e => (Action<double[]>)(a => a.Should().Equal(e))));
        Values(fromSome)[0].Should().NotEqual(expected[0], "three rows give another fit, so the comparison can fail");
    }

    [Theory]
    [InlineData(new long[] { 1, 12 }, "(1, 12)")]
    [InlineData(new long[] { 3, 0 }, "(3, 0)")]
    [InlineData(new long[] { 12 }, "(12)")]
    public void Features_that_are_not_a_matrix_of_two_rows_and_one_column_or_more_are_rejected(long[] shape, string printed)
    {
        using var features = zeros(shape, dtype: ScalarType.Float64);
        var act = () => new AutoencoderCompressor(new AutoencoderOptions { FitRows = AutoencoderFitRows.All }).Fit(features, [], "mirna");

        act.Should().Throw<ArgumentException>().WithParameterName("features")
            .WithMessage($"Modality 'mirna': features must have shape (n >= 2, d >= 1), got {printed}.*");
    }

    [Fact]
    public void Two_rows_of_one_feature_are_enough()
    {
        using var features = tensor(new double[] { 1, -1 }, 2, 1);

        using var model = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 1, Epochs = 1 }).Fit(features, [0, 1], "m");

        model.InputDim.Should().Be(1);
    }

    [Fact]
    public void Integer_features_are_rejected_with_the_modality_name()
    {
        using var features = ones(4, 3, dtype: ScalarType.Int64);
        var act = () => new AutoencoderCompressor(new AutoencoderOptions()).Fit(features, [0, 1], "cnv");

        act.Should().Throw<ArgumentException>().WithParameterName("features").WithMessage("Modality 'cnv': features must be floating point, got Int64.*");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(120)]
    public void A_training_row_just_outside_the_rows_is_rejected_naming_it(int row)
    {
        using var scope = NewDisposeScope();
        var act = () => new AutoencoderCompressor(new AutoencoderOptions()).Fit(LowRank(), [0, row, 1], "rna");

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("trainingRows")
            .WithMessage($"Modality 'rna': training row {row} is outside [0, 120).*").Which.ActualValue.Should().Be(row);
    }

    [Fact]
    public void Fewer_than_two_training_rows_are_rejected_unless_all_rows_are_fitted()
    {
        using var scope = NewDisposeScope();
        var x = LowRank();
        var act = () => new AutoencoderCompressor(new AutoencoderOptions { Epochs = 1 }).Fit(x, [5], "rna");

        act.Should().Throw<ArgumentException>().WithParameterName("trainingRows")
            .WithMessage("Modality 'rna': at least two training rows are needed to fit the autoencoder.*");
        using var model = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 2, Epochs = 1, FitRows = AutoencoderFitRows.All }).Fit(x, [5], "rna");
        model.LatentDim.Should().Be(2);
    }

    [Fact]
    public void Missing_arguments_are_rejected_by_name()
    {
        using var scope = NewDisposeScope();
        var compressor = new AutoencoderCompressor(new AutoencoderOptions());

        FluentActions.Invoking(() => new AutoencoderCompressor(null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => compressor.Fit(null!, [0, 1], "m")).Should().Throw<ArgumentNullException>().WithParameterName("features");
        FluentActions.Invoking(() => compressor.Fit(LowRank(), null!, "m")).Should().Throw<ArgumentNullException>().WithParameterName("trainingRows");
        // One argument null at a time: a null name alone was accepted (the fit ran and returned).
        FluentActions.Invoking(() => compressor.Fit(LowRank(), [0, 1, 2], null!)).Should().Throw<ArgumentNullException>().WithParameterName("modalityName");
        FluentActions.Invoking(() => compressor.FitTransform(LowRank(), [0, 1, 2], null!)).Should().Throw<ArgumentNullException>().WithParameterName("modalityName");
    }

    [Fact]
    public void Requires_grad_features_are_read_as_data_giving_the_same_codes_and_no_gradient()
    {
        using var scope = NewDisposeScope();
        var x = LowRank(40);
        var options = new AutoencoderOptions { LatentDim = 2, HiddenSizes = [4], Epochs = 3, FitRows = AutoencoderFitRows.All };
        var expected = new AutoencoderCompressor(options).FitTransform(x, [], "rna");
        var tracked = x.clone().requires_grad_(true);

        var codes = new AutoencoderCompressor(options).FitTransform(tracked, [], "rna");

        codes.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
        tracked.grad.Should().BeNull("the fit must not write into the caller's gradient");
    }

    [Fact]
    public void Float16_features_are_refused_naming_the_modality_because_adam_cannot_train_them()
    {
        using var scope = NewDisposeScope();
        var act = () => new AutoencoderCompressor(new AutoencoderOptions { Epochs = 1 }).Fit(LowRank(20).to(ScalarType.Float16), [0, 1, 2], "rna");

        act.Should().Throw<ArgumentException>().WithParameterName("features")
            .WithMessage("Modality 'rna': float16 features are not supported: Adam's epsilon (1e-8) and small squared gradients round to 0 in float16*");
    }

    [Fact]
    public void Concurrent_fits_give_the_sequential_result_and_leave_the_callers_generator_as_it_was()
    {
        var compressor = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 3, Epochs = 5, Seed = 7 });
        using var features = LowRank(40, ScalarType.Float32);
        var rows = Enumerable.Range(0, 30).ToArray();
        float[] Fit()
        {
            using var scope = NewDisposeScope();
            return compressor.FitTransform(features, rows, "m").data<float>().ToArray();
        }
        var reference = Fit();
        manual_seed(99);
        var expectedDraw = randn(5).data<float>().ToArray();

        for (int round = 0; round < 3; round++)
        {
            manual_seed(99);
            var results = new float[4][];
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = Fit());

            results.Should().AllSatisfy(r => r.Should().Equal(reference), "each fit is seeded alone (round {0})", round);
            randn(5).data<float>().ToArray().Should().Equal(expectedDraw, "every fit put the caller's generator back");
        }
    }

    [Fact]
    public void A_fit_that_diverges_is_refused_naming_the_modality_instead_of_returning_nan_codes()
    {
        // Float32 features near 1e20: the reconstruction error overflows and every weight turned NaN, silently.
        var compressor = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 3, Epochs = 5, Seed = 7 });
        using var features = LowRank(40, ScalarType.Float32) * 1e20f;

        var act = () => compressor.FitTransform(features, Enumerable.Range(0, 30).ToArray(), "rna");

        act.Should().Throw<ArgumentException>().WithParameterName("features")
            .WithMessage("Modality 'rna': the autoencoder's training diverged*Standardise them*");
    }
}

