using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary><see cref="PipelineOptions.FoldStratification"/>: the cross-fitting folds stratified by class and by which
/// modalities a sample has, so that a modality on few labelled samples still reaches every fold.</summary>
public class FoldStratificationTests
{
    private static PipelineOptions Options(FoldStratification stratification)
    {
        var options = TrainingPipelineOptionTests.Options();
        options.FoldStratification = stratification;
        return options;
    }

    /// <summary>The option tests' set with "b" only on the test rows and on the labelled rows <paramref name="kept"/>.</summary>
    private static MultimodalDataset SparseB(MultimodalDataset data, IReadOnlyCollection<int> kept)
    {
        var test = data.TestIndices.ToHashSet();
        return IncompleteDatasets.WithMissingRows(data, 1, i => !test.Contains(i) && !kept.Contains(i));
    }

    [Fact]
    public void A_modality_on_as_many_labelled_rows_as_folds_is_admitted_where_folds_by_class_alone_refuse_it()
    {
        // Two labelled rows of one class have "b" and there are two folds: by class and availability they are dealt one
        // to each fold; by class alone, some pair of them shares a fold (found among the first rows of the class).
        var data = TrainingPipelineOptionTests.Data();
        var classZero = data.TrainIndices.Where(r => data.Labels[r] == 0).Take(8).ToArray();
        var pairs = classZero.SelectMany((a, i) => classZero.Skip(i + 1).Select(b => new[] { a, b })).ToArray();
        var refusedByClass = pairs.FirstOrDefault(pair => Refuses(Options(FoldStratification.Class), SparseB(data, pair)));
        refusedByClass.Should().NotBeNull("by class alone two rows of one class share a fold for some pair");
        var sparse = SparseB(data, refusedByClass!);

        var byClass = () => TrainingPipeline.Validate(Options(FoldStratification.Class), sparse);
        var byAvailability = () => TrainingPipeline.Validate(Options(FoldStratification.ClassAndAvailability), sparse);

        byClass.Should().Throw<ArgumentException>().WithMessage(
            "Modality 'b' is missing on every * row of fold *. It is on 2 labelled row(s); use fewer folds (CrossFitFolds), FoldStratification = ClassAndAvailability, or leave the modality out.");
        byAvailability.Should().NotThrow();
        pairs.Should().OnlyContain(pair => !Refuses(Options(FoldStratification.ClassAndAvailability), SparseB(data, pair)));
    }

    private static bool Refuses(PipelineOptions options, MultimodalDataset data)
    {
        try
        {
            TrainingPipeline.Validate(options, data);
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    [Fact]
    public void A_modality_on_fewer_labelled_rows_than_folds_is_refused_by_default_without_the_remedy_it_already_takes()
    {
        var data = TrainingPipelineOptionTests.Data();

        var act = () => TrainingPipeline.Validate(Options(FoldStratification.ClassAndAvailability), SparseB(data, [data.TrainIndices[0]]));

        act.Should().Throw<ArgumentException>().WithMessage(
            "Modality 'b' is missing on every * row of fold *. It is on 1 labelled row(s); use fewer folds (CrossFitFolds), or leave the modality out.");
    }

    [Fact]
    public void The_subgroups_rank_availability_patterns_with_the_rarest_modality_most_significant()
    {
        // "a" missing on 5 rows, "b" on 20 (so "b" is the rarer modality and its digit comes first); patterns as
        // (b, a): "01" (a only) rank 0, "10" (b only) rank 1, "11" (both) rank 2.
        var data = TrainingPipelineOptionTests.Data();
        var lackingA = new HashSet<int> { 1, 11, 21, 31, 41 };
        var lackingB = Enumerable.Range(0, 90).Where(i => i % 4 == 0).Take(20).ToHashSet();
        var both = IncompleteDatasets.WithMissingRows(IncompleteDatasets.WithMissingRows(data, 0, lackingA.Contains), 1, lackingB.Contains);
        var labelled = both.TrainIndices.Concat(both.ValidationIndices).ToArray();

        var keys = TrainingPipeline.AvailabilitySubgroups(Options(FoldStratification.ClassAndAvailability), both, labelled);

        keys.Should().Equal(Enumerable.Range(0, 90).Select(i => lackingB.Contains(i) ? 0 : lackingA.Contains(i) ? 1 : 2));
    }

    [Fact]
    public void There_are_no_subgroups_on_complete_data_or_by_class_alone()
    {
        var data = TrainingPipelineOptionTests.Data();
        var labelled = data.TrainIndices.ToArray();
        var sparse = SparseB(data, labelled.Take(10).ToArray());

        TrainingPipeline.AvailabilitySubgroups(Options(FoldStratification.ClassAndAvailability), data, labelled).Should().BeNull();
        TrainingPipeline.AvailabilitySubgroups(Options(FoldStratification.Class), sparse, labelled).Should().BeNull();
        TrainingPipeline.AvailabilitySubgroups(Options(FoldStratification.ClassAndAvailability), sparse, labelled).Should().NotBeNull();
    }

    [Fact]
    public void An_undefined_stratification_is_refused_naming_the_option()
    {
        var act = () => TrainingPipeline.Validate(Options((FoldStratification)7), TrainingPipelineOptionTests.Data());

        act.Should().Throw<ArgumentException>().WithMessage("*FoldStratification must be ClassAndAvailability or Class, got 7.*");
    }
}
