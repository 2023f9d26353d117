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
    public void Fractions_that_leave_no_share_for_training_are_refused_at_once()
    {
        // 0.25 + 0.7499999999999999 is just below 1: no class size in int's range keeps a training row; the search for
        // the smallest one ran through every int for seconds and reported int.MinValue.
        var labels = Enumerable.Repeat(0, 4).Concat(Enumerable.Repeat(1, 30)).ToArray();

        var act = () => StratifiedSplitter.Split(labels, 0.25, 0.7499999999999999, seed: 1);

        act.Should().Throw<ArgumentException>().WithMessage("Class 0 has 4 sample(s)*needs about 9.01E+15 or more of it (the fractions leave a training share of 1.11E-16); lower them*");
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

    [Theory]
    [InlineData(-0.1, 0.2, "validationFraction")]
    [InlineData(1.0, 0.0, "validationFraction")]
    [InlineData(double.NaN, 0.2, "validationFraction")]
    [InlineData(0.2, -0.1, "testFraction")]
    [InlineData(0.0, 1.0, "testFraction")]
    [InlineData(0.2, double.NaN, "testFraction")]
    public void A_fraction_outside_0_to_1_is_rejected_naming_it(double validationFraction, double testFraction, string parameter)
    {
        var act = () => StratifiedSplitter.Split(Labels, validationFraction, testFraction, seed: 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter).WithMessage($"{parameter} must be in [0, 1)*");
    }

    [Fact]
    public void Fractions_summing_to_one_are_rejected_naming_both()
    {
        var act = () => StratifiedSplitter.Split(Labels, 0.25, 0.75, seed: 0);

        act.Should().Throw<ArgumentException>().WithParameterName("testFraction")
            .WithMessage("validationFraction (0.25) + testFraction (0.75) must be < 1 so that training rows remain.*");
    }

    [Fact]
    public void A_fraction_of_zero_leaves_its_part_empty()
    {
        var split = StratifiedSplitter.Split(Labels, 0, 0.3, seed: 1);

        split.Validation.Should().BeEmpty();
        Count(split.Test).Should().Equal(15, 9, 6);
        Count(split.Train).Should().Equal(35, 21, 14);
    }

    [Fact]
    public void Part_sizes_round_half_away_from_zero_and_take_at_least_one_row()
    {
        // Class 0 has 25 rows: 25 x 0.1 = 2.5 rounds to 3. Class 1 has 3 rows: 3 x 0.1 = 0.3 rounds to 0, raised to 1.
        var labels = Enumerable.Repeat(0, 25).Concat(Enumerable.Repeat(1, 3)).ToArray();

        var split = StratifiedSplitter.Split(labels, 0.1, 0.1, seed: 2);

        split.Test.Count(r => labels[r] == 0).Should().Be(3);
        split.Validation.Count(r => labels[r] == 0).Should().Be(3);
        split.Test.Count(r => labels[r] == 1).Should().Be(1);
        split.Validation.Count(r => labels[r] == 1).Should().Be(1);
        split.Train.Should().HaveCount(19 + 1);
    }

    [Fact]
    public void A_class_too_small_for_two_parts_is_reported_with_the_part_count()
    {
        var labels = new[] { 0, 0, 0, 0, 1 };

        var act = () => StratifiedSplitter.Split(labels, 0, 0.2, seed: 0);

        act.Should().Throw<ArgumentException>().WithParameterName("labels")
            .WithMessage("Class 1 has 1 sample(s) among the rows to split; a stratified split into 2 parts (validation fraction 0, test fraction 0.2) needs at least 2 of it.*");
    }

    [Fact]
    public void Only_the_given_rows_are_split()
    {
        var rows = Enumerable.Range(0, 100).Where(r => r % 2 == 0).ToArray();

        var split = StratifiedSplitter.Split(Labels, 0, 0.2, seed: 3, rows);

        split.Train.Concat(split.Test).Order().Should().Equal(rows);
        split.Test.Count(r => Labels[r] == 0).Should().Be(6, "class 0 has 30 of the even rows");
    }

    [Theory]
    [InlineData(100)]
    [InlineData(-1)]
    public void A_row_outside_the_labels_is_rejected_naming_its_position(int row)
    {
        var act = () => StratifiedSplitter.Split(Labels, 0, 0.2, seed: 0, new[] { 0, row, 2 });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rows").WithMessage("Row at position 1 must lie in [0, 100)*");
    }

    [Fact]
    public void A_repeated_row_is_rejected_naming_it()
    {
        var act = () => StratifiedSplitter.KFold(Labels, 2, seed: 0, Enumerable.Range(0, 20).Append(7).ToArray());

        act.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("Row 7 is listed twice*");
    }

    [Fact]
    public void A_negative_label_is_rejected_naming_its_row()
    {
        var act = () => StratifiedSplitter.Split(new[] { 0, 1, -3, 0, 1 }, 0, 0.2, seed: 0);

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at row 2 is -3; labels must be >= 0*");
    }

    [Fact]
    public void An_empty_row_list_is_rejected()
    {
        var act = () => StratifiedSplitter.Split(Labels, 0, 0.2, seed: 0, Array.Empty<int>());

        act.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("There are no rows to split*");
    }

    [Fact]
    public void Splitting_a_dataset_sets_its_train_validation_and_test_rows()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 3);

        var split = StratifiedSplitter.SplitDataset(data, 0.2, 0.2, seed: 4);
        var expected = StratifiedSplitter.Split(data.Labels, 0.2, 0.2, seed: 4);

        split.TrainIndices.Should().Equal(expected.Train);
        split.ValidationIndices.Should().Equal(expected.Validation);
        split.TestIndices.Should().Equal(expected.Test);
        FluentActions.Invoking(() => StratifiedSplitter.SplitDataset(null!, 0.2, 0.2, 0)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Carving_validation_returns_the_old_validation_rows_to_the_pool()
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 3)
            .WithSplits(Enumerable.Range(0, 150).ToArray(), Enumerable.Range(150, 50).ToArray(), Enumerable.Range(200, 100).ToArray());

        var carved = StratifiedSplitter.CarveValidation(data, 0.25, seed: 3);
        var expected = StratifiedSplitter.Split(data.Labels, 0.25, 0, seed: 3, Enumerable.Range(0, 200).ToArray());

        carved.ValidationIndices.Should().Equal(expected.Validation);
        carved.TrainIndices.Should().Equal(expected.Train);
        carved.TestIndices.Should().Equal(data.TestIndices);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void Carving_a_non_positive_validation_fraction_is_rejected(double fraction)
    {
        var data = SyntheticMultiomicsGenerator.Generate(seed: 3);

        var act = () => StratifiedSplitter.CarveValidation(data, fraction, seed: 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("validationFraction").WithMessage("validationFraction must be in (0, 1)*");
        FluentActions.Invoking(() => StratifiedSplitter.CarveValidation(null!, 0.2, 0)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void K_fold_deals_each_class_on_from_the_fold_where_the_previous_class_stopped()
    {
        // Three rows of class 0 go to folds 0, 1, 0; class 1 continues with folds 1, 0, 1: both folds get three rows.
        var labels = new[] { 0, 0, 0, 1, 1, 1 };

        var folds = StratifiedSplitter.KFold(labels, 2, seed: 0);

        folds.Select(f => f.Test.Length).Should().Equal(3, 3);
        folds.Select(f => f.Index).Should().Equal(0, 1);
        folds.Should().AllSatisfy(f => f.Train.Should().BeInAscendingOrder().And.HaveCount(3));
    }

    [Fact]
    public void K_fold_partitions_only_the_given_rows()
    {
        var rows = Enumerable.Range(50, 50).ToArray();

        var folds = StratifiedSplitter.KFold(Labels, 5, seed: 1, rows);

        folds.SelectMany(f => f.Test).Order().Should().Equal(rows);
        folds.Should().AllSatisfy(f => f.Train.Concat(f.Test).Order().Should().Equal(rows));
    }

    [Fact]
    public void K_fold_needs_at_least_two_folds()
    {
        var act = () => StratifiedSplitter.KFold(Labels, 1, seed: 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("foldCount").WithMessage("k-fold cross-validation needs at least 2 folds*");
    }

    [Theory]
    [InlineData(0.2, 0.0, 2)]
    [InlineData(0.0, 0.2, 2)]
    [InlineData(0.2, 0.2, 3)]
    public void The_too_small_class_message_counts_the_parts_with_a_positive_fraction(double validationFraction, double testFraction, int parts)
    {
        var labels = new[] { 0, 0, 0, 0, 0, 0, 1 };

        var act = () => StratifiedSplitter.Split(labels, validationFraction, testFraction, seed: 0);

        act.Should().Throw<ArgumentException>().WithMessage($"Class 1 has 1 sample(s)*a stratified split into {parts} parts*");
    }

    [Fact]
    public void The_minimum_class_size_is_searched_upwards_from_the_class_size()
    {
        // Fractions 0.45 / 0.45: 3 rows split (1 + 1 + 1), 4 do not (2 + 2 + 0), 5 do (2 + 2 + 1): a class of 4 needs 5.
        var labels = Enumerable.Repeat(0, 4).Concat(Enumerable.Repeat(1, 30)).ToArray();

        var act = () => StratifiedSplitter.Split(labels, 0.45, 0.45, seed: 1);

        act.Should().Throw<ArgumentException>().WithMessage("Class 0 has 4 sample(s)*needs at least 5 of it.*");
    }

    [Fact]
    public void The_split_does_not_depend_on_the_order_in_which_the_rows_are_listed()
    {
        var rows = Enumerable.Range(0, 100).ToArray();

        var ascending = StratifiedSplitter.Split(Labels, 0.2, 0.2, seed: 8, rows);
        var descending = StratifiedSplitter.Split(Labels, 0.2, 0.2, seed: 8, rows.Reverse().ToArray());

        descending.Test.Should().Equal(ascending.Test);
        descending.Validation.Should().Equal(ascending.Validation);
    }

    [Fact]
    public void Either_member_of_a_two_row_class_can_be_drawn_for_test()
    {
        var labels = new[] { 0, 0, 0, 0, 1, 1 };

        var drawn = Enumerable.Range(0, 20).SelectMany(seed => StratifiedSplitter.Split(labels, 0, 0.2, seed).Test.Where(r => labels[r] == 1)).Distinct();

        drawn.Should().BeEquivalentTo(new[] { 4, 5 });
    }

    [Fact]
    public void K_fold_accepts_a_class_with_exactly_as_many_members_as_folds_and_shuffles_by_seed()
    {
        var folds = StratifiedSplitter.KFold(new[] { 0, 0, 1, 1 }, 2, seed: 0);

        folds.Should().AllSatisfy(f => f.Test.Should().HaveCount(2));
        StratifiedSplitter.KFold(Labels, 5, seed: 1)[0].Test.Should().NotEqual(StratifiedSplitter.KFold(Labels, 5, seed: 2)[0].Test);
    }

    [Fact]
    public void Null_labels_are_rejected()
    {
        var act = () => StratifiedSplitter.Split(null!, 0, 0.2, seed: 0);

        act.Should().Throw<ArgumentNullException>().WithParameterName("labels");
    }

    [Fact]
    public void Carving_from_a_dataset_without_training_rows_is_refused_naming_the_dataset()
    {
        // It named "rows", which CarveValidation does not have.
        var data = SyntheticMultiomicsGenerator.Generate(seed: 0, sampleCount: 40);
        var onlyTest = data.WithSplits(Array.Empty<int>(), Array.Empty<int>(), Enumerable.Range(0, 40).ToArray());

        FluentActions.Invoking(() => StratifiedSplitter.CarveValidation(onlyTest, 0.2, seed: 0)).Should().Throw<ArgumentException>()
            .WithParameterName("dataset").WithMessage("The dataset has no training or validation rows*");
    }
}
