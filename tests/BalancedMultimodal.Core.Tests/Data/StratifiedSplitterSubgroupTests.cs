using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>k-fold with subgroups (<see cref="StratifiedSplitter.KFold(IReadOnlyList{int}, int, int, IReadOnlyList{int}?, IReadOnlyList{int}?)"/>):
/// each subgroup of a class spread like the class, and nothing changed without subgroups.</summary>
public class StratifiedSplitterSubgroupTests
{
    // 50 of class 0, 30 of class 1, 20 of class 2, interleaved; four subgroups of unequal sizes, not aligned with the classes.
    private static readonly int[] Labels = Enumerable.Range(0, 100).Select(i => i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2).ToArray();
    private static readonly int[] Subgroups = Enumerable.Range(0, 100).Select(i => i % 7 == 0 ? 3 : i % 3 == 0 ? 1 : i % 11 == 0 ? 2 : 0).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void One_subgroup_or_none_gives_the_folds_of_the_plain_k_fold(int seed)
    {
        var plain = StratifiedSplitter.KFold(Labels, 5, seed);

        var none = StratifiedSplitter.KFold(Labels, 5, seed, rows: null, subgroups: null);
        var one = StratifiedSplitter.KFold(Labels, 5, seed, rows: null, subgroups: new int[Labels.Length]);

        none.Select(f => f.Test).Should().BeEquivalentTo(plain.Select(f => f.Test), o => o.WithStrictOrdering());
        one.Select(f => f.Test).Should().BeEquivalentTo(plain.Select(f => f.Test), o => o.WithStrictOrdering());
        one.Select(f => f.Train).Should().BeEquivalentTo(plain.Select(f => f.Train), o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(11)]
    public void Every_subgroup_of_every_class_differs_by_at_most_one_row_between_folds(int seed)
    {
        var folds = StratifiedSplitter.KFold(Labels, 4, seed, rows: null, Subgroups);

        folds.SelectMany(f => f.Test).Order().Should().Equal(Enumerable.Range(0, 100));
        folds.Should().AllSatisfy(f => f.Train.Concat(f.Test).Order().Should().Equal(Enumerable.Range(0, 100)));
        folds.Select(f => f.Test.Length).Should().OnlyContain(n => n == 25);
        foreach (var c in Enumerable.Range(0, 3))
        {
            var perClass = folds.Select(f => f.Test.Count(r => Labels[r] == c)).ToArray();
            (perClass.Max() - perClass.Min()).Should().BeLessThanOrEqualTo(1, $"class {c} is spread evenly");
            foreach (var g in Enumerable.Range(0, 4))
            {
                var perGroup = folds.Select(f => f.Test.Count(r => Labels[r] == c && Subgroups[r] == g)).ToArray();
                (perGroup.Max() - perGroup.Min()).Should().BeLessThanOrEqualTo(1, $"subgroup {g} of class {c} is spread evenly");
            }
        }
    }

    [Fact]
    public void A_subgroup_ending_one_class_and_starting_the_next_reaches_every_fold()
    {
        // Five rows of subgroup 1 among twenty (two in class 0, three in class 1), five folds: dealt in one run, one per fold.
        var labels = Enumerable.Range(0, 20).Select(i => i < 10 ? 0 : 1).ToArray();
        var subgroups = new int[20];
        foreach (var row in new[] { 3, 8, 11, 15, 19 }) subgroups[row] = 1;
        bool Reaches(IReadOnlyList<CrossValidationFold> folds) => folds.All(f => f.Test.Any(r => subgroups[r] == 1));

        var seeds = Enumerable.Range(0, 20).ToArray();

        var withSubgroups = seeds.Select(seed => Reaches(StratifiedSplitter.KFold(labels, 5, seed, null, subgroups))).ToArray();
        var byClassAlone = seeds.Select(seed => Reaches(StratifiedSplitter.KFold(labels, 5, seed))).ToArray();

        withSubgroups.Should().AllBeEquivalentTo(true);
        byClassAlone.Should().Contain(false, "by class alone the five rows can share a fold");
    }

    [Fact]
    public void The_same_seed_gives_the_same_folds()
    {
        var first = StratifiedSplitter.KFold(Labels, 5, 4, null, Subgroups);
        var second = StratifiedSplitter.KFold(Labels, 5, 4, null, Subgroups);
        var other = StratifiedSplitter.KFold(Labels, 5, 5, null, Subgroups);

        second.Select(f => f.Test).Should().BeEquivalentTo(first.Select(f => f.Test), o => o.WithStrictOrdering());
        other.Select(f => f.Test).Should().NotBeEquivalentTo(first.Select(f => f.Test), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Only_the_given_rows_are_partitioned()
    {
        var rows = Enumerable.Range(30, 60).ToArray();

        var folds = StratifiedSplitter.KFold(Labels, 3, 2, rows, Subgroups);

        folds.SelectMany(f => f.Test).Order().Should().Equal(rows);
    }

    [Fact]
    public void Subgroups_of_another_length_than_the_labels_are_rejected_naming_them()
    {
        var act = () => StratifiedSplitter.KFold(Labels, 5, 0, null, new int[99]);

        act.Should().Throw<ArgumentException>().WithParameterName("subgroups")
            .WithMessage("subgroups has 99 key(s) for 100 label(s); it needs one key per row of labels.*");
    }
}
