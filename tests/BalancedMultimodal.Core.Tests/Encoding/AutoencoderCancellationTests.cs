using BalancedMultimodal.Core.Encoding;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Core.Tests.Encoding;

/// <summary>
/// Cooperative cancellation of <see cref="AutoencoderCompressor.Fit"/> and <see cref="AutoencoderCompressor.FitTransform"/>:
/// checked before the fit and between epochs; a cancelled fit frees its partly trained autoencoder and puts the caller's
/// generator state back (as does a fit that fails with any other exception); an uncancelled token changes nothing.
/// </summary>
[Collection(GlobalGeneratorCollection.Name)]
public class AutoencoderCancellationTests
{
    private static readonly int[] AllRows = Enumerable.Range(0, 40).ToArray();

    private static Tensor Features()
    {
        var g = new Generator(3);
        return randn(40, 6, dtype: ScalarType.Float64, generator: g);
    }

    private static long LiveTensors => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [Fact]
    public void A_cancelled_token_stops_the_fit_before_the_first_epoch()
    {
        using var x = Features();
        var epochs = new List<int>();
        var compressor = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 2, Epochs = 10 }) { AfterEpoch = epochs.Add };
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var fit = () => compressor.Fit(x, AllRows, "m", cancellation.Token);
        var fitTransform = () => compressor.FitTransform(x, AllRows, "m", cancellation.Token);

        fit.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        fitTransform.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        epochs.Should().BeEmpty("no epoch runs once the token is cancelled");
    }

    [Fact]
    public void A_token_cancelled_during_the_fit_stops_it_before_the_next_epoch_and_frees_the_model()
    {
        using var x = Features();
        var epochs = new List<int>();
        using var cancellation = new CancellationTokenSource();
        var compressor = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 2, Epochs = 50 })
        {
            AfterEpoch = epoch =>
            {
                epochs.Add(epoch);
                if (epoch == 2) cancellation.Cancel();
            },
        };
        manual_seed(77);
        using var callersState = random.get_rng_state();
        long before = LiveTensors;

        var act = () => compressor.FitTransform(x, AllRows, "m", cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        epochs.Should().Equal([0, 1, 2], "the token is checked before every epoch");
        LiveTensors.Should().Be(before, "the partly trained autoencoder and the fit's tensors are freed");
        using var afterState = random.get_rng_state();
        (afterState == callersState).all().item<bool>().Should().BeTrue("the caller's generator state is put back");
    }

    [Fact]
    public void A_fit_that_fails_mid_way_frees_the_model_and_puts_the_generator_back()
    {
        // Not only a cancellation: any exception of the fit (here the epoch hook; in practice a libtorch error or the
        // optimiser's constructor) must free the partly trained autoencoder.
        using var x = Features();
        var compressor = new AutoencoderCompressor(new AutoencoderOptions { LatentDim = 2, Epochs = 50 })
        {
            AfterEpoch = epoch =>
            {
                if (epoch == 2) throw new InvalidOperationException("epoch hook failed");
            },
        };
        manual_seed(78);
        using var callersState = random.get_rng_state();
        long before = LiveTensors;

        var act = () => compressor.FitTransform(x, AllRows, "m");

        act.Should().Throw<InvalidOperationException>().WithMessage("epoch hook failed");
        LiveTensors.Should().Be(before, "the partly trained autoencoder and the fit's tensors are freed");
        using var afterState = random.get_rng_state();
        (afterState == callersState).all().item<bool>().Should().BeTrue("the caller's generator state is put back");
    }

    [Fact]
    public void An_uncancelled_token_gives_the_same_codes_as_none()
    {
        using var x = Features();
        var options = new AutoencoderOptions { LatentDim = 2, Epochs = 15, Seed = 6 };
        using var cancellation = new CancellationTokenSource();

        using var without = new AutoencoderCompressor(options).FitTransform(x, AllRows, "m");
        using var with = new AutoencoderCompressor(options).FitTransform(x, AllRows, "m", cancellation.Token);

        with.data<double>().ToArray().Should().Equal(without.data<double>().ToArray());
    }
}
