using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

public class StratifiedSplitterTests
{
    // 50 of class 0, 30 of class 1, 20 of class 2, interleaved.
    private static readonly int[] Labels = Enumerable.Range(0, 100).Select(i => i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2).ToArray();

    private static int[] Count(IEnumerable<int> rows) =>
        Enumerable.Range(0, 3).Select(c => rows.Count(r => Labels[r] == c)).ToArray();

    [Fact]
    public void Each_part_holds_each_class_in_the_requested_proportion()
    {
        var split = StratifiedSplitter.Split(Labels, 0.2, 0.3, seed: 1);

        Count(split.Test).Should().Equal(15, 9, 6);
        Count(split.Validation).Should().Equal(10, 6, 4);
        Count(split.Train).Should().Equal(25, 15, 10);
    }

    [Fact]
    public void The_parts_are_disjoint_sorted_and_cover_every_row()
    {
        var split = StratifiedSplitter.Split(Labels, 0.2, 0.3, seed: 1);

        split.Train.Concat(split.Validation).Concat(split.Test).Order().Should().Equal(Enumerable.Range(0, 100));
        split.Train.Should().BeInAscendingOrder();
        split.Test.Should().BeInAscendingOrder();
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var a = StratifiedSplitter.Split(Labels, 0.2, 0.2, seed: 5);
        var b = StratifiedSplitter.Split(Labels, 0.2, 0.2, seed: 5);
        var c = StratifiedSplitter.Split(Labels, 0.2, 0.2, seed: 6);

        b.Test.Should().Equal(a.Test);
        b.Validation.Should().Equal(a.Validation);
        c.Test.Should().NotEqual(a.Test);
    }

    [Fact]
    public void The_minimum_class_size_in_the_message_is_one_that_splits()
    {
        // 4 of class 0 with fractions 0.4 / 0.5: 5 would take 2 + 3 rows and still leave none; 6 is the real minimum.
        var labels = Enumerable.Repeat(0, 4).Concat(Enumerable.Repeat(1, 30)).ToArray();

        var act = () => StratifiedSplitter.Split(labels, 0.4, 0.5, seed: 1);

        act.Should().Throw<ArgumentException>().WithMessage("Class 0 has 4 sample(s)*needs at least 6 of it.*");
        var six = Enumerable.Repeat(0, 6).Concat(Enumerable.Repeat(1, 30)).ToArray();
        StratifiedSplitter.Split(six, 0.4, 0.5, seed: 1).Train.Should().Contain(r => six[r] == 0);
    }

    [Fact]
    public void A_class_too_small_for_the_split_is_rejected_naming_the_class()
    {
        var labels = new[] { 0, 0, 0, 0, 0, 1, 1, 2 };

        var act = () => StratifiedSplitter.Split(labels, 0.2, 0.2, seed: 0);

        act.Should().Throw<ArgumentException>().WithMessage("Class 1 has 2 sample(s)*needs at least 3*");
    }

    [Fact]
    public void Fractions_leaving_no_training_rows_are_rejected()
    {
        var act = () => StratifiedSplitter.Split(Labels, 0.5, 0.5, seed: 0);

        act.Should().Throw<ArgumentException>().WithMessage("*must be < 1*");
    }

    [Fact]
    public void Carving_validation_takes_it_from_the_training_rows_only()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 3).WithSplits(Enumerable.Range(0, 200).ToArray(), Array.Empty<int>(), Enumerable.Range(200, 100).ToArray());

        var carved = StratifiedSplitter.CarveValidation(data, 0.25, seed: 3);

        carved.TestIndices.Should().Equal(data.TestIndices);
        carved.ValidationIndices.Should().OnlyContain(i => i < 200);
        carved.ValidationIndices.Length.Should().BeCloseTo(50, 2);
        carved.TrainIndices.Concat(carved.ValidationIndices).Order().Should().Equal(Enumerable.Range(0, 200));
    }

    [Fact]
    public void K_fold_test_parts_partition_the_rows_with_stratified_class_counts()
    {
        var folds = StratifiedSplitter.KFold(Labels, 5, seed: 2);

        folds.SelectMany(f => f.Test).Order().Should().Equal(Enumerable.Range(0, 100));
        foreach (var fold in folds)
        {
            Count(fold.Test).Should().Equal(10, 6, 4);
            fold.Train.Concat(fold.Test).Order().Should().Equal(Enumerable.Range(0, 100));
        }
    }

    [Fact]
    public void K_fold_sizes_differ_by_at_most_one()
    {
        var labels = Enumerable.Range(0, 23).Select(i => i % 3 == 0 ? 1 : 0).ToArray();

        var sizes = StratifiedSplitter.KFold(labels, 4, seed: 0).Select(f => f.Test.Length).ToArray();

        (sizes.Max() - sizes.Min()).Should().BeLessThanOrEqualTo(1);
        sizes.Sum().Should().Be(23);
    }

    [Fact]
    public void K_fold_rejects_a_class_with_fewer_members_than_folds()
    {
        var labels = new[] { 0, 0, 0, 0, 0, 1, 1, 1 };

        var act = () => StratifiedSplitter.KFold(labels, 4, seed: 0);

        act.Should().Throw<ArgumentException>().WithMessage("Class 1 has 3 sample(s)*fewer than the 4 folds*");
    }
}
