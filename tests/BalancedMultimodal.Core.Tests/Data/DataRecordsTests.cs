using BalancedMultimodal.Core.Data;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Data;

/// <summary>The result records of the splitter and the ID-table loader refuse null members, naming the member.</summary>
public class DataRecordsTests
{
    [Fact]
    public void A_dataset_split_rejects_each_null_part()
    {
        ((Action)(() => _ = new DatasetSplit(null!, [], []))).Should().Throw<ArgumentNullException>().WithParameterName("Train");
        ((Action)(() => _ = new DatasetSplit([], null!, []))).Should().Throw<ArgumentNullException>().WithParameterName("Validation");
        ((Action)(() => _ = new DatasetSplit([], [], null!))).Should().Throw<ArgumentNullException>().WithParameterName("Test");
    }

    [Fact]
    public void A_cross_validation_fold_rejects_each_null_part_and_keeps_its_index()
    {
        ((Action)(() => _ = new CrossValidationFold(0, null!, []))).Should().Throw<ArgumentNullException>().WithParameterName("Train");
        ((Action)(() => _ = new CrossValidationFold(0, [], null!))).Should().Throw<ArgumentNullException>().WithParameterName("Test");
        new CrossValidationFold(2, [0, 1], [2]).Index.Should().Be(2);
    }

    [Fact]
    public void A_dropped_sample_rejects_a_null_id_or_table_list()
    {
        ((Action)(() => _ = new DroppedSample(null!, ["labels"]))).Should().Throw<ArgumentNullException>().WithParameterName("Id");
        ((Action)(() => _ = new DroppedSample("P1", null!))).Should().Throw<ArgumentNullException>().WithParameterName("MissingFrom");
    }

    [Fact]
    public void An_id_table_load_result_rejects_null_members_and_lists_the_dropped_ids_in_order()
    {
        var dataset = MultimodalDataset.FromArrays(["a"], [new double[,] { { 1 }, { 2 } }], [0, 1]);

        ((Action)(() => _ = new IdTableLoadResult(null!, []))).Should().Throw<ArgumentNullException>().WithParameterName("Dataset");
        ((Action)(() => _ = new IdTableLoadResult(dataset, null!))).Should().Throw<ArgumentNullException>().WithParameterName("DroppedSamples");
        new IdTableLoadResult(dataset, [new DroppedSample("Q2", ["a"]), new DroppedSample("Q1", ["labels"])]).DroppedIds.Should().Equal("Q2", "Q1");
    }
}
