using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary>The distillation gate's rows per fold are checked before any work on complete data too (the trainer would
/// refuse the first fold short of them only after the earlier folds had trained).</summary>
public class DistillationGateRowsTests
{
    /// <summary>30 complete samples of two modalities: 28 labelled (14 per class) and 2 test rows.</summary>
    private static MultimodalDataset SmallCohort() => TrainingPipelineOptionTests.Data(sampleCount: 30, testFraction: 0.05);

    private static PipelineOptions WithDistillation(int folds, bool validationOnly)
    {
        var options = TrainingPipelineOptionTests.Options();
        options.Training.EnableDistillation = true;
        options.Training.Assessment.RequireComplementarity = validationOnly;
        options.CrossFitFolds = folds;
        return options;
    }

    [Fact]
    public void Complete_data_with_too_few_held_out_rows_in_some_fold_are_refused_before_any_work_naming_the_fold()
    {
        // 14 folds of 28 labelled rows hold out 2 validation rows and the 2 test rows: 4, enough for the gate's KSG
        // estimator (k + 1 = 4); under the complementarity criterion only the 2 validation rows count.
        var data = SmallCohort();
        data.TrainIndices.Length.Should().Be(28);

        var validationOnly = () => TrainingPipeline.Validate(WithDistillation(14, validationOnly: true), data);

        validationOnly.Should().Throw<ArgumentException>().WithMessage(
            "Fold 0 has 2 validation row(s); the distillation gate estimates mutual information on them and needs at least 4. Use fewer folds (CrossFitFolds), add samples, or set Training.EnableDistillation = false.");
        FluentActions.Invoking(() => TrainingPipeline.Validate(WithDistillation(14, validationOnly: false), data)).Should().NotThrow();
        FluentActions.Invoking(() => TrainingPipeline.Validate(WithDistillation(7, validationOnly: true), data)).Should().NotThrow("7 folds validate on 4 rows");
    }
}
