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
}
