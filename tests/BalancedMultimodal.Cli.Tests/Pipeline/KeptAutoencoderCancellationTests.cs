using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>With <see cref="TrainingPipeline.KeepTrainedModel"/>, the autoencoders fitted and the fold states copied before
/// a later step fails or is cancelled are disposed: the kept model never owned them.</summary>
[Collection(TrainedPipelineCollection.Name)]
public class KeptAutoencoderCancellationTests(TrainedPipelineFixture fixture)
{
    /// <summary>Reports synchronously on the training thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class CancelOnFirstReport(CancellationTokenSource cancellation) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => cancellation.Cancel();
    }

    /// <summary>Cancels at the first report of the second fold model (a pretraining report after a joint one).</summary>
    private sealed class CancelWhenTheSecondFoldStarts(CancellationTokenSource cancellation) : IProgress<TrainingProgress>
    {
        private bool sawJoint;

        public void Report(TrainingProgress value)
        {
            if (value.Phase == TrainingPhase.Joint) sawJoint = true;
            else if (sawJoint && value.Phase == TrainingPhase.Pretraining) cancellation.Cancel();
        }
    }

    /// <summary>Short training schedules over one carved validation split per repeat.</summary>
    private static PipelineOptions ShortRun()
    {
        var options = TrainedPipelineFixture.Options();
        options.CrossFitFolds = 1;
        options.Training.PretrainingEpochs = 5;
        options.Training.DistillationEpochs = 1;
        options.Training.JointEpochs = 5;
        return options;
    }

    /// <summary>Runs the pipeline with a kept model until <paramref name="canceller"/> cancels it, and asserts that the
    /// cancellation carries the token and leaves no tensor behind.</summary>
    private void CancelledRunLeavesNothing(PipelineOptions options, Func<CancellationTokenSource, IProgress<TrainingProgress>> canceller, string because)
    {
        var data = MogonetFolderLoader.Load(fixture.DataFolder);
        using var cancellation = new CancellationTokenSource();
        long before = LiveTensors.Count;

        var act = () => new TrainingPipeline(options) { KeepTrainedModel = true }.Run(data, canceller(cancellation), cancellation.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(cancellation.Token);
        LiveTensors.Count.Should().Be(before, because);
    }

    [Fact]
    public void A_run_cancelled_in_its_second_fold_frees_the_first_folds_kept_state()
    {
        // The first fold model finishes and its state is copied for the kept model; the second is cancelled.
        var options = ShortRun();
        options.CrossFitRepeats = 2;
        CancelledRunLeavesNothing(options, c => new CancelWhenTheSecondFoldStarts(c),
            "the first fold's copied state is disposed when the run does not complete");
    }

    [Fact]
    public void A_run_cancelled_after_the_autoencoder_fits_frees_the_kept_autoencoders()
    {
        // Every modality's autoencoder is fitted and kept before the first fold reports progress and is cancelled.
        var options = ShortRun();
        options.UseAutoencoder = true;
        options.Autoencoder = new AutoencoderOptions { LatentDim = 4, Epochs = 5, LearningRate = 1e-2 };
        CancelledRunLeavesNothing(options, c => new CancelOnFirstReport(c),
            "the three kept autoencoders are disposed when the run does not complete");
    }

    [Fact]
    public void A_completed_run_with_a_kept_model_leaves_only_the_model_whose_disposal_frees_everything()
    {
        // The fold's state copy is loaded into the kept network and then freed: the kept model owns every tensor left.
        var data = MogonetFolderLoader.Load(fixture.DataFolder);
        long before = LiveTensors.Count;

        var result = new TrainingPipeline(ShortRun()) { KeepTrainedModel = true }.Run(data);
        result.Model!.Dispose();

        LiveTensors.Count.Should().Be(before, "the state copied out of each fold is disposed once loaded into its kept network");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_autoencoder_fits_receive_the_runs_token(bool keepModel)
    {
        // A learning rate of 1e38 on float32 is refused by the fit's optimiser (its first step, lr / (1 - beta1), would
        // overflow float32: an ArgumentOutOfRangeException, "lower the learning rate"); the fit checks its token before it
        // builds the optimiser, so only a fit that did not get the run's cancelled token throws that instead.
        var data = MogonetFolderLoader.Load(fixture.DataFolder);
        var options = ShortRun();
        options.DType = "float32";
        options.UseAutoencoder = true;
        options.Autoencoder = new AutoencoderOptions { LatentDim = 4, Epochs = 5, LearningRate = 1e38 };
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => new TrainingPipeline(options) { KeepTrainedModel = keepModel }.Run(data, cancellationToken: cancellation.Token);

        act.Should().Throw<OperationCanceledException>("the fit checks the run's token before its first epoch")
            .Which.CancellationToken.Should().Be(cancellation.Token);
    }
}
