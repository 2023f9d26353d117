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
            "Modality 'b' is missing on every * row of fold *. It is on 2 labelled row(s); use fewer folds (CrossFitFolds; 1 carves one validation split), use FoldStratification = ClassAndAvailability, or leave the modality out.");
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
            "Modality 'b' is missing on every * row of fold *. It is on 1 labelled row(s); use fewer folds (CrossFitFolds; 1 carves one validation split), or leave the modality out.");
    }

    [Fact]
    public void The_attributes_are_which_modalities_each_row_has_and_none_on_complete_data_or_by_class_alone()
    {
        var data = TrainingPipelineOptionTests.Data();
        var labelled = data.TrainIndices.ToArray();
        var sparse = SparseB(data, labelled.Take(10).ToArray());

        var attributes = TrainingPipeline.AvailabilityAttributes(Options(FoldStratification.ClassAndAvailability), sparse);

        attributes.Should().NotBeNull();
        attributes!.GetLength(1).Should().Be(2);
        Enumerable.Range(0, sparse.SampleCount).Should().OnlyContain(r => attributes[r, 0] && attributes[r, 1] == sparse.Modalities[1].IsAvailable(r));
        TrainingPipeline.AvailabilityAttributes(Options(FoldStratification.ClassAndAvailability), data).Should().BeNull();
        TrainingPipeline.AvailabilityAttributes(Options(FoldStratification.Class), sparse).Should().BeNull();
    }

    [Fact]
    public void With_one_carved_validation_split_a_modality_on_two_labelled_rows_is_on_a_training_and_a_validation_row()
    {
        var data = TrainingPipelineOptionTests.Data();
        var sparse = SparseB(data, data.TrainIndices.Where(r => data.Labels[r] == 0).Take(2).ToArray());
        PipelineOptions Carving(FoldStratification stratification, int seed)
        {
            var options = Options(stratification);
            (options.CrossFitFolds, options.Seed) = (1, seed);
            return options;
        }
        var seeds = Enumerable.Range(0, 10).ToArray();

        var refusedByAvailability = seeds.Where(seed => Refuses(Carving(FoldStratification.ClassAndAvailability, seed), sparse)).ToArray();
        var refusedByClass = seeds.Where(seed => Refuses(Carving(FoldStratification.Class, seed), sparse)).ToArray();

        refusedByAvailability.Should().BeEmpty();
        refusedByClass.Should().NotBeEmpty("by class alone both rows can stay in training");
    }

    [Fact]
    public void An_undefined_stratification_is_refused_naming_the_option()
    {
        var act = () => TrainingPipeline.Validate(Options((FoldStratification)7), TrainingPipelineOptionTests.Data());

        act.Should().Throw<ArgumentException>().WithMessage("*FoldStratification must be ClassAndAvailability or Class, got 7.*");
    }
}
