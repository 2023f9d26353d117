using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Graph.Tests.Layers;

/// <summary><see cref="RelationalGcnOptionsValidator"/> lists every broken rule with the option's name and value, and
/// accepts each option at the edge of its range.</summary>
public class RelationalGcnOptionsValidatorTests
{
    private static RelationalGcnOptions Valid() => new() { InputSize = 4, HiddenSizes = [6, 5], RelationCount = 2 };

    private static IEnumerable<string> Failures(RelationalGcnOptions options) =>
        new RelationalGcnOptionsValidator().Validate(null, options).Failures ?? Array.Empty<string>();

    [Fact]
    public void Every_broken_rule_is_listed_in_order()
    {
        var options = new RelationalGcnOptions
        {
            InputSize = 0,
            HiddenSizes = [],
            RelationCount = 0,
            NumBases = 1,
            NumBlocks = 1,
            Activation = (RelationalGcnActivation)9,
            NegativeSlope = -1,
            Dropout = -0.1,
            ClassCount = 1,
            Head = (RelationalGcnHead)5,
        };

        Failures(options).Should().Equal(
            "RelationalGcnOptions.InputSize must be at least 1, got 0.",
            "RelationalGcnOptions.HiddenSizes must list at least one layer size.",
            "RelationalGcnOptions.RelationCount must be at least 1, got 0.",
            "RelationalGcnOptions.NumBases and RelationalGcnOptions.NumBlocks cannot both be set.",
            "RelationalGcnOptions.NumBases must be between 1 and RelationalGcnOptions.RelationCount (0), got 1.",
            "RelationalGcnOptions.Activation has the undefined value 9.",
            $"RelationalGcnOptions.NegativeSlope must be finite and at least 0, got {-1.0}.",
            $"RelationalGcnOptions.Dropout must be in [0, 1), got {-0.1}.",
            "RelationalGcnOptions.ClassCount must be at least 2 (or null for no head), got 1.",
            "RelationalGcnOptions.Head has the undefined value 5.");
    }

    [Fact]
    public void Missing_hidden_sizes_and_a_non_finite_slope_are_rejected()
    {
        var options = Valid();
        options.HiddenSizes = null!;
        options.NegativeSlope = double.PositiveInfinity;
        options.Dropout = double.NaN;

        Failures(options).Should().Equal(
            "RelationalGcnOptions.HiddenSizes must list at least one layer size.",
            $"RelationalGcnOptions.NegativeSlope must be finite and at least 0, got {double.PositiveInfinity}.",
            $"RelationalGcnOptions.Dropout must be in [0, 1), got {double.NaN}.");
    }

    [Fact]
    public void Block_counts_must_be_positive_and_divide_every_width()
    {
        var zero = Valid();
        zero.NumBlocks = 0;
        var three = Valid();
        three.NumBlocks = 3;
        three.HiddenSizes = [6, 5];
        var basesZero = Valid();
        basesZero.NumBases = 0;

        Failures(zero).Should().Equal("RelationalGcnOptions.NumBlocks must be at least 1, got 0.");
        Failures(three).Should().Equal("RelationalGcnOptions.NumBlocks (3) must divide RelationalGcnOptions.InputSize (4).", "RelationalGcnOptions.NumBlocks (3) must divide RelationalGcnOptions.HiddenSizes[1] (5).");
        Failures(basesZero).Should().Equal("RelationalGcnOptions.NumBases must be between 1 and RelationalGcnOptions.RelationCount (2), got 0.");
    }

    [Fact]
    public void Missing_hidden_sizes_with_blocks_are_reported_once()
    {
        var options = Valid();
        options.HiddenSizes = null!;
        options.NumBlocks = 2;

        Failures(options).Should().Equal("RelationalGcnOptions.HiddenSizes must list at least one layer size.");
    }

    [Fact]
    public void A_zero_hidden_size_is_named_by_its_index()
    {
        var options = Valid();
        options.HiddenSizes = [3, 0, -2];

        Failures(options).Should().Equal("RelationalGcnOptions.HiddenSizes[1] must be at least 1, got 0.", "RelationalGcnOptions.HiddenSizes[2] must be at least 1, got -2.");
    }

    [Fact]
    public void Options_at_the_edge_of_every_range_are_valid()
    {
        var options = new RelationalGcnOptions
        {
            InputSize = 1,
            HiddenSizes = [1],
            RelationCount = 1,
            NumBases = 1,
            NegativeSlope = 0,
            Dropout = 0,
            ClassCount = 2,
            Activation = RelationalGcnActivation.Identity,
            Head = RelationalGcnHead.GraphConvolution,
        };
        var blocks = Valid();
        blocks.HiddenSizes = [2, 4];
        blocks.NumBlocks = 2;
        var bases = Valid();
        bases.NumBases = 2;
        var oneBlock = Valid();
        oneBlock.NumBlocks = 1;

        new RelationalGcnOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
        new RelationalGcnOptionsValidator().Validate(null, blocks).Succeeded.Should().BeTrue();
        new RelationalGcnOptionsValidator().Validate(null, bases).Succeeded.Should().BeTrue();
        new RelationalGcnOptionsValidator().Validate(null, oneBlock).Succeeded.Should().BeTrue();
        FluentActions.Invoking(() => new RelationalGcnOptionsValidator().Validate(null, null!)).Should().Throw<ArgumentNullException>();
    }
}
