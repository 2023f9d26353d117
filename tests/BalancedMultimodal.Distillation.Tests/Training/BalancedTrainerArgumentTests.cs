using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Tests.TestDoubles;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>The trainer's arguments, and the checks both <c>Fit</c> overloads make before any training.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class BalancedTrainerArgumentTests
{
    private static readonly MlpEncoderFactory Encoders = new(new MlpEncoderOptions { HiddenSizes = [4], Dropout = 0 });

    [Fact]
    public void Null_constructor_arguments_are_rejected_by_name()
    {
        var estimator = new ConstantMutualInformationEstimator(1.0);
        var options = TrainingFixtures.TinyOptions();

        FluentActions.Invoking(() => new BalancedTrainer(null!, estimator, options)).Should().Throw<ArgumentNullException>().WithParameterName("encoders");
        FluentActions.Invoking(() => new BalancedTrainer(Encoders, null!, options)).Should().Throw<ArgumentNullException>().WithParameterName("estimator");
        FluentActions.Invoking(() => new BalancedTrainer(Encoders, estimator, (BalancedTrainingOptions)null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => new BalancedTrainer(Encoders, estimator, (IOptions<BalancedTrainingOptions>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void The_options_in_force_are_the_object_given_directly_or_through_IOptions()
    {
        var options = TrainingFixtures.TinyOptions();
        var estimator = new ConstantMutualInformationEstimator(1.0);

        new BalancedTrainer(Encoders, estimator, options).Options.Should().BeSameAs(options);
        new BalancedTrainer(Encoders, estimator, Options.Create(options)).Options.Should().BeSameAs(options);
    }

    [Fact]
    public void Null_data_or_checkpoint_is_rejected_by_name()
    {
        var trainer = TrainingFixtures.TinyTrainer(TrainingFixtures.TinyOptions());
        using var checkpoint = new TrainingCheckpoint();

        FluentActions.Invoking(() => trainer.Fit(null!)).Should().Throw<ArgumentNullException>().WithParameterName("data");
        FluentActions.Invoking(() => trainer.Fit(null!, checkpoint)).Should().Throw<ArgumentNullException>().WithParameterName("data");
        FluentActions.Invoking(() => trainer.Fit(TrainingFixtures.Tiny(), (TrainingCheckpoint)null!)).Should().Throw<ArgumentNullException>().WithParameterName("checkpoint");
    }

    [Fact]
    public void Data_whose_tensors_were_disposed_after_it_was_built_is_refused_naming_the_modality_before_any_work()
    {
        // BalancedTrainingData refers to the caller's tensors: a feature matrix disposed afterwards reached TorchSharp's
        // unnamed "Tensor invalid -- empty handle" inside Fit.
        var trainer = TrainingFixtures.TinyTrainer(TrainingFixtures.TinyOptions());
        var withoutFeatures = TrainingFixtures.Tiny();
        withoutFeatures.Features[1].Dispose();
        var withoutLabels = TrainingFixtures.Tiny();
        withoutLabels.Labels.Dispose();
        using var checkpoint = new TrainingCheckpoint();

        foreach (var fit in new Func<BalancedTrainingData, BalancedTrainingResult>[] { d => trainer.Fit(d), d => trainer.Fit(d, checkpoint) })
        {
            FluentActions.Invoking(() => fit(withoutFeatures)).Should().Throw<ObjectDisposedException>()
                .WithMessage("The features of modality 'faint' (data.Features[1]) were disposed after the BalancedTrainingData was built; " +
                    "it refers to the caller's tensors, it does not copy them: keep them alive until training is done.*")
                .Which.ObjectName.Should().Be("data.Features[1]");
            FluentActions.Invoking(() => fit(withoutLabels)).Should().Throw<ObjectDisposedException>()
                .WithMessage("The labels (data.Labels) were disposed after the BalancedTrainingData was built*")
                .Which.ObjectName.Should().Be("data.Labels");
        }

        checkpoint.IsFilled.Should().BeFalse();
    }

    [Theory]
    [InlineData(0, "clear")]
    [InlineData(2, "noise")]
    public void Features_disposed_in_any_modality_including_the_first_and_the_last_are_refused_naming_it(int disposed, string name)
    {
        // Every modality is checked, not only the middle one: the first and the last feature matrix are named too.
        var trainer = TrainingFixtures.TinyTrainer(TrainingFixtures.TinyOptions());
        var data = TrainingFixtures.Tiny();
        data.Features[disposed].Dispose();

        FluentActions.Invoking(() => trainer.Fit(data)).Should().Throw<ObjectDisposedException>()
            .WithMessage($"The features of modality '{name}' (data.Features[{disposed}]) were disposed after the BalancedTrainingData was built*")
            .Which.ObjectName.Should().Be($"data.Features[{disposed}]");
    }

    [Fact]
    public void A_run_with_a_checkpoint_checks_the_held_out_rows_and_the_input_decays_before_filling_it()
    {
        var data = TrainingFixtures.Tiny();
        using var checkpoint = new TrainingCheckpoint();
        var tooFewRows = TrainingFixtures.TinyOptions();
        tooFewRows.Assessment.RequireComplementarity = true;
        var overflowing = TrainingFixtures.TinyOptions();
        overflowing.WeightDecay = 1e308;   // x 3^2: beyond double.MaxValue
        overflowing.InputWeightDecayWidthExponent = 2;
        overflowing.InputWeightDecayReferenceWidth = 1;
        // 12 validation rows, but the Gaussian estimator needs 2 C + 1 = 5 per side and labels: a KSG gate with k = 12 needs 13.
        var ksg = new BalancedTrainer(Encoders, new BalancedMultimodal.Core.Information.KsgEstimator(new BalancedMultimodal.Core.Information.KsgEstimatorOptions { K = 12 }), tooFewRows);

        FluentActions.Invoking(() => ksg.Fit(data, checkpoint)).Should().Throw<ArgumentException>().WithParameterName("data")
            .WithMessage("*'ksg' estimator needs at least 13; data has 12 validation row(s)*");
        FluentActions.Invoking(() => TrainingFixtures.TinyTrainer(overflowing).Fit(data, checkpoint)).Should().Throw<OptionsValidationException>()
            .WithMessage("*The input-weight decay of modality 'clear' (3 features) is *: WeightDecay 1E+308 x max(1, 3 / " +
                "InputWeightDecayReferenceWidth 1)^InputWeightDecayWidthExponent 2 overflows; lower the exponent or raise the reference width.*");
        checkpoint.IsFilled.Should().BeFalse();
    }

    [Fact]
    public void Exactly_the_minimum_of_held_out_rows_is_enough()
    {
        // A KSG gate with k = 19 needs k + 1 = 20 rows: the tiny fixture holds out 12 validation and 8 unlabelled rows.
        var options = TrainingFixtures.TinyOptions();
        options.PretrainingEpochs = options.JointEpochs = 1;
        options.DistillationEpochs = 0;
        var estimator = new TestDoubles.CountingMutualInformationEstimator(
            new BalancedMultimodal.Core.Information.KsgEstimator(new BalancedMultimodal.Core.Information.KsgEstimatorOptions { K = 19 }));
        var trainer = new BalancedTrainer(Encoders, estimator, options);

        using var result = trainer.Fit(TrainingFixtures.Tiny());

        // The gate really ran the k = 19 estimate on those 20 rows (not skipped) and got finite values.
        estimator.Calls.Should().BeGreaterThan(0);
        estimator.RowCounts.Should().OnlyContain(rows => rows == 20);
        result.Plan!.Modalities.SelectMany(m => m.Candidates).Should().NotBeEmpty()
            .And.OnlyContain(c => double.IsFinite(c.MutualInformation));
    }

    [Fact]
    public void Validation_rows_holding_every_class_once_are_refused_before_phase_1_under_the_complementarity_criterion()
    {
        // Four classes, one validation row each: the continuous-discrete label estimator drops classes seen once, so
        // I(student; labels) had failed after pretraining.
        const int n = 44;
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(11);
        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 4)).ToArray();
        var features = Enumerable.Range(0, 3).Select(_ => TorchSharp.torch.randn([n, 4], generator: generator)).ToArray();
        var data = new BalancedTrainingData(["a", "b", "c"], features, TorchSharp.torch.tensor(labels), 4,
            Enumerable.Range(0, 40).ToArray(), [40, 41, 42, 43]);
        var options = TrainingFixtures.FastOptions();
        options.Assessment.RequireComplementarity = true;
        options.Assessment.Permutations = 0;
        var reports = new List<TrainingProgress>();
        var trainer = new BalancedTrainer(new MlpEncoderFactory(new MlpEncoderOptions { HiddenSizes = [8] }), new BalancedMultimodal.Core.Information.KsgEstimator(), options);

        var act = () => trainer.Fit(data, new SynchronousProgress(reports.Add)).Dispose();

        act.Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("The validation rows hold every class once (4 rows)*continuous-discrete*");
        reports.Should().BeEmpty("refused before phase 1");
    }

    [Fact]
    public void An_uncertainty_weighting_start_the_features_dtype_cannot_hold_is_refused_before_phase_1()
    {
        // The joint phase builds the weighter in the features' dtype; 1e39 passed every validator and pretraining ran
        // in full before libtorch's unnamed conversion error.
        var data = TrainingFixtures.Tiny();
        var options = TrainingFixtures.TinyOptions();
        options.Weighting.Policy = ModalityWeightingPolicy.Uncertainty;
        options.Weighting.Uncertainty.InitialLogVariance = 1e39;
        var reports = new List<TrainingProgress>();
        var trainer = TrainingFixtures.TinyTrainer(options);

        var act = () => trainer.Fit(data, new SynchronousProgress(reports.Add)).Dispose();

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>()
            .WithMessage("Weighting.Uncertainty: UncertaintyWeighterOptions.InitialLogVariance = 1E+39 is beyond the largest finite Float32 value*");
        reports.Should().BeEmpty("refused before phase 1");
    }

    [Fact]
    public void An_uncertainty_start_whose_M_log_variances_overflow_the_features_dtype_is_refused_before_phase_1()
    {
        // 2e38 fits float32 but the weighted loss adds the three modalities' log-variances, 6e38.
        var data = TrainingFixtures.Tiny();
        var options = TrainingFixtures.TinyOptions();
        options.Weighting.Policy = ModalityWeightingPolicy.Uncertainty;
        options.Weighting.Uncertainty.InitialLogVariance = 2e38;
        var reports = new List<TrainingProgress>();
        var trainer = TrainingFixtures.TinyTrainer(options);

        var act = () => trainer.Fit(data, new SynchronousProgress(reports.Add)).Dispose();

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("Weighting.Uncertainty: UncertaintyWeighterOptions.InitialLogVariance = 2E+38: the weighted loss adds the 3 log-variances*Float32*");
        reports.Should().BeEmpty("refused before phase 1");
    }

    [Fact]
    public void An_uncertainty_start_is_judged_in_the_features_dtype_so_float64_features_accept_what_float32_cannot_hold()
    {
        var tiny = TrainingFixtures.Tiny();
        var features = tiny.Features.Select(f => f.to(TorchSharp.torch.ScalarType.Float64)).ToArray();
        var data = new BalancedTrainingData(tiny.ModalityNames, features, tiny.Labels, 2, TrainingFixtures.TinyTrainRows, TrainingFixtures.TinyValidationRows);
        var options = TrainingFixtures.TinyOptions();
        options.Weighting.Policy = ModalityWeightingPolicy.Uncertainty;
        options.Weighting.Uncertainty.InitialLogVariance = 1e39;
        using var cancellation = new CancellationTokenSource();
        var trainer = TrainingFixtures.TinyTrainer(options);

        // Stopped at the first report: the checks before phase 1 passed.
        var act = () => trainer.Fit(data, new SynchronousProgress(_ => cancellation.Cancel()), cancellation.Token).Dispose();

        act.Should().Throw<OperationCanceledException>();
        foreach (var f in features) f.Dispose();
    }
}
